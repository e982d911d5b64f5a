#!/bin/bash
# rxe-test: setup=rxe0 timeout=400 debug=off
# The distro's perftest over RC between two QPs of our device: write,
# read, send and atomic bandwidth, write and send latency. Each pair
# must finish and report a result line (the tools exit non-zero on a
# completion error or a stuck transfer).
set -eu
. "$RXE_SRC/tests/lib/rxe.sh"

gid=$(rxe_gid_index "$RXE_DEV") || fail "no RoCE v2 GID"
common="-d $RXE_DEV -x $gid -F"
run() {
	local tool=$1; shift
	run_pair 120 "$tool $common $*" "$tool $common $* 127.0.0.1" || fail "$tool $*"
	local line
	line=$(grep -E '^ *[0-9]+ +[0-9]+ ' /tmp/pair.log.client | tail -1)
	[ -n "$line" ] || { sed 's/^/# /' /tmp/pair.log; fail "$tool $*: no result line"; }
	note "$tool $*: $line"
}
run ib_write_bw -s 65536 -n 200
run ib_read_bw -s 65536 -n 200
run ib_send_bw -s 65536 -n 200
run ib_write_bw -s 4096 -n 500 -m 1024
run ib_atomic_bw -n 500
run ib_atomic_bw -n 500 -A FETCH_AND_ADD
run ib_write_lat -s 8 -n 200
run ib_send_lat -s 8 -n 200
run ib_read_lat -s 4096 -n 100
