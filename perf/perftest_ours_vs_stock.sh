#!/bin/bash
# rxe-test: setup=none timeout=7200
# perftest between two QPs of one device (loopback through each driver's
# own send and receive paths), ours vs the kernel's in-tree rdma_rxe, in
# one guest boot, the stacks alternating, RXE_T_BENCH_REPS repetitions:
#   - ib_write_bw, ib_read_bw, ib_send_bw RC at 4 KiB, 64 KiB and 1 MiB;
#   - latency at 8 B and 4 KiB: ib_send_lat -e (t_typical) and RDMA WRITE
#     completion latency in one process (perf/src/write_lat.c: with one
#     vCPU, ib_write_lat's two busy-polling processes measure the
#     scheduler tick, see provider_lat_bw_stock_vs_ours.sh);
# each over pinned memory and over ODP memory (perftest --odp; write_lat
# odp), ODP only where the stack reports RC ODP (the stock drivers before
# 7.x report none). In the deterministic clock mode a figure is
# instruction cost: MiB/s or microseconds of guest time. Row names are
# "TOOL SIZE MEMORY" (make bench plots bandwidth against size from them).
set -eu
. "$RXE_SRC/tests/lib/rxe.sh"

bench_build write_lat

human() {	# human BYTES
	if [ "$1" -ge 1048576 ]; then echo "$(($1 / 1048576)) MiB"
	elif [ "$1" -ge 1024 ]; then echo "$(($1 / 1024)) KiB"
	else echo "$1 B"; fi
}

# run_tool TOOL SIZE ITERS [OPTS] - one server/client pair on loopback;
# the client's output is left in /tmp/pair.log.client
run_tool() {
	local gid
	gid=$(rxe_gid_index "$RXE_DEV") || fail "no RoCE v2 GID"
	run_pair "$BENCH_RUN_SECS" "$1 -d $RXE_DEV -x $gid -F -s $2 -n $3 ${4:-}" \
		"$1 -d $RXE_DEV -x $gid -F -s $2 -n $3 ${4:-} 127.0.0.1"
}

perftest() {	# perftest STACK REP TOOL SIZE ITERS pinned|ODP
	local stack=$1 rep=$2 tool=$3 size=$4 iters=$5 mem=$6 opt="" v col=4 unit=MiB/s
	[ "$mem" = pinned ] || opt=--odp
	case $tool in *_lat) opt="$opt -e"; col=5; unit=us ;; esac
	run_tool "$tool" "$size" "$iters" "$opt" ||
		{ bench_run_failed "$stack" "$tool -s $size $opt"; return 1; }
	# bw columns: bytes iterations peak average msg-rate;
	# lat columns: bytes iterations t_min t_max t_typical ...
	v=$(awk -v s="$size" -v c=$col '$1 == s && NF >= c { print $c }' /tmp/pair.log.client | tail -1)
	[ -n "$v" ] || fail "no result line from $tool -s $size $opt on $stack"
	bench_record "$tool $(human "$size") $mem" "$stack" "$rep" "$v" $unit
}

# warmup TOOL SIZE ITERS - one unrecorded run on pinned memory: the first
# run at a new size pays for caches growing (slab, page lists), and the
# deterministic clock counts it, 2-4% of a 64 KiB ib_read_bw on trixie.
warmup() {
	run_tool "$@" > /dev/null || true
}

write_lat() {	# write_lat STACK REP SIZE pinned|ODP
	local v
	v=$(timeout "$BENCH_RUN_SECS" /tmp/write_lat "$3" 2000 \
		"$([ "$4" = ODP ] && echo odp || echo pinned)" | awk '$1 == "median_us" { print $2 }')
	[ -n "$v" ] || { bench_run_failed "$1" "write_lat $3 $4"; return 1; }
	bench_record "write_lat $(human "$3") $4" "$1" "$2" "$v" us
}

# Each pinned row runs next to its ODP row, in the same state of the
# device: every run registers MRs and creates QPs, and the indices, given
# out cyclically, grow through a round, so that a later run's key and QPN
# lookups walk a deeper xarray (see the scale benchmark). A bandwidth
# pair follows a warm-up run of its tool and size, and which of the two
# goes first alternates from one repetition to the next: a run's figure
# also moves by 2-4% with the run before it (perf/README.md).
round() {	# round STACK REP
	local mem mems=pinned tool size
	use_stack "$1" || fail "cannot bring up the $1 stack"
	if stack_has_odp; then
		mems="pinned ODP"
		[ $(($2 % 2)) = 1 ] || mems="ODP pinned"
	fi
	# 300 MiB at 1 MiB: trixie's ib_read_bw 1 MiB spread by 3.2% over
	# three repetitions of 100, by 0.5% (pinned) and 1.3% (ODP) of 300
	for tool in ib_write_bw ib_read_bw ib_send_bw; do
		for size in "4096 4000" "65536 1000" "1048576 300"; do
			warmup $tool $size
			for mem in $mems; do
				perftest "$1" "$2" $tool $size $mem || return 1
			done
		done
	done
	for size in 8 4096; do
		for mem in $mems; do
			perftest "$1" "$2" ib_send_lat $size 2000 $mem || return 1
		done
	done
	for size in 8 4096; do
		for mem in $mems; do
			write_lat "$1" "$2" $size $mem || return 1
		done
	done
	# a retransmission timeout or RNR wait costs a whole timer period: say so
	note_counters "$1 counters" retrans_timeout rcvd_seq_err duplicate_request \
		out_of_seq_request rcvd_rnr_err odp_page_faults
}

bench_alternate round
rxe_unload
