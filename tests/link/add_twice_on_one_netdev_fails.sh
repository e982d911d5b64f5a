#!/bin/bash
# rxe-test: setup=rxe0 timeout=60
# A netdev carries at most one rxe device: a second `rdma link add` on it
# fails (EEXIST) and leaves the first device alone; a taken name fails too.
set -eu
. "$RXE_SRC/tests/lib/rxe.sh"

expect_fail rxe_add rxe_t1 "$RXE_NETDEV"
echo "$out" | grep -qi "exist" || fail "unclear error for a second device: $out"
rxe_dev_gone rxe_t1 || fail "rxe_t1 was created"
[ "$(port_state "$RXE_DEV")" = ACTIVE ] || fail "$RXE_DEV disturbed"

ip link add rxe_veth0 type veth peer name rxe_veth1
expect_fail rxe_add "$RXE_DEV" rxe_veth0
rxe_dev_exists "$RXE_DEV" || fail "$RXE_DEV lost"
ip link del rxe_veth0
