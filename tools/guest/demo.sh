#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# What `make demo` shows inside the guest (its output is echoed by the host).
. "$RXE_SRC/tests/lib/rxe.sh"

step() { echo; echo "\$ $*"; "$@" 2>&1; }

echo "Kernel $(uname -r); our modules: rdma_rxe $(cat /sys/module/rdma_rxe/version), rdma_odp $(cat /sys/module/rdma_odp/version)"
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
echo "(The RC data path comes next; this skeleton stops here.)"
