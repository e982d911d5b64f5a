#!/bin/bash
# rxe-test: setup=rxe0 timeout=60
# The port is ACTIVE/LINK_UP while the netdev is up and DOWN/DISABLED while
# it is down; an async event reports each change (checked in C by
# verbs/port_events_follow_netdev).
set -eu
. "$RXE_SRC/tests/lib/rxe.sh"

phys() { sed 's/^[0-9]*: *//' "/sys/class/infiniband/$RXE_DEV/ports/1/phys_state"; }
[ "$(port_state "$RXE_DEV")" = ACTIVE ] || fail "not ACTIVE at start"
[ "$(phys)" = LinkUp ] || fail "phys_state $(phys) at start"
ip link set "$RXE_NETDEV" down
wait_for 10 test "$(port_state "$RXE_DEV")" = DOWN || fail "port $(port_state "$RXE_DEV") with netdev down"
[ "$(phys)" = Disabled ] || fail "phys_state $(phys) with netdev down"
ibv_devinfo -d "$RXE_DEV" | grep -q "state:.*PORT_DOWN" || fail "ibv_devinfo disagrees"
ip link set "$RXE_NETDEV" up
wait_for 10 test "$(port_state "$RXE_DEV")" = ACTIVE || fail "port not ACTIVE after netdev up"
