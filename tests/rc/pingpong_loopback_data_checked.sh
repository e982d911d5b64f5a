#!/bin/bash
# rxe-test: setup=rxe0 timeout=180
# ibv_rc_pingpong (the distro's) with data checking (-c) between two QPs
# of our device, at several sizes and MTUs: SEND/RECV over RC, segmented
# by the path MTU, acknowledged, completions in order.
set -eu
. "$RXE_SRC/tests/lib/rxe.sh"

gid=$(rxe_gid_index "$RXE_DEV") || fail "no RoCE v2 GID"
for args in "-s 64 -n 100" "-s 4096 -m 1024 -n 50" "-s 65536 -m 4096 -n 20" "-s 1 -m 256 -n 20"; do
	run_pair 60 "ibv_rc_pingpong -d $RXE_DEV -g $gid -c $args" \
		"ibv_rc_pingpong -d $RXE_DEV -g $gid -c $args 127.0.0.1" ||
		fail "ibv_rc_pingpong $args"
	grep -q "iters in" /tmp/pair.log.client || { sed "s/^/# /" /tmp/pair.log; fail "no result line for $args"; }
	note "ibv_rc_pingpong -c $args: $(grep 'iters in' /tmp/pair.log.client)"
done
