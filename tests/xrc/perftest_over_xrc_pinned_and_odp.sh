#!/bin/bash
# rxe-test: setup=rxe0 timeout=600 debug=off
# The distro's perftest over XRC (-c XRC: each side opens an XRC domain,
# sends through XRC_SEND QPs to the peer's XRC SRQs via XRC_RECV QPs)
# between two processes on our device: SEND, WRITE, READ and atomic
# bandwidth, over pinned and over ODP memory. Each run must finish with a
# result line; afterwards the device counts no retransmission, duplicate
# or sequence error (a loopback loses nothing).
set -eu
. "$RXE_SRC/tests/lib/rxe.sh"

[ "$(provider_current)" = ours ] ||
	skip "the distro's librxe has no XRC (RXE_PROVIDER=stock)"
ibv_devinfo -d "$RXE_DEV" -v | grep -q XRC || skip "$RXE_DEV does not report XRC"
gid=$(rxe_gid_index "$RXE_DEV") || fail "no RoCE v2 GID"
common="-d $RXE_DEV -x $gid -F -c XRC"
rm -f /tmp/xrc_domain_server /tmp/xrc_domain_client
# counter NAME - the device's counter now (the device may have served earlier tests)
counter() {
	rdma statistic show link "$RXE_DEV/1" | grep -oE "\b$1 [0-9]+" | awk '{print $2}'
}
declare -A before
for n in retrans_timeout duplicate_request out_of_seq_request rcvd_seq_err; do
	before[$n]=$(counter $n)
done

run() {	# run TOOL ARGS...
	local tool=$1 line; shift
	run_pair 120 "$tool $common $*" "$tool $common $* 127.0.0.1" || fail "$tool -c XRC $*"
	line=$(grep -E '^ *[0-9]+ +[0-9]+ ' /tmp/pair.log.client | tail -1)
	[ -n "$line" ] || { sed 's/^/# /' /tmp/pair.log; fail "$tool -c XRC $*: no result line"; }
	note "$tool -c XRC $*: $line"
}
for mem in "" --odp; do
	run ib_send_bw -s 65536 -n 200 $mem
	run ib_write_bw -s 65536 -n 200 $mem
	run ib_read_bw -s 65536 -n 200 $mem
	run ib_send_bw -s 4096 -n 500 -m 1024 $mem
	# older perftest (bookworm's) refuses atomics on ODP memory itself
	if [ -n "$mem" ] && strings "$(command -v ib_atomic_bw)" |
			grep -q "ODP does not support ATOMICS"; then
		note "ib_atomic_bw --odp: not run (this perftest refuses atomics on ODP)"
	else
		run ib_atomic_bw -n 500 $mem
	fi
done
run ib_send_lat -s 8 -n 200
note "counters: $(rdma statistic show link "$RXE_DEV/1" | tr -s ' \n' ' ')"
for n in retrans_timeout duplicate_request out_of_seq_request rcvd_seq_err; do
	v=$(($(counter $n) - ${before[$n]:-0}))
	[ "$v" -eq 0 ] || fail "$n went up by $v during loopback XRC traffic"
done
