#!/bin/bash
# rxe-test: setup=rxe0 timeout=600 debug=off
# The distro's UD and UC tools between two QPs of our device: ibv_ud_pingpong
# and ibv_uc_pingpong (data checked with -c where the tool has it),
# ib_send_bw over UD and UC, ib_write_bw over UC, and ib_send_bw to a
# multicast group (-g: the server's QP attached, the client sending to the
# group). Each pair must finish and report; the multicast run must raise
# rcvd_mcast_pkts by at least the iterations received.
set -eu
. "$RXE_SRC/tests/lib/rxe.sh"

gid=$(rxe_gid_index "$RXE_DEV") || fail "no RoCE v2 GID"
ctr() { cat "/sys/class/infiniband/$RXE_DEV/ports/1/hw_counters/$1"; }

pingpong() {	# pingpong TOOL ARGS...
	local tool=$1 chk=
	shift
	"$tool" --help 2>&1 | grep -q -- '--chk' && chk=-c
	run_pair 120 "$tool -d $RXE_DEV -g $gid $chk $*" \
		"$tool -d $RXE_DEV -g $gid $chk $* 127.0.0.1" || fail "$tool $*"
	grep -q "iters in" /tmp/pair.log.client ||
		{ sed 's/^/# /' /tmp/pair.log; fail "$tool $*: no result"; }
	note "$tool $* ${chk:+(data checked)}: $(grep 'iters in' /tmp/pair.log.client | head -1)"
}

perf() {	# perf TOOL ARGS...
	local tool=$1 line
	shift
	run_pair 120 "$tool -d $RXE_DEV -x $gid -F $*" \
		"$tool -d $RXE_DEV -x $gid -F $* 127.0.0.1" || fail "$tool $*"
	line=$(grep -E '^ *[0-9]+ +[0-9]+ ' /tmp/pair.log.client | tail -1)
	[ -n "$line" ] || { sed 's/^/# /' /tmp/pair.log; fail "$tool $*: no result line"; }
	note "$tool $*: $line"
}

pingpong ibv_ud_pingpong -s 1024 -n 200
pingpong ibv_uc_pingpong -s 4096 -n 200
perf ib_send_bw -c UD -s 1024 -n 500
perf ib_send_bw -c UC -s 65536 -n 200
perf ib_write_bw -c UC -s 65536 -n 200

before=$(ctr rcvd_mcast_pkts)
perf ib_send_bw -c UD -g -M 0:0:0:0:0:0:0:0:0:0:255:255:239:1:2:4 -s 1024 -n 500
got=$(( $(ctr rcvd_mcast_pkts) - before ))
[ "$got" -ge 500 ] || fail "multicast ib_send_bw: rcvd_mcast_pkts rose by $got for 500 sends"
note "multicast: $got datagrams delivered to the group"
