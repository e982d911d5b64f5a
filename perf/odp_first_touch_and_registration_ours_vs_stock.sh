#!/bin/bash
# rxe-test: setup=none timeout=3000
# ODP first touch and registration, ours vs the kernel's in-tree rdma_rxe
# where it has ODP (7.x; older stock drivers report none and are left
# out), in one guest boot, stacks alternating:
#   - first touch (perf/src/odp_first_touch.c): RDMA WRITE over 64 MiB of
#     never-touched memory of an explicit ODP MR, cost per 4 KiB page and
#     per 2 MiB block, over 4 KiB pages and over transparent huge pages,
#     without and with a synchronous ibv_advise_mr(PREFETCH_WRITE) first;
#   - registration (perf/src/odp_reg.c): time and kernel memory (Slab +
#     VmallocUsed) of an explicit ODP MR of 1 GiB, 64 GiB and 1 TiB over
#     untouched memory. A size the stack refuses gets no row; the refusal
#     is printed in the log.
set -eu
. "$RXE_SRC/tests/lib/rxe.sh"

bench_build odp_first_touch odp_reg

first_touch() {	# first_touch STACK REP 4k|thp none|prefetch
	local stack=$1 rep=$2 pages=$3 pf=$4 out unit what
	out=$(timeout "$BENCH_RUN_SECS" /tmp/odp_first_touch "$pages" "$pf" 64) ||
		{ note "$out"; bench_run_failed "$stack" "odp_first_touch $pages $pf"; return 1; }
	note "$stack first touch $pages $pf: $(echo $out)"
	if [ "$pages" = thp ]; then
		unit=2m what="THP (per 2 MiB)"
		[ "$pf" = none ] && bench_record "ODP THP backing after first touch" "$stack" \
			"$rep" "$(bench_val thp_percent "$out")" %
	else
		unit=4k what="4 KiB pages (per 4 KiB)"
	fi
	if [ "$pf" = prefetch ]; then
		bench_record "ODP sync prefetch then first pass $what" "$stack" "$rep" \
			"$(bench_val prefetch_and_first_ns_per_$unit "$out")" ns
	else
		bench_record "ODP first touch $what" "$stack" "$rep" \
			"$(bench_val first_touch_ns_per_$unit "$out")" ns
	fi
}

registration() {	# registration STACK REP GIB
	local stack=$1 rep=$2 gib=$3 out label
	label="register explicit ODP MR $([ "$gib" -ge 1024 ] && echo "$((gib / 1024)) TiB" || echo "$gib GiB")"
	if ! out=$(/tmp/odp_reg "$gib"); then
		note "$stack: $label: $out"
		return 0
	fi
	bench_record "$label (time)" "$stack" "$rep" "$(bench_val reg_ns "$out" | awk '{printf "%.1f", $1 / 1000}')" us
	bench_record "$label (kernel memory)" "$stack" "$rep" "$(bench_val kmem_kb "$out")" kB
}

round() {	# round STACK REP
	local pages pf gib
	use_odp_stack "$1" || return 1
	for pages in 4k thp; do
		for pf in none prefetch; do
			first_touch "$1" "$2" "$pages" "$pf" || return 1
		done
	done
	for gib in 1 64 1024; do
		registration "$1" "$2" "$gib"
	done
}

echo always > /sys/kernel/mm/transparent_hugepage/defrag 2>/dev/null || true
bench_alternate round
