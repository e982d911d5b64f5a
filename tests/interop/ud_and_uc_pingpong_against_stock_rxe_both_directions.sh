#!/bin/bash
# rxe-test: setup=rxe0 peer=stock timeout=600
# Wire interop with the kernel's own rdma_rxe over the unreliable
# transports: ibv_ud_pingpong and ibv_uc_pingpong (data checked with -c
# where the tool has it, UC messages of several packets), with our device
# as server and as client. (Not ib_send_bw: over the wire an unreliable
# sender outruns the receiver's reposting, datagrams are lost as UD and UC
# allow, and perftest then waits forever for its count.)
set -eu
. "$RXE_SRC/tests/lib/rxe.sh"

peer=$(peer_ready) || fail "no peer guest: $peer"
case $peer in "stock "*) ;; *) fail "the peer runs '$peer', not the in-tree rdma_rxe" ;; esac
gid=$(rxe_gid_index "$RXE_DEV") || fail "no RoCE v2 GID"
chk=
ibv_ud_pingpong --help 2>&1 | grep -q -- '--chk' && chk=-c

both_ways() {	# both_ways WHAT RESULT_RE 'TOOL ARGS' (run with -d/-g or -x added)
	local what=$1 re=$2 cmd=$3 gopt=$4 here there
	here="$cmd -d $RXE_DEV $gopt $gid"
	there="$cmd -d \$RXE_DEV $gopt \$(rxe_gid_index \$RXE_DEV)"
	run_pair_on here peer 150 "$here" "$there $RXE_IP" || fail "$what: ours serving, stock client"
	grep -qE "$re" /tmp/pair.log.client || fail "$what: no result (ours serving)"
	run_pair_on peer here 150 "$there" "$here $RXE_PEER_IP" || fail "$what: stock serving, ours client"
	grep -qE "$re" /tmp/pair.log.client || fail "$what: no result (ours client)"
	note "$what: both directions"
}

both_ways "ibv_ud_pingpong${chk:+ (data checked)}" "iters in" "ibv_ud_pingpong $chk -s 1024 -n 200" -g
both_ways "ibv_uc_pingpong${chk:+ (data checked)}" "iters in" "ibv_uc_pingpong $chk -s 4096 -n 200" -g
both_ways "ibv_uc_pingpong, 1 byte" "iters in" "ibv_uc_pingpong $chk -s 1 -n 200" -g
