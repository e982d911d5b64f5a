#!/bin/bash
# rxe-test: setup=rxe0 peer=ours timeout=600
# Our driver on both guests of one Ethernet segment: the path through the
# IP stack and a real (lossy under bursts) wire, which the loopback tests
# never take. RDMA READ/WRITE/SEND bandwidth and atomics via perftest (and
# SEND and READ over XRC when both ends use our provider),
# data-checked ibv_rc_pingpong, rping; afterwards the counters must show
# that any loss was recovered by our own retransmission logic.
set -eu
. "$RXE_SRC/tests/lib/rxe.sh"

peer=$(peer_ready) || fail "no peer guest: $peer"
case $peer in "ours "*) ;; *) fail "the peer runs '$peer', not our rdma_rxe" ;; esac
note "peer: $peer; here: $(provider_current) provider"
gid=$(rxe_gid_index "$RXE_DEV") || fail "no RoCE v2 GID"
here="-d $RXE_DEV -x $gid -F"
there='-d $RXE_DEV -x $(rxe_gid_index $RXE_DEV) -F'

for t in "ib_read_bw -s 65536 -n 200" "ib_write_bw -s 65536 -n 200" \
	 "ib_send_bw -s 65536 -n 200" "ib_atomic_bw -n 200"; do
	run_pair_on peer here 240 "${t%% *} $there ${t#* }" "${t%% *} $here ${t#* } $RXE_PEER_IP" ||
		fail "$t, our client against our server on the peer"
	note "$t: $(grep -E '^ *[0-9]+ +[0-9]+ ' /tmp/pair.log.client | tail -1)"
done
# XRC needs our provider at both ends (no distro librxe has it)
if [ "$(provider_current)" = ours ] && [ "${peer##*provider=}" = ours ]; then
	for t in "ib_send_bw -s 65536 -n 200" "ib_read_bw -s 65536 -n 200"; do
		run_pair_on peer here 240 "${t%% *} $there -c XRC ${t#* }" \
			"${t%% *} $here -c XRC ${t#* } $RXE_PEER_IP" ||
			fail "$t -c XRC, our client against our server on the peer"
		note "$t -c XRC: $(grep -E '^ *[0-9]+ +[0-9]+ ' /tmp/pair.log.client | tail -1)"
	done
else
	note "XRC: not run (the distro's provider at one end: $(provider_current) here, peer: $peer)"
fi
run_pair_on here peer 120 "ibv_rc_pingpong -d $RXE_DEV -g $gid -c -s 32768 -n 50" \
	"ibv_rc_pingpong -d \$RXE_DEV -g \$(rxe_gid_index \$RXE_DEV) -c -s 32768 -n 50 $RXE_IP" ||
	fail "ibv_rc_pingpong -c over the wire"
note "pingpong: $(grep 'iters in' /tmp/pair.log.client)"
run_pair_on peer here 240 'rping -s -a $RXE_IP -C 50 -V' "rping -c -a $RXE_PEER_IP -C 50 -V" ||
	fail "rping -V over the wire"
note "rping -C 50 -V (verified) passed"
note "our counters: $(rdma statistic show link "$RXE_DEV/1" | tr -s ' \n' ' ')"
