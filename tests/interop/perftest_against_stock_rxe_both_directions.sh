#!/bin/bash
# rxe-test: setup=rxe0 peer=stock timeout=900
# Wire interop with the kernel's own rdma_rxe: our rxe0 and the peer
# guest's stock rxe0 on one Ethernet segment. perftest's RC write, read,
# send and atomic (compare&swap, fetch&add) bandwidth run with our device
# as server and as client: both sides must finish and report a result, so
# every header, ACK, READ response and AtomicAck we send is parsed by the
# stock driver and the other way round.
set -eu
. "$RXE_SRC/tests/lib/rxe.sh"

peer=$(peer_ready) || fail "no peer guest: $peer"
case $peer in "stock "*) ;; *) fail "the peer runs '$peer', not the in-tree rdma_rxe" ;; esac
note "peer: $peer; here: $(provider_current) provider"
gid=$(rxe_gid_index "$RXE_DEV") || fail "no RoCE v2 GID"
here="-d $RXE_DEV -x $gid -F"
there='-d $RXE_DEV -x $(rxe_gid_index $RXE_DEV) -F'

both_ways() {
	local tool=$1; shift
	local args=$* line
	run_pair_on here peer 180 "$tool $here $args" "$tool $there $args $RXE_IP" ||
		fail "$tool $args: ours serving, stock client"
	line=$(grep -E '^ *[0-9]+ +[0-9]+ ' /tmp/pair.log.client | tail -1)
	[ -n "$line" ] || { sed 's/^/# /' /tmp/pair.log; fail "$tool $args: no result (stock client)"; }
	note "$tool $args, stock -> ours: $line"
	run_pair_on peer here 180 "$tool $there $args" "$tool $here $args $RXE_PEER_IP" ||
		fail "$tool $args: stock serving, our client"
	line=$(grep -E '^ *[0-9]+ +[0-9]+ ' /tmp/pair.log.client | tail -1)
	[ -n "$line" ] || { sed 's/^/# /' /tmp/pair.log; fail "$tool $args: no result (our client)"; }
	note "$tool $args, ours -> stock: $line"
}

both_ways ib_write_bw -s 65536 -n 100
both_ways ib_read_bw -s 65536 -n 100
both_ways ib_send_bw -s 65536 -n 100
both_ways ib_write_bw -s 1 -n 200
both_ways ib_atomic_bw -n 200
both_ways ib_atomic_bw -n 200 -A FETCH_AND_ADD
