#!/bin/bash
# rxe-test: setup=rxe0 timeout=60
# `rdma link delete` removes the device from sysfs and from libibverbs'
# list, and the same name can be added again.
set -eu
. "$RXE_SRC/tests/lib/rxe.sh"

rdma link delete "$RXE_DEV" || fail "rdma link delete failed"
rxe_dev_gone "$RXE_DEV" || fail "$RXE_DEV still in sysfs"
! ibv_devices | grep -qw "$RXE_DEV" || fail "ibv_devices still lists $RXE_DEV"
rxe_add "$RXE_DEV" "$RXE_NETDEV" || fail "re-adding failed"
rxe_dev_exists "$RXE_DEV" || fail "re-added device missing"
