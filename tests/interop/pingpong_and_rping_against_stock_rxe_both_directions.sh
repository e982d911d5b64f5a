#!/bin/bash
# rxe-test: setup=rxe0 peer=stock timeout=600
# Wire interop with the kernel's own rdma_rxe (peer guest, same segment):
# ibv_rc_pingpong with data checking (-c) and rping (RDMA CM over QP1
# MADs, then SEND / RDMA READ / RDMA WRITE, 100 verified rounds), with our
# device as server and as client; pingpong over IPv4 and IPv6 GIDs.
set -eu
. "$RXE_SRC/tests/lib/rxe.sh"

peer=$(peer_ready) || fail "no peer guest: $peer"
case $peer in "stock "*) ;; *) fail "the peer runs '$peer', not the in-tree rdma_rxe" ;; esac
note "peer: $peer; here: $(provider_current) provider"

# pingpong_both_ways GID_FN ARGS - ibv_rc_pingpong -c ARGS with each side
# on the GID that GID_FN (rxe_gid_index or rxe_gid6_index) picks there,
# our device serving, then the stock one.
pingpong_both_ways() {
	local gidfn=$1 args=$2 gid here there
	gid=$($gidfn "$RXE_DEV") || fail "no RoCE v2 GID from $gidfn"
	here="ibv_rc_pingpong -d $RXE_DEV -g $gid -c $args"
	there="ibv_rc_pingpong -d \$RXE_DEV -g \$($gidfn \$RXE_DEV) -c $args"
	run_pair_on here peer 120 "$here" "$there $RXE_IP" ||
		fail "ibv_rc_pingpong -c $args ($gidfn): ours serving, stock client"
	note "pingpong $args ($gidfn), stock client: $(grep 'iters in' /tmp/pair.log.client)"
	run_pair_on peer here 120 "$there" "$here $RXE_PEER_IP" ||
		fail "ibv_rc_pingpong -c $args ($gidfn): stock serving, our client"
	note "pingpong $args ($gidfn), our client: $(grep 'iters in' /tmp/pair.log.client)"
}

for args in "-s 64 -n 100" "-s 65536 -n 20" "-s 4000 -m 256 -n 20"; do
	pingpong_both_ways rxe_gid_index "$args"
done
# the same over the IPv6 link-local GIDs (RoCEv2 in IPv6/UDP)
pingpong_both_ways rxe_gid6_index "-s 8192 -n 20"

command -v rping >/dev/null || skip "rping not installed (rdmacm-utils)"
pings() {
	local n
	n=$(grep -c "ping data: rdma-ping-" /tmp/pair.log.client || true)
	[ "$n" = 100 ] || { sed 's/^/# /' /tmp/pair.log | tail -20; fail "rping $1: client showed $n of 100 pings"; }
	note "rping $1: 100 pings"
}
run_pair_on here peer 240 "rping -s -a $RXE_IP -C 100 -v" "rping -c -a $RXE_IP -C 100 -v" ||
	fail "rping: ours serving, stock client"
pings "stock -> ours"
run_pair_on peer here 240 'rping -s -a $RXE_IP -C 100 -v' "rping -c -a $RXE_PEER_IP -C 100 -v" ||
	fail "rping: stock serving, our client"
pings "ours -> stock"
