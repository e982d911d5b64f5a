#!/bin/bash
# rxe-test: setup=rxe0 peer=ours timeout=900
# A misbehaving peer (tests/lib/roce_storm.py on the peer guest, raw IP
# socket) sends thousands of malformed RoCEv2 packets at our device while
# RC and UD pingpongs with data checking run on it: bad ICRC, truncated,
# bad P_Key, reserved opcode, oversize payload (IP-fragmented), unknown
# QPN, UD opcodes to the RC QPs, a wrong Q_Key to the UD QPs, all aimed at
# the QPs carrying the traffic. Each is dropped and counted under its
# counter, the traffic finishes with its data intact, nothing is logged.
# Then one SEND MIDDLE with the expected PSN of an idle RC QP (an opcode
# out of sequence) puts that QP, and only it, in the error state.
set -eu
. "$RXE_SRC/tests/lib/rxe.sh"

peer=$(peer_ready) || fail "no peer guest: $peer"
gid=$(rxe_gid_index "$RXE_DEV") || fail "no RoCE v2 GID"
N=400
# the traffic must outlast the storm: next to other guests, the storm
# took 13-18 s and a round trip 15-24 ms (sid, trixie), so 60-96 s in all
ITERS=4000

chk=
ibv_rc_pingpong --help 2>&1 | grep -q -- '--chk' && chk=-c
qpns() { sed -n 's/.*local address:.*QPN \(0x[0-9a-f]*\).*/\1/p' "$@" | paste -sd, -; }

start_pair() {	# start_pair NAME TOOL ARGS...: server and client in the background
	local name=$1 tool=$2
	shift 2
	# line-buffered: the QPNs are read while it runs
	timeout 560 stdbuf -oL $tool -d "$RXE_DEV" -g "$gid" $chk "$@" > "/tmp/$name.server" 2>&1 &
	eval "${name}_s=\$!"
	sleep 1
	timeout 560 stdbuf -oL $tool -d "$RXE_DEV" -g "$gid" $chk "$@" 127.0.0.1 > "/tmp/$name.client" 2>&1 &
	eval "${name}_c=\$!"
}
finish_pair() {	# finish_pair NAME: both ends exited 0 and reported
	local name=$1 s c
	eval "s=\$${name}_s c=\$${name}_c"
	wait "$s" || { cat "/tmp/$name.server"; fail "$name server failed during the storm"; }
	wait "$c" || { cat "/tmp/$name.client"; fail "$name client failed during the storm"; }
	grep -q "iters in" "/tmp/$name.client" || fail "$name: no result"
	note "$name${chk:+ (data checked)}: $(grep 'iters in' "/tmp/$name.client")"
}

start_pair rc ibv_rc_pingpong -s 4096 -n $ITERS
start_pair ud ibv_ud_pingpong -p 18600 -s 1024 -n $ITERS
have_qpns() { [ "$(qpns /tmp/rc.server /tmp/rc.client | tr , '\n' | grep -c .)" = 2 ] &&
	      [ "$(qpns /tmp/ud.server /tmp/ud.client | tr , '\n' | grep -c .)" = 2 ]; }
wait_for 60 have_qpns || fail "the pingpongs did not start: $(cat /tmp/rc.* /tmp/ud.*)"
rc=$(qpns /tmp/rc.server /tmp/rc.client)
ud=$(qpns /tmp/ud.server /tmp/ud.client)
note "traffic: RC QPs $rc, UD QPs $ud"

