#!/bin/bash
# rxe-test: setup=none timeout=3000 mem=3072
# Invalidations of ODP memory, ours vs the kernel's in-tree rdma_rxe where
# it has ODP (7.x), in one guest boot, stacks alternating
# (perf/src/odp_inval.c):
#   - bandwidth of RC RDMA WRITE 64 KiB into a 16 MiB explicit ODP MR
#     while another thread invalidates one page of it 0, 100, 1000 and
#     10000 times per second (mprotect flips and MADV_DONTNEED in turn),
#     one second of guest time each; the rate reached is printed;
#   - cost of one invalidation of 1, 512 and 262144 (1 GiB) mapped 4 KiB
#     pages: mprotect(PROT_READ) over an ODP MR the device has mapped,
#     and the same over plain memory (what the mm costs without us).
set -eu
. "$RXE_SRC/tests/lib/rxe.sh"

bench_build odp_inval

under_rate() {	# under_rate STACK REP RATE
	local out
	out=$(timeout "$BENCH_RUN_SECS" /tmp/odp_inval rate "$3" 1) ||
		{ note "$out"; bench_run_failed "$1" "odp_inval rate $3"; return 1; }
	note "$1 at $3 invalidations/s: $(echo $out)"
	note_counters "$1 counters so far" rcvd_rnr_err send_rnr_err retrans_timeout \
		odp_page_faults odp_fault_pages odp_faults_busy odp_invalidations odp_invalidated_pages
	bench_record "RDMA WRITE 64 KiB ODP under $3 invalidations/s" "$1" "$2" \
		"$(bench_val mibs "$out")" MiB/s
}

one_invalidation() {	# one_invalidation STACK REP PAGES
	local out what
	out=$(timeout "$BENCH_RUN_SECS" /tmp/odp_inval cost "$3" 3) ||
		{ note "$out"; bench_run_failed "$1" "odp_inval cost $3"; return 1; }
	note "$1, $3 pages: $(echo $out)"
	what="invalidate $3 mapped 4 KiB pages (mprotect)"
	bench_record "$what with ODP MR" "$1" "$2" \
		"$(bench_val with_mr_ns "$out" | awk '{printf "%.1f", $1 / 1000}')" us
	bench_record "$what no MR (mm alone)" "$1" "$2" \
		"$(bench_val no_mr_ns "$out" | awk '{printf "%.1f", $1 / 1000}')" us
}

round() {	# round STACK REP
	local r n
	use_odp_stack "$1" || return 1
	for r in 0 100 1000 10000; do
		under_rate "$1" "$2" $r || return 1
	done
	for n in 1 512 262144; do
		one_invalidation "$1" "$2" $n || return 1
	done
}

bench_alternate round
