#!/bin/bash
# rxe-test: setup=rxe0 timeout=3000
# Implicit ODP against explicit ODP and pinned MRs, ours only (no stock
# driver has implicit ODP): RC RDMA WRITE of 64 KiB messages over a
# 64 MiB buffer (perf/src/odp_bw.c): time to register, bandwidth of the
# first pass (never-touched target: every page faulted) and of the next
# passes (steady state), RXE_T_BENCH_REPS repetitions, kinds alternating.
# Rows are recorded under the "ours" column; the report's ratio column
# stays empty, compare the rows.
set -eu
. "$RXE_SRC/tests/lib/rxe.sh"

reps=${RXE_T_BENCH_REPS:-5}
bin=/tmp/odp_bw
bench_build odp_bw
for rep in $(seq 1 "$reps"); do
	for kind in pinned explicit implicit; do
		out=$($bin $kind 65536 64 8) || fail "odp_bw $kind failed"
		note "$kind: $(echo $out)"
		bench_record "RDMA WRITE 64 KiB $kind MR steady" ours "$rep" \
			"$(echo "$out" | awk '/^steady_mibs/ {print $2}')" MiB/s
		bench_record "RDMA WRITE 64 KiB $kind MR first pass (faults)" ours "$rep" \
			"$(echo "$out" | awk '/^first_pass_mibs/ {print $2}')" MiB/s
		bench_record "register $kind MR (2 x 64 MiB or all)" ours "$rep" \
			"$(echo "$out" | awk '/^reg_ns/ {printf "%.1f", $2 / 1000}')" us
	done
done
