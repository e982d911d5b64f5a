#!/bin/bash
# rxe-test: setup=modules timeout=60
# `rdma link add` creates a device that the distro's userspace lists and
# matches to its rxe provider (driver id RXE), named as asked, bound to
# the netdev, with the node GUID formed from the netdev's MAC.
set -eu
. "$RXE_SRC/tests/lib/rxe.sh"

rxe_add rxe_t0 "$RXE_NETDEV" || fail "rdma link add failed"
rxe_dev_exists rxe_t0 || fail "no sysfs entry for rxe_t0"
ibv_devices | grep -qw rxe_t0 || fail "ibv_devices does not list rxe_t0: $(ibv_devices)"
rdma link show rxe_t0/1 | grep -q "netdev $RXE_NETDEV" || fail "rdma link show: $(rdma link show)"

# EUI-64 from the MAC: flip the U/L bit, insert ff:fe in the middle.
mac=$(cat /sys/class/net/$RXE_NETDEV/address)
IFS=: read -r a b c d e f <<< "$mac"
want=$(printf '%02x%s:%sff:fe%s:%s%s' $((0x$a ^ 2)) "$b" "$c" "$d" "$e" "$f")
got=$(cat /sys/class/infiniband/rxe_t0/node_guid)
[ "$got" = "$want" ] || fail "node_guid $got, expected $want from MAC $mac"

# ibv_devinfo opens the device through the stock rxe provider.
info=$(ibv_devinfo -d rxe_t0) || fail "ibv_devinfo failed: $info"
echo "$info" | grep -q "transport:.*InfiniBand" || fail "transport: $info"
echo "$info" | grep -q "link_layer:.*Ethernet" || fail "link_layer: $info"
echo "$info" | grep -q "state:.*PORT_ACTIVE" || fail "port state: $info"
echo "$info" | grep -q "node_guid:.*${want}" || fail "devinfo node_guid: $info"
