#!/bin/bash
# rxe-test: setup=none timeout=3000
# Our provider vs the distro's librxe, both on our driver, in one guest
# boot, alternating: ib_send_lat 64 B (t_typical, lower is better), RDMA
# WRITE completion latency 64 B, and ib_write_bw 4 KiB. Here "stock" and
# "ours" name the provider, not the driver. With one vCPU two busy-polling
# processes mostly measure the scheduler: ib_send_lat sleeps on CQ events
# (-e), and ib_write_lat, which has no event mode (its receiver polls
# memory) and reads one scheduler tick (4 ms) per round trip, is replaced
# by perf/src/write_lat.c: one process posts a signaled WRITE and polls for
# its completion (median of 2000).
set -eu
. "$RXE_SRC/tests/lib/rxe.sh"

reps=${RXE_T_BENCH_REPS:-5}

lat() {	# lat PROVIDER REP TOOL FLAGS
	local gid t
	gid=$(rxe_gid_index "$RXE_DEV") || fail "no RoCE v2 GID"
	run_pair 600 "$3 -d $RXE_DEV -x $gid -F $4 -s 64 -n 2000" \
		"$3 -d $RXE_DEV -x $gid -F $4 -s 64 -n 2000 127.0.0.1" ||
		fail "$3 with the $1 provider"
	# columns: bytes iterations t_min t_max t_typical t_avg ...
	t=$(awk '$1 == 64 && NF >= 6 { print $5 }' /tmp/pair.log.client | tail -1)
	[ -n "$t" ] || fail "no result line from $3 with the $1 provider"
	bench_record "$3 RC 64 B provider" "$1" "$2" "$t" us
}

wlat() {	# wlat PROVIDER REP
	local t
	t=$(/tmp/write_lat 64 2000 | awk '$1 == "median_us" { print $2 }') ||
		fail "write_lat with the $1 provider"
	[ -n "$t" ] || fail "no result from write_lat with the $1 provider"
	bench_record "RDMA WRITE completion latency RC 64 B provider" "$1" "$2" "$t" us
}

bw() {	# bw PROVIDER REP
	local gid v
	gid=$(rxe_gid_index "$RXE_DEV") || fail "no RoCE v2 GID"
	run_pair 600 "ib_write_bw -d $RXE_DEV -x $gid -F -s 4096 -n 4000" \
		"ib_write_bw -d $RXE_DEV -x $gid -F -s 4096 -n 4000 127.0.0.1" ||
		fail "ib_write_bw with the $1 provider"
	v=$(awk '$1 == 4096 && NF >= 4 { print $4 }' /tmp/pair.log.client | tail -1)
	[ -n "$v" ] || fail "no result line from ib_write_bw with the $1 provider"
	bench_record "ib_write_bw RC 4 KiB provider" "$1" "$2" "$v" MiB/s
}

bench_build write_lat
use_stack ours || fail "cannot bring up our stack"
for rep in $(seq 1 "$reps"); do
	for prov in stock ours; do
		provider_use "$prov" || fail "cannot switch to the $prov provider"
		lat "$prov" "$rep" ib_send_lat -e
		wlat "$prov" "$rep"
		bw "$prov" "$rep"
	done
done
provider_use "${RXE_PROVIDER:-ours}"
rxe_unload
