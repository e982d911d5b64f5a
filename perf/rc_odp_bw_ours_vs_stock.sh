#!/bin/bash
# rxe-test: setup=none timeout=3000
# RC bandwidth over ODP memory (perftest --odp), ours vs the kernel's
# in-tree rdma_rxe where it has ODP (7.x; older stock drivers report no
# ODP caps and are left out), in one guest boot, stacks alternating:
# ib_write_bw and ib_read_bw 64 KiB. Our pinned ib_write_bw 64 KiB runs
# in the same rounds, so "ODP steady state vs pinned" is read from one
# boot. Each perftest run registers fresh buffers: the first iterations
# fault them in, the rest is steady state.
set -eu
. "$RXE_SRC/tests/lib/rxe.sh"

reps=${RXE_T_BENCH_REPS:-5}
stock_ko=$(ls /lib/modules/"$(uname -r)"/kernel/drivers/infiniband/sw/rxe/rdma_rxe.ko* 2>/dev/null | head -1)

one() {	# one STACK REP TOOL ODP(--odp or "") LABEL
	local stack=$1 rep=$2 tool=$3 odp=$4 label=$5 gid bw
	gid=$(rxe_gid_index "$RXE_DEV") || fail "no RoCE v2 GID"
	run_pair 600 "$tool -d $RXE_DEV -x $gid -F -s 65536 -n 1000 $odp" \
		"$tool -d $RXE_DEV -x $gid -F -s 65536 -n 1000 $odp 127.0.0.1" ||
		fail "$tool $odp on $stack"
	bw=$(awk '$1 == 65536 && NF >= 4 { print $4 }' /tmp/pair.log.client | tail -1)
	[ -n "$bw" ] || fail "no result line from $tool on $stack"
	bench_record "$label" "$stack" "$rep" "$bw" MiB/s
	[ "$stack" = stock ] ||
		note "ours ODP counters so far: $(rdma statistic show link "$RXE_DEV/1" 2>/dev/null |
			grep -oE 'odp_[a-z_]+ [0-9]+' | tr '\n' ' ')"
}

stock_odp=no
if [ -n "$stock_ko" ]; then
	use_stack stock || fail "cannot bring up the stock stack"
	stack_has_odp && stock_odp=yes
fi
note "stock rdma_rxe with ODP: $stock_odp"
for rep in $(seq 1 "$reps"); do
	for stack in stock ours; do
		[ $stack = ours ] || [ $stock_odp = yes ] || continue
		use_stack "$stack" || fail "cannot bring up the $stack stack"
		one "$stack" "$rep" ib_write_bw --odp "ib_write_bw RC 64 KiB ODP"
		one "$stack" "$rep" ib_read_bw --odp "ib_read_bw RC 64 KiB ODP"
		one "$stack" "$rep" ib_write_bw "" "ib_write_bw RC 64 KiB pinned"
	done
done
rxe_unload
