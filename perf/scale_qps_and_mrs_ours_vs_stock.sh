#!/bin/bash
# rxe-test: setup=none timeout=3000
# Scale, ours vs the kernel's in-tree rdma_rxe, in one guest boot, the
# stacks alternating (perf/src/scale.c):
#   - RC RDMA WRITE 64 KiB bandwidth with 1, 8 and 64 QP pairs writing at
#     once (4 outstanding each, 64 MiB in all), pinned and ODP targets
#     (ODP where the stack reports RC ODP);
#   - 10 000 MRs of 4 KiB registered at once: time per registration and
#     per deregistration, kernel memory held (Slab + VmallocUsed), pinned
#     and ODP.
set -eu
. "$RXE_SRC/tests/lib/rxe.sh"

bench_build scale

qps() {	# qps STACK REP N pinned|ODP
	local out
	out=$(timeout "$BENCH_RUN_SECS" /tmp/scale qps "$3" "${4,,}") ||
		{ note "$out"; bench_run_failed "$1" "scale qps $3 $4"; return 1; }
	bench_record "RDMA WRITE 64 KiB $4 with $3 QPs" "$1" "$2" "$(bench_val mibs "$out")" MiB/s
}

mrs() {	# mrs STACK REP N pinned|ODP
	local out
	if ! out=$(/tmp/scale mrs "$3" "${4,,}"); then
		note "$1: $3 $4 MRs: $out"
		return 0
	fi
	note "$1, $3 $4 MRs: $(echo $out)"
	bench_record "register $3 $4 MRs of 4 KiB (per MR)" "$1" "$2" "$(bench_val reg_us_per_mr "$out")" us
	bench_record "deregister $3 $4 MRs of 4 KiB (per MR)" "$1" "$2" \
		"$(bench_val dereg_us_per_mr "$out")" us
	bench_record "$3 $4 MRs of 4 KiB (kernel memory)" "$1" "$2" "$(bench_val kmem_kb "$out")" kB
}

# Pinned and ODP bandwidth run back to back at each QP count, and all of
# it before the 10 000 MRs: indices are allocated cyclically, so after
# that churn a new MR sits deeper in the device's xarray and every packet's
# key lookup costs more (~1% on sid), which would weigh on whichever
# memory kind came after it.
round() {	# round STACK REP
	local mem mems=pinned n
	use_stack "$1" || fail "cannot bring up the $1 stack"
	stack_has_odp && mems="pinned ODP"
	for n in 1 8 64; do
		for mem in $mems; do
			qps "$1" "$2" $n $mem || return 1
		done
	done
	for mem in $mems; do
		mrs "$1" "$2" 10000 $mem
	done
}

bench_alternate round
rxe_unload