# One snapshot of every counter (`rdma statistic` reads them together).
declare -A c0 c1
snap() {	# snap ARRAY
	local -n a=$1
	local k v
	set -- $(rdma statistic show link "$RXE_DEV/1" | sed 's/^link [^ ]* //')
	while [ $# -ge 2 ]; do k=$1 v=$2; shift 2; a[$k]=$v; done
}
snap c0
t0=$SECONDS
peer run 300 "python3 \$RXE_SRC/tests/lib/roce_storm.py $RXE_IP --src \$RXE_IP \
	--rc $rc --ud $ud --count $N" > /tmp/storm.log 2>&1 ||
	{ cat /tmp/storm.log; fail "the peer could not send the storm"; }
note "the storm took $((SECONDS - t0)) s"
sleep 1
snap c1
kill -0 "$rc_c" 2>/dev/null && kill -0 "$ud_c" 2>/dev/null ||
	fail "the traffic ended before the storm did: raise ITERS"
sent=$(grep -c '^sent' /tmp/storm.log)
[ "$sent" = 8 ] || { cat /tmp/storm.log; fail "the storm did not send every kind"; }
d() { echo $(( ${c1[$1]} - ${c0[$1]} )); }
# the traffic is loopback: what it sent it also received; the rest of
# what arrived is the storm (what the wire delivered of it)
arrived=$(( $(d rcvd_pkts) - $(d sent_pkts) ))
counted=$(( $(d rcvd_icrc_err) + $(d rcvd_bad_header) + $(d rcvd_no_qp) ))
note "storm: $arrived of $((8 * N)) packets arrived; counted rcvd_icrc_err +$(d rcvd_icrc_err)," \
	"rcvd_bad_header +$(d rcvd_bad_header), rcvd_no_qp +$(d rcvd_no_qp)"
[ $((counted - arrived)) -le 2 ] && [ $((arrived - counted)) -le 2 ] ||
	fail "$arrived storm packets arrived but $counted were counted as dropped"
[ "$arrived" -ge $((8 * N * 9 / 10)) ] ||
	fail "the wire lost more than a tenth of the storm ($arrived of $((8 * N)) arrived)"
[ "$(d rcvd_icrc_err)" -ge $((N * 9 / 10)) ] || fail "bad ICRCs: $(d rcvd_icrc_err) counted of $N"
[ "$(d rcvd_bad_header)" -ge $((4 * N * 9 / 10)) ] ||
	fail "malformed headers: $(d rcvd_bad_header) counted of $((4 * N))"
[ "$(d rcvd_no_qp)" -ge $((3 * N * 9 / 10)) ] ||
	fail "packets for no QP: $(d rcvd_no_qp) counted of $((3 * N))"

finish_pair rc
finish_pair ud

# An opcode out of sequence: an idle RC QP (pyverbs), its expected PSN hit
# by a SEND MIDDLE with no message begun.
decoy_py='
import sys
import pyverbs.device as d
from pyverbs.pd import PD
from pyverbs.cq import CQ
from pyverbs.qp import QP, QPInitAttr, QPCap, QPAttr
from pyverbs.addr import AHAttr, GlobalRoute
dev, gidx = sys.argv[1], int(sys.argv[2])
ctx = d.Context(name=dev)
pd = PD(ctx)
cq = CQ(ctx, 8)
qp = QP(pd, QPInitAttr(qp_type=2, scq=cq, rcq=cq, cap=QPCap(max_send_wr=4, max_recv_wr=4)))
attr = QPAttr(port_num=1)
attr.qp_access_flags = 0
attr.path_mtu = 3
attr.dest_qp_num = 0xabcde
attr.rq_psn = 0x123
attr.sq_psn = 0x123
attr.max_dest_rd_atomic = 1
attr.min_rnr_timer = 1
attr.ah_attr = AHAttr(gr=GlobalRoute(dgid=ctx.query_gid(1, gidx), sgid_index=gidx),
                      is_global=1, port_num=1)
qp.to_init(attr)
qp.to_rtr(attr)
qp.to_rts(attr)
print("decoy %#x" % qp.qp_num, flush=True)
sys.stdin.readline()
print("state %d" % qp.query(1)[0].qp_state, flush=True)
'
fifo=$(mktemp -u); mkfifo "$fifo"
python3 -c "$decoy_py" "$RXE_DEV" "$gid" < "$fifo" > /tmp/decoy.log 2>&1 &
decoy=$!
exec 3> "$fifo"
wait_for 30 grep -q '^decoy' /tmp/decoy.log || fail "no decoy QP: $(cat /tmp/decoy.log)"
dq=$(sed -n 's/^decoy //p' /tmp/decoy.log)
peer run 60 "python3 \$RXE_SRC/tests/lib/roce_storm.py $RXE_IP --src \$RXE_IP \
	--rc $rc --ud $ud --count 0 --decoy $dq:0x123" > /tmp/storm2.log 2>&1 ||
	{ cat /tmp/storm2.log; fail "the peer could not send the SEND MIDDLE"; }
sleep 2
echo >&3
exec 3>&-
wait "$decoy" || fail "decoy: $(cat /tmp/decoy.log)"
rm -f "$fifo"
grep -q '^state 6' /tmp/decoy.log ||
	fail "the idle QP hit by an out-of-sequence opcode is not in error: $(tail -1 /tmp/decoy.log)"
note "an out-of-sequence SEND MIDDLE put its QP ($dq) in the error state"
