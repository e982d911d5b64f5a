#!/bin/bash
# rxe-test: setup=rxe0 timeout=600
# Several processes and several QPs per process at once on one device:
# three perftest pairs with 4, 2 and 3 QPs each (write, read, send) and
# two data-checked ibv_rc_pingpong pairs run concurrently; every one must
# finish with its result, the pingpongs with their data verified (-c).
set -eu
. "$RXE_SRC/tests/lib/rxe.sh"

gid=$(rxe_gid_index "$RXE_DEV") || fail "no RoCE v2 GID"
common="-d $RXE_DEV -x $gid -F"
# On a checker kernel ten busy-polling processes on two vCPUs, each
# operation ten times dearer, let a pingpong wait longer than its fixed
# transport timeout (67 ms x 7 retries) for the CPU: on a busy host we
# saw "transport retry counter exceeded" at 3 s per iteration.
# Completion events (-e; ib_write_bw has none) leave the CPU to the
# transfers and exercise the event path too.
# There, too, the counts are cut to a third (scaled).
ev=
[ "${RXE_CHECKED:-0}" = 0 ] || ev=-e
n=$(scaled 300)
pairs=(
	"ib_write_bw $common -q 4 -s 16384 -n $n -p 18601"
	"ib_read_bw $common $ev -q 2 -s 16384 -n $n -p 18602"
	"ib_send_bw $common $ev -q 3 -s 8192 -n $n -p 18603"
	"ibv_rc_pingpong -d $RXE_DEV -g $gid $ev -c -s 4096 -n $(scaled 200) -p 18604"
	"ibv_rc_pingpong -d $RXE_DEV -g $gid $ev -c -s 60000 -n $(scaled 50) -p 18605"
)
pids=()
for i in "${!pairs[@]}"; do
	RXE_PAIR_LOG=/tmp/conc.$i run_pair 400 "${pairs[$i]}" "${pairs[$i]} 127.0.0.1" \
		> /tmp/conc.$i.out 2>&1 &
	pids+=($!)
done
bad=0
for i in "${!pairs[@]}"; do
	if ! wait "${pids[$i]}"; then
		bad=1
		note "FAILED: ${pairs[$i]}"
		sed 's/^/#   /' /tmp/conc.$i.out | tail -20
		continue
	fi
	case ${pairs[$i]} in
	ibv_rc_pingpong*) line=$(grep "iters in" /tmp/conc.$i.client || true) ;;
	*) line=$(grep -E '^ *[0-9]+ +[0-9]+ ' /tmp/conc.$i.client | tail -1 || true) ;;
	esac
	[ -n "$line" ] || { bad=1; note "no result from: ${pairs[$i]}"; continue; }
	note "${pairs[$i]%% *}: $line"
done
[ "$bad" = 0 ] || fail "a concurrent pair failed"
