#!/bin/bash
# rxe-test: setup=rxe0 timeout=600 debug=off
# A process SIGKILLed in the middle of a transfer: its QPs, CQs, MRs and
# PDs go away with it (the kernel cleans up the uverbs file), its peer
# ends with an error instead of hanging, the device keeps working for the
# next users, and once everybody is gone the module unloads.
set -eu
. "$RXE_SRC/tests/lib/rxe.sh"

gid=$(rxe_gid_index "$RXE_DEV") || fail "no RoCE v2 GID"
count() { rdma resource show "$1" 2>/dev/null | grep -c "link $RXE_DEV/" || true; }
base_qp=$(count qp) base_mr=$(count mr) base_cq=$(count cq) base_pd=$(count pd)
note "before: qp $base_qp mr $base_mr cq $base_cq pd $base_pd"
qps_at_least() { [ "$(count qp)" -ge "$1" ]; }
back_to_base() {
	[ "$(count qp)" = "$base_qp" ] && [ "$(count mr)" = "$base_mr" ] &&
		[ "$(count cq)" = "$base_cq" ] && [ "$(count pd)" = "$base_pd" ]
}
# exited (a zombie until waited for counts as gone)
gone() { [ ! -e "/proc/$1" ] || grep -q '^[0-9]* (.*) Z' "/proc/$1/stat"; }

# kill_mid TOOL VICTIM: run TOOL for long, SIGKILL VICTIM (server|client)
# after a few seconds of traffic, then the other side.
kill_mid() {
	local tool=$1 victim=$2 s c
	$tool -d "$RXE_DEV" -x "$gid" -F -s 65536 -D 60 > srv.log 2>&1 &
	s=$!
	sleep 2
	$tool -d "$RXE_DEV" -x "$gid" -F -s 65536 -D 60 127.0.0.1 > cli.log 2>&1 &
	c=$!
	wait_for 30 qps_at_least $((base_qp + 2)) ||
		{ rdma resource show qp; sed 's/^/# server: /' srv.log; sed 's/^/# client: /' cli.log
		  fail "$tool: the pair did not create its QPs"; }
	sleep 3
	if [ "$victim" = server ]; then kill -KILL "$s"; else kill -KILL "$c"; fi
	# the survivor must not hang for its whole duration
	local other=$c; [ "$victim" = server ] || other=$s
	if ! wait_for 60 gone "$other"; then
		note "$tool: the survivor of a SIGKILLed $victim is still running after 60 s; killing it"
		kill -KILL "$other" 2>/dev/null || true
	fi
	wait "$s" 2>/dev/null || true
	wait "$c" 2>/dev/null || true
	wait_for 30 back_to_base ||
		fail "$tool, $victim killed: objects left: qp $(count qp) mr $(count mr) cq $(count cq) pd $(count pd)"
	note "$tool, $victim SIGKILLed mid-transfer: all objects released"
}

kill_mid ib_write_bw client
kill_mid ib_write_bw server
kill_mid ib_read_bw server
kill_mid ib_read_bw client
kill_mid ib_send_bw client

# the device still carries traffic, data checked
run_pair 60 "ibv_rc_pingpong -d $RXE_DEV -g $gid -c -n 50" \
	"ibv_rc_pingpong -d $RXE_DEV -g $gid -c -n 50 127.0.0.1" ||
	fail "traffic after the kills failed"
note "after the kills: $(grep 'iters in' /tmp/pair.log.client)"

# everybody is gone: the device can be deleted and the module unloaded
rdma link delete "$RXE_DEV" || fail "rdma link delete failed"
rmmod rdma_rxe || fail "rmmod rdma_rxe failed after the last user left"
note "rdma_rxe unloaded after the last user left"
