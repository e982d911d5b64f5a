#!/bin/bash
# rxe-test: setup=rxe0 timeout=60
# Unloading the driver while a device exists (and no one uses it) removes
# the device first, cleanly; loading again works.
set -eu
. "$RXE_SRC/tests/lib/rxe.sh"

rxe_dev_exists "$RXE_DEV" || fail "setup did not create $RXE_DEV"
rmmod rdma_rxe || fail "rmmod rdma_rxe failed with $RXE_DEV present"
rxe_dev_gone "$RXE_DEV" || fail "$RXE_DEV still present after rmmod"
[ -z "$(rxe_devices)" ] || fail "RDMA devices left after rmmod: $(rxe_devices)"
rmmod rdma_odp || fail "rmmod rdma_odp failed"
rxe_load || fail "reloading failed"
rxe_add "$RXE_DEV" "$RXE_NETDEV" || fail "link add after reload failed"
wait_for 10 test "$(port_state "$RXE_DEV")" = ACTIVE || fail "port not ACTIVE after reload"
