#!/bin/bash
# rxe-test: setup=none timeout=3000
# RC RDMA WRITE bandwidth, ours vs the kernel's in-tree rdma_rxe, in one
# guest boot: perftest's ib_write_bw between two QPs of one device
# (loopback through the driver's own send and receive paths), 64 KiB and
# 4 KiB messages, the stacks alternating, RXE_T_BENCH_REPS repetitions
# (default 5). Pinned memory. In the deterministic clock mode a result is
# instruction cost: MiB/s of guest time.
set -eu
. "$RXE_SRC/tests/lib/rxe.sh"

reps=${RXE_T_BENCH_REPS:-5}
[ -e "$(ls /lib/modules/"$(uname -r)"/kernel/drivers/infiniband/sw/rxe/rdma_rxe.ko* 2>/dev/null | head -1)" ] ||
	skip "this kernel has no in-tree rdma_rxe"

one() {
	local stack=$1 rep=$2 size=$3 iters=$4 gid bw
	use_stack "$stack" || fail "cannot bring up the $stack stack"
	gid=$(rxe_gid_index "$RXE_DEV") || fail "no RoCE v2 GID"
	run_pair 600 "ib_write_bw -d $RXE_DEV -x $gid -F -s $size -n $iters" \
		"ib_write_bw -d $RXE_DEV -x $gid -F -s $size -n $iters 127.0.0.1" ||
		fail "ib_write_bw -s $size on $stack"
	# columns: bytes iterations peak average msg-rate
	bw=$(awk -v s="$size" '$1 == s && NF >= 4 { print $4 }' /tmp/pair.log.client | tail -1)
	[ -n "$bw" ] || fail "no result line from ib_write_bw on $stack"
	bench_record "ib_write_bw RC $((size / 1024)) KiB" "$stack" "$rep" "$bw" MiB/s
	# a retransmission timeout costs a whole timer period: say so
	note "$stack counters: $(rdma statistic show link "$RXE_DEV/1" 2>/dev/null |
		grep -oE '(retrans_timeout|completer_retry_err|rcvd_seq_err|duplicate_request|out_of_seq_request) [0-9]+' | tr '\n' ' ')"
	grep -E '^ *[0-9]+ +[0-9]+ ' /tmp/pair.log.client | sed 's/^/# client: /'
}

for rep in $(seq 1 "$reps"); do
	for stack in stock ours; do
		one "$stack" "$rep" 65536 1000
		one "$stack" "$rep" 4096 4000
	done
done
rxe_unload
