#!/bin/bash
# rxe-test: setup=rxe0 timeout=240
# rping (librdmacm) between two QPs of our device: the RDMA CM resolves
# the address and connects through MADs on QP1 (GSI), then 100 rounds of
# SEND, RDMA READ and RDMA WRITE whose payload rping prints with -v; the
# client must show all 100 verified pings.
set -eu
. "$RXE_SRC/tests/lib/rxe.sh"

command -v rping >/dev/null || skip "rping not installed (rdmacm-utils)"
run_pair 180 "rping -s -a $RXE_IP -C 100 -v" "rping -c -a $RXE_IP -C 100 -v" ||
	fail "rping failed"
n=$(grep -c "ping data: rdma-ping-" /tmp/pair.log.client || true)
[ "$n" = 100 ] || { sed 's/^/# /' /tmp/pair.log | tail -20; fail "client showed $n of 100 pings"; }
note "rping -C 100 -v: $n pings echoed"
