#!/bin/bash
# rxe-test: setup=modules timeout=60
# When the netdev goes away, its rxe device goes with it.
set -eu
. "$RXE_SRC/tests/lib/rxe.sh"

ip link add rxe_veth0 type veth peer name rxe_veth1
ip link set rxe_veth0 up; ip link set rxe_veth1 up
rxe_add rxe_t0 rxe_veth0 || fail "link add on veth failed"
rxe_dev_exists rxe_t0 || fail "rxe_t0 missing"
ip link del rxe_veth0 || fail "ip link del failed"
wait_for 20 rxe_dev_gone rxe_t0 || fail "rxe_t0 still present after its netdev was deleted"
