#!/bin/bash
# rxe-test: setup=none timeout=3000
# Our provider vs the distro's librxe, both on our driver, in one guest
# boot, alternating: ib_send_lat and ib_write_lat 64 B (t_typical, lower
# is better) and ib_write_bw 4 KiB. Here "stock" and "ours" name the
# provider, not the driver. The latency runs sleep on CQ events (-e): with
# one vCPU two busy-polling processes would measure the scheduler's time
# slice, not the verbs path.
set -eu
. "$RXE_SRC/tests/lib/rxe.sh"

reps=${RXE_T_BENCH_REPS:-5}

lat() {	# lat PROVIDER REP TOOL
	local gid t
	gid=$(rxe_gid_index "$RXE_DEV") || fail "no RoCE v2 GID"
	run_pair 600 "$3 -d $RXE_DEV -x $gid -F -e -s 64 -n 2000" \
		"$3 -d $RXE_DEV -x $gid -F -e -s 64 -n 2000 127.0.0.1" ||
		fail "$3 with the $1 provider"
	# columns: bytes iterations t_min t_max t_typical t_avg ...
	t=$(awk '$1 == 64 && NF >= 6 { print $5 }' /tmp/pair.log.client | tail -1)
	[ -n "$t" ] || fail "no result line from $3 with the $1 provider"
	bench_record "$3 RC 64 B provider" "$1" "$2" "$t" us
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

use_stack ours || fail "cannot bring up our stack"
for rep in $(seq 1 "$reps"); do
	for prov in stock ours; do
		provider_use "$prov" || fail "cannot switch to the $prov provider"
		lat "$prov" "$rep" ib_send_lat
		lat "$prov" "$rep" ib_write_lat
		bw "$prov" "$rep"
	done
done
provider_use "${RXE_PROVIDER:-ours}"
rxe_unload
