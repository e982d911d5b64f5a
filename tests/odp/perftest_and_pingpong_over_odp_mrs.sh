#!/bin/bash
# rxe-test: setup=rxe0 timeout=600 debug=off
# The distro's tools with ODP memory on our device: ib_write_bw,
# ib_read_bw, ib_send_bw with --odp (RC, 64 KiB), ibv_rc_pingpong -o with
# data checking, -O (implicit ODP: one MR for the whole address space),
# -o -P (prefetch with ibv_advise_mr: needs a provider that has it, ours
# or the distro's from rdma-core 57 on), ibv_srq_pingpong -o (4 QPs on one SRQ).
# Each must finish with a result, and the device's ODP counters must show
# the faults happened (pages faulted in, no fault errors).
set -eu
. "$RXE_SRC/tests/lib/rxe.sh"

gid=$(rxe_gid_index "$RXE_DEV") || fail "no RoCE v2 GID"
hw=/sys/class/infiniband/$RXE_DEV/ports/1/hw_counters
cnt() { cat "$hw/$1"; }
[ -e "$hw/odp_page_faults" ] || fail "no odp_page_faults counter"

# check_faults WHAT BEFORE - the run made pages present through faults
check_faults() {
	local now
	now=$(cnt odp_fault_pages)
	[ "$now" -gt "$2" ] || fail "$1: no page faulted in (odp_fault_pages $2 -> $now)"
	[ "$(cnt odp_fault_errors)" = 0 ] || fail "$1: $(cnt odp_fault_errors) fault errors"
	note "$1: $((now - $2)) pages faulted in"
}

common="-d $RXE_DEV -x $gid -F --odp"
for args in "ib_write_bw -s 65536 -n 200" "ib_read_bw -s 65536 -n 200" \
	    "ib_send_bw -s 65536 -n 200" "ib_write_bw -s 4096 -n 500 -m 1024"; do
	before=$(cnt odp_fault_pages)
	set -- $args
	tool=$1; shift
	run_pair 120 "$tool $common $*" "$tool $common $* 127.0.0.1" || fail "$args --odp"
	line=$(grep -E '^ *[0-9]+ +[0-9]+ ' /tmp/pair.log.client | tail -1)
	[ -n "$line" ] || { sed 's/^/# /' /tmp/pair.log; fail "$args --odp: no result line"; }
	note "$args --odp: $line"
	check_faults "$args --odp" "$before"
done

pp="ibv_rc_pingpong -d $RXE_DEV -g $gid -c"
for args in "-o -s 64 -n 100" "-o -s 65536 -m 4096 -n 20" "-o -s 4000 -m 1024 -n 50" \
	    "-O -s 65536 -m 4096 -n 20" "-O -s 100 -n 100"; do
	before=$(cnt odp_fault_pages)
	run_pair 60 "$pp $args" "$pp $args 127.0.0.1" || fail "ibv_rc_pingpong $args"
	grep -q "iters in" /tmp/pair.log.client || { sed "s/^/# /" /tmp/pair.log; fail "no result for $args"; }
	note "ibv_rc_pingpong -c $args: $(grep 'iters in' /tmp/pair.log.client)"
	check_faults "ibv_rc_pingpong $args" "$before"
done

# -P prefetches with ibv_advise_mr: the provider must implement it
if provider_has_advise_mr; then
	before=$(cnt odp_prefetch_pages)
	run_pair 60 "$pp -o -P -s 65536 -n 20" "$pp -o -P -s 65536 -n 20 127.0.0.1" ||
		fail "ibv_rc_pingpong -o -P"
	grep -q "iters in" /tmp/pair.log.client || fail "no result for -o -P"
	[ "$(cnt odp_prefetch_pages)" -gt "$before" ] || fail "-o -P: no page prefetched"
	note "ibv_rc_pingpong -o -P: $(grep 'iters in' /tmp/pair.log.client), $(( $(cnt odp_prefetch_pages) - before )) pages prefetched"
else
	note "not run: ibv_rc_pingpong -o -P (the distro's librxe has no ibv_advise_mr before rdma-core 57)"
fi
# receives through a shared receive queue in ODP memory
before=$(cnt odp_fault_pages)
sp="ibv_srq_pingpong -d $RXE_DEV -g $gid -o -q 4 -n 100 -s 4096"
run_pair 120 "$sp" "$sp 127.0.0.1" || fail "ibv_srq_pingpong -o"
grep -q "iters in" /tmp/pair.log.client || { sed "s/^/# /" /tmp/pair.log; fail "no result for ibv_srq_pingpong -o"; }
note "ibv_srq_pingpong -o -q 4: $(grep 'iters in' /tmp/pair.log.client)"
check_faults "ibv_srq_pingpong -o" "$before"
