#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# What `make demo` shows inside the guest (its output is echoed by the host).
. "$RXE_SRC/tests/lib/rxe.sh"

step() { echo; echo "\$ $*"; "$@" 2>&1; }

echo "Kernel $(uname -r); our modules: rdma_rxe $(cat /sys/module/rdma_rxe/version), rdma_odp $(cat /sys/module/rdma_odp/version); rxe provider: $(provider_current)"
step rdma link show
step ibv_devices
step ibv_devinfo -v -d "$RXE_DEV"
echo
echo "# the port follows its netdev:"
step ip link set "$RXE_NETDEV" down
step rdma link show "$RXE_DEV/1"
step ip link set "$RXE_NETDEV" up
sleep 1
step rdma link show "$RXE_DEV/1"
echo
echo "# a user process opens the device and allocates protection domains:"
step "$RXE_BUILD/tests/verbs/open_device_and_pd" && echo "ok"
echo
gid=$(rxe_gid_index "$RXE_DEV")
echo "# RC traffic between two QPs of the device, data checked (-c):"
run_pair 60 "ibv_rc_pingpong -d $RXE_DEV -g $gid -c -n 100" \
	"ibv_rc_pingpong -d $RXE_DEV -g $gid -c -n 100 127.0.0.1" &&
	grep -h "iters in" /tmp/pair.log.client
echo
echo "# RDMA WRITE bandwidth (perftest), 64 KiB messages:"
run_pair 60 "ib_write_bw -d $RXE_DEV -x $gid -F -s 65536 -n 200" \
	"ib_write_bw -d $RXE_DEV -x $gid -F -s 65536 -n 200 127.0.0.1" &&
	grep -E '^ *#bytes|^ *65536 ' /tmp/pair.log.client
echo
echo "# rping connects through the RDMA CM (QP1 MADs):"
run_pair 60 "rping -s -a $RXE_IP -C 3 -v" "rping -c -a $RXE_IP -C 3 -v" &&
	cat /tmp/pair.log.client
echo
step rdma statistic show link "$RXE_DEV/1"
