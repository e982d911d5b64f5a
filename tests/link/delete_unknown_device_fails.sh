#!/bin/bash
# rxe-test: setup=rxe0 timeout=60
# Deleting a device that does not exist fails with a clear error and
# leaves existing devices alone.
set -eu
. "$RXE_SRC/tests/lib/rxe.sh"

expect_fail rdma link delete no_such_rxe
rxe_dev_exists "$RXE_DEV" || fail "$RXE_DEV vanished"
