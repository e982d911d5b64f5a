#!/bin/bash
# rxe-test: setup=rxe0 peer=ours timeout=300
# Packets from the wire that are not valid RoCEv2: the peer guest sends
# UDP datagrams to our port 4791 that carry a well-formed BTH with a wrong
# ICRC, and datagrams too short for a BTH. Each is dropped and counted
# (rcvd_icrc_err, rcvd_bad_header), nothing else happens, and RC traffic
# afterwards is intact.
set -eu
. "$RXE_SRC/tests/lib/rxe.sh"

peer=$(peer_ready) || fail "no peer guest: $peer"
gid=$(rxe_gid_index "$RXE_DEV") || fail "no RoCE v2 GID"
ctr() { cat "/sys/class/infiniband/$RXE_DEV/ports/1/hw_counters/$1"; }
icrc0=$(ctr rcvd_icrc_err) hdr0=$(ctr rcvd_bad_header)

# RC SEND ONLY to QP 0x11, P_Key 0xffff, PSN 1, 16 bytes, ICRC 0xdeadbeef;
# then 5-byte datagrams.
peer run 60 "python3 -c '
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
bth = struct.pack(\">BBHII\", 0x04, 0, 0xffff, 0x11, 1)
for i in range(20):
    s.sendto(bth + bytes(16) + struct.pack(\"<I\", 0xdeadbeef), (\"$RXE_IP\", 4791))
for i in range(7):
    s.sendto(bytes(5), (\"$RXE_IP\", 4791))
'" || fail "the peer could not send the datagrams"

got_all() { [ $(( $(ctr rcvd_icrc_err) - icrc0 )) -ge 20 ] && [ $(( $(ctr rcvd_bad_header) - hdr0 )) -ge 7 ]; }
wait_for 10 got_all ||
	fail "counted $(( $(ctr rcvd_icrc_err) - icrc0 )) of 20 bad ICRCs, $(( $(ctr rcvd_bad_header) - hdr0 )) of 7 truncated"
note "dropped and counted: $(( $(ctr rcvd_icrc_err) - icrc0 )) bad ICRC, $(( $(ctr rcvd_bad_header) - hdr0 )) truncated"

run_pair_on here peer 120 "ibv_rc_pingpong -d $RXE_DEV -g $gid -c -s 4096 -n 50" \
	"ibv_rc_pingpong -d \$RXE_DEV -g \$(rxe_gid_index \$RXE_DEV) -c -s 4096 -n 50 $RXE_IP" ||
	fail "traffic after the bad packets"
note "traffic intact: $(grep 'iters in' /tmp/pair.log.client)"
