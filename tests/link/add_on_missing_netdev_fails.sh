#!/bin/bash
# rxe-test: setup=modules timeout=60
# Adding a link on a netdev that does not exist fails with a clear error
# and creates nothing.
set -eu
. "$RXE_SRC/tests/lib/rxe.sh"

expect_fail rxe_add rxe_t0 no_such_netdev
[ -z "$(rxe_devices)" ] || fail "a device appeared: $(rxe_devices)"
