#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# rxe-test: setup=rxe0 timeout=86400 mem=1536 smp=2 swap=512 numa=2 manual=yes
#
# The soak (make soak): for $RXE_T_SOAK_SECS seconds (600), cycles of
#   - $RXE_T_SOAK_PROCS worker processes (4) of $RXE_T_SOAK_QPS RC pairs
#     (4) and a UD pair each, every operation verified, all buffers in
#     ODP MRs under an invalidation storm (soak_worker.c);
#   - random SIGKILLs of workers, each replaced at once;
#   - then, idle: every resource of the killed and finished workers gone
#     (rdma resource counts back to where they started), and in turn a
#     netdev down/up, an rdma link delete/add, or our modules unloaded
#     and loaded again.
# It ends with zero mismatches, zero failed completions and (the
# harness's part) a clean kernel log. The seed ($RXE_T_SOAK_SEED, else
# the time) is printed first; a failure is replayed with it.
. "$RXE_SRC/tests/lib/rxe.sh"

secs=${RXE_T_SOAK_SECS:-600}
procs=${RXE_T_SOAK_PROCS:-4}
qps=${RXE_T_SOAK_QPS:-4}
seed=${RXE_T_SOAK_SEED:-$(date +%s)}
worker=$RXE_BUILD/tests/reliability/soak_worker
echo "soak: seed $seed, $secs s, $procs processes x $qps RC pairs + 1 UD pair"
RANDOM=$seed

cycle=$(( secs / 4 )); [ $cycle -gt 180 ] && cycle=180; [ $cycle -lt 20 ] && cycle=20
end=$(( $(date +%s) + secs ))
ops=0 mism=0 errs=0 kills=0 cycles=0 flaps=0 relinks=0 reloads=0 storm=0
# invalidations: the device's counter, summed over the devices the
# idle steps re-create
inv_now() { cat "/sys/class/infiniband/$RXE_DEV/ports/1/hw_counters/odp_invalidations"; }
inv0=$(inv_now) inv_total=0
inv_bank() { inv_total=$(( inv_total + $(inv_now) - inv0 )); inv0=0; }

# resources - our device's rdma resource counts (pd, cq, qp, mr, ...)
resources() { rdma resource show "$RXE_DEV" 2>/dev/null | sed 's/^[0-9]*: *[^ ]* *//'; }
base=$(resources)

# collect OUTPUT - add a finished worker's figures to the totals.
collect() {
	local line
	line=$(grep '^soak-worker ' "$1") || { cat "$1"; fail "a worker ended without its figures"; }
	set -- $(echo "$line" | sed 's/[a-z-]*=/ /g; s|/| |g')
	ops=$(( ops + $2 )) mism=$(( mism + $3 )) errs=$(( errs + $4 ))
	storm=$(( storm + $5 + $6 + $7 + $8 ))
}

start_worker() {	# SLOT SECONDS
	"$worker" "$2" "$qps" $(( seed + cycles * 100 + $1 + kills * 7 )) > "/tmp/soak.$1" 2>&1 &
	pid[$1]=$!
}

idle_step() {
	local i=$(( cycles % 3 ))
	wait_for 30 test "$(resources)" = "$base" ||
		fail "cycle $cycles: resources left after the workers: '$(resources)' (started with '$base')"
	case $i in
	0)	ip link set "$RXE_NETDEV" down && sleep 1 && ip link set "$RXE_NETDEV" up ||
			fail "netdev down/up"
		flaps=$(( flaps + 1 )) ;;
	1)	inv_bank
		rdma link delete "$RXE_DEV" && rxe_add "$RXE_DEV" "$RXE_NETDEV" ||
			fail "rdma link delete/add"
		relinks=$(( relinks + 1 )) ;;
	2)	inv_bank
		rxe_unload || fail "cycle $cycles: unloading our modules"
		rxe_load && rxe_add "$RXE_DEV" "$RXE_NETDEV" || fail "cycle $cycles: reloading our modules"
		reloads=$(( reloads + 1 )) ;;
	esac
	wait_for 30 test "$(port_state "$RXE_DEV")" = ACTIVE || fail "$RXE_DEV not ACTIVE after the idle step"
}

while [ "$(date +%s)" -lt "$end" ]; do
	left=$(( end - $(date +%s) )); len=$(( left < cycle ? left : cycle ))
	[ $len -lt 5 ] && break
	cend=$(( $(date +%s) + len ))
	for s in $(seq 1 "$procs"); do start_worker "$s" "$len"; done
	# random SIGKILLs while the cycle runs; a killed worker is replaced
	while [ "$(date +%s)" -lt $(( cend - 5 )) ]; do
		sleep $(( 3 + RANDOM % 10 ))
		s=$(( 1 + RANDOM % procs ))
		left=$(( cend - $(date +%s) ))
		if [ $left -gt 3 ] && kill -0 "${pid[$s]}" 2>/dev/null; then
			kill -KILL "${pid[$s]}"; wait "${pid[$s]}" 2>/dev/null
			kills=$(( kills + 1 ))
			start_worker "$s" "$left"
		fi
	done
	for s in $(seq 1 "$procs"); do
		wait "${pid[$s]}"; rc=$?
		collect "/tmp/soak.$s"
		[ $rc = 0 ] || { cat "/tmp/soak.$s"; fail "cycle $cycles: worker $s exited $rc"; }
	done
	cycles=$(( cycles + 1 ))
	idle_step
done
inv_bank

echo "soak: $secs s, seed $seed: $cycles cycles, $ops verified operations, $mism mismatches," \
	"$errs failed completions; $storm storm operations, $inv_total ODP invalidations;" \
	"$kills workers SIGKILLed; $flaps netdev down/up, $relinks link delete/add, $reloads module reloads"
[ $mism = 0 ] || fail "$mism mismatches"
[ $errs = 0 ] || fail "$errs failed completions"
[ $cycles -gt 0 ] || fail "no cycle ran"
