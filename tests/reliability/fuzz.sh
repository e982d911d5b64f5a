#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# rxe-test: setup=rxe0 timeout=86400 mem=1536 manual=yes inject=alloc
#
# The fuzzer (make fuzz): for $RXE_T_FUZZ_SECS seconds (600), rounds of
# fuzz_worker (random verbs calls and raw uverbs commands, 2000 a round)
# on a device of its own, rxefz on one end of a veth pair, while
# roce_fuzz.py sends random RoCEv2 packets into the other end at the
# device's live QPs and MRs. Everything derives from one seed
# ($RXE_T_FUZZ_SEED, else the time), printed first; round K runs with
# seed SEED*1000+K and replays alone with
#   fuzz_worker SEED*1000+K 2000
# After every round the kernel log is checked: a report fails the run
# with the round's seed. A worker must exit 0 (every failed call gave a
# known errno) within its time. inject=alloc: huge lengths make the
# kernel refuse allocations, which it may print; that is not a report.
. "$RXE_SRC/tests/lib/rxe.sh"

secs=${RXE_T_FUZZ_SECS:-600}
seed=${RXE_T_FUZZ_SEED:-$(date +%s)}
ops=${RXE_T_FUZZ_OPS:-2000}
worker=$RXE_BUILD/tests/reliability/fuzz_worker
echo "fuzz: seed $seed, $secs s, $ops calls a round (replay: make fuzz SEED=$seed)"

# the same patterns as the runner's (tools/vm.py KERNEL_REPORT), bar
# allocation failures (see above)
report='WARNING:|BUG:|Oops|general protection fault|KASAN|UBSAN|refcount_t:|list_add corruption|list_del corruption|possible circular locking|possible recursive locking|inconsistent lock state|lockdep|soft lockup|hard LOCKUP|blocked for more than|detected stall|kernel BUG|Kernel panic'

ip link add vfz0 type veth peer name vfz1 || fail "cannot create the veth pair"
ip link set vfz0 up && ip link set vfz1 up && ip addr add 10.77.0.1/24 dev vfz1 ||
	fail "cannot set up the veth pair"
rxe_add rxefz vfz1 || fail "cannot add rxefz on vfz1"
wait_for 20 test "$(port_state rxefz)" = ACTIVE || fail "rxefz not ACTIVE"
cleanup() {
	[ -n "${pkt:-}" ] && kill "$pkt" 2>/dev/null
	rdma link delete rxefz 2>/dev/null
	ip link delete vfz0 2>/dev/null
}
trap cleanup EXIT

python3 "$RXE_SRC/tests/lib/roce_fuzz.py" --iface vfz0 --dst-mac "$(cat /sys/class/net/vfz1/address)" \
	--src 10.77.0.2 --dst 10.77.0.1 --dev rxefz --seed "$seed" --secs "$secs" > /tmp/fuzz.pkt 2>&1 &
pkt=$!

cnt() { cat "/sys/class/infiniband/rxefz/ports/1/hw_counters/$1" 2>/dev/null || echo 0; }
end=$(( $(date +%s) + secs ))
round=0 calls=0 okc=0 failc=0
while [ "$(date +%s)" -lt "$end" ]; do
	rs=$(( seed * 1000 + round ))
	RXE_DEV=rxefz timeout -k 5 300 "$worker" "$rs" "$ops" > /tmp/fuzz.round 2>&1
	rc=$?
	if dmesg | grep -Eq "$report"; then
		dmesg | grep -E -B2 -A20 "$report" | head -40
		fail "kernel report in round $round (fuzz_worker $rs $ops; run seed $seed)"
	fi
	case $rc in
	0) ;;
	124|137) tail -5 /tmp/fuzz.round; fail "round $round hung (fuzz_worker $rs $ops; run seed $seed)" ;;
	*) grep "^# odd" /tmp/fuzz.round | sort | uniq -c | sort -rn | head -20
	   grep -A40 "^fuzz-worker: signal" /tmp/fuzz.round; tail -2 /tmp/fuzz.round
	   fail "round $round: worker exit $rc (fuzz_worker $rs $ops; run seed $seed)" ;;
	esac
	set -- $(sed -n 's/^fuzz-worker seed=[0-9]* ops=\([0-9]*\) ok=\([0-9]*\) failed=\([0-9]*\).*/\1 \2 \3/p' /tmp/fuzz.round)
	calls=$(( calls + $1 )) okc=$(( okc + $2 )) failc=$(( failc + $3 ))
	round=$(( round + 1 ))
done
# the packet fuzzer ends on its own, about now
wait_for 30 sh -c "! kill -0 $pkt" || kill "$pkt" 2>/dev/null
wait "$pkt" 2>/dev/null
pkt=
sent=$(sed -n 's/^sent //p' /tmp/fuzz.pkt)
[ -n "$sent" ] && [ "$sent" -gt 0 ] || { cat /tmp/fuzz.pkt; fail "the packet fuzzer sent nothing"; }
echo "fuzz: $secs s, seed $seed: $round rounds, $calls verbs calls ($okc succeeded, $failc" \
	"refused with an errno); $sent random packets sent; the device counted (its own" \
	"traffic too) $(cnt rcvd_pkts) packets received, $(cnt rcvd_icrc_err) ICRC errors," \
	"$(cnt rcvd_bad_header) bad headers, $(cnt rcvd_no_qp) for no QP"
[ "$round" -gt 0 ] || fail "no round ran"
ibv_devinfo -d rxefz > /dev/null || fail "rxefz no longer answers"
