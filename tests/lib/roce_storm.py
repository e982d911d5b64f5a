#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Send malformed RoCEv2 packets to a device, as a misbehaving peer would.

  roce_storm.py DST_IP --rc QPN[,QPN] --ud QPN[,QPN] [--decoy QPN:PSN] [--count N]

Each kind goes out COUNT times (round robin over the QPNs given), from a
raw IPv4 socket so that the IP header, and with it the ICRC, is ours:

  bad_icrc        RC SEND ONLY to an RC QP, ICRC wrong          rcvd_icrc_err
  truncated       datagrams shorter than a BTH and an ICRC      rcvd_bad_header
  bad_pkey        RC SEND ONLY with P_Key 0x1234                rcvd_bad_header
  bad_opcode      a reserved RC opcode                          rcvd_bad_header
  oversize        RC SEND ONLY with 5000 bytes, IP-fragmented   rcvd_bad_header
  unknown_qpn     RC SEND ONLY to QPN 0xabcdef                  rcvd_no_qp
  wrong_transport UD SEND ONLY to an RC QP                      rcvd_no_qp
  bad_qkey        UD SEND ONLY with a Q_Key nobody uses         rcvd_no_qp

All but bad_icrc carry a correct ICRC. With --decoy, one RC SEND MIDDLE
with the decoy QP's expected PSN follows: an opcode out of sequence.
Prints "sent KIND N" per kind.
"""

import argparse
import os
import random
import socket
import struct
import time
import zlib

UDP_PORT = 4791
RC_SEND_MIDDLE, RC_SEND_ONLY = 0x01, 0x04
RC_RESERVED = 0x1f
UD_SEND_ONLY = 0x64


def bth(opcode, qpn, psn, pad=0, pkey=0xffff):
    return struct.pack(">BBHII", opcode, pad << 4, pkey, qpn & 0xffffff, psn & 0xffffff)


def ipv4(src, dst, length, ident, frag=0x4000):
    return struct.pack(">BBHHHBBH4s4s", 0x45, 0, length, ident, frag, 64, 17, 0,
                       socket.inet_aton(src), socket.inet_aton(dst))


def icrc(ip, udp, transport):
    """The CRC-32 with the variant fields as ones (LRH, TOS, TTL, IP and
    UDP checksums, the BTH's FECN/BECN byte), least significant byte first."""
    ip = bytearray(ip)
    ip[1] = 0xff
    ip[8] = 0xff
    ip[10:12] = b"\xff\xff"
    udp = bytearray(udp)
    udp[6:8] = b"\xff\xff"
    t = bytearray(transport)
    t[4] = 0xff
    return struct.pack("<I", zlib.crc32(b"\xff" * 8 + bytes(ip) + bytes(udp) + bytes(t)))


class Sender:
    def __init__(self, src, dst):
        self.src, self.dst = src, dst
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        self.sock.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
        self.ident = random.randrange(1, 0xffff)

    def send(self, transport, good_icrc=True, mtu_data=1480):
        """transport: BTH onward, without the ICRC."""
        self.ident = self.ident % 0xfffe + 1
        length = 20 + 8 + len(transport) + 4
        frag = 0x4000 if length <= 20 + mtu_data else 0
        udp = struct.pack(">HHHH", 0xc000 + self.ident % 0x3fff, UDP_PORT, length - 20, 0)
        ip = ipv4(self.src, self.dst, length, self.ident, frag)
        crc = icrc(ip, udp, transport) if good_icrc else b"\xef\xbe\xad\xde"
        data = udp + transport + crc
        if frag:	# one datagram
            self.sock.sendto(ip + data, (self.dst, 0))
            return
        # IP fragments; the ICRC is over the reassembled header
        off = 0
        while off < len(data):
            chunk = data[off:off + mtu_data]
            more = 0x2000 if off + len(chunk) < len(data) else 0
            hdr = ipv4(self.src, self.dst, 20 + len(chunk), self.ident, more | off // 8)
            self.sock.sendto(hdr + chunk, (self.dst, 0))
            off += len(chunk)

    def raw_udp(self, payload):
        """A UDP datagram to port 4791 with this payload (no ICRC added)."""
        self.ident = self.ident % 0xfffe + 1
        length = 20 + 8 + len(payload)
        udp = struct.pack(">HHHH", 0xc000, UDP_PORT, 8 + len(payload), 0)
        self.sock.sendto(ipv4(self.src, self.dst, length, self.ident) + udp + payload,
                         (self.dst, 0))


def deth(qkey, sqpn):
    return struct.pack(">II", qkey, sqpn & 0xffffff)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dst")
    ap.add_argument("--src", required=True)
    ap.add_argument("--rc", required=True, help="RC QPNs, comma-separated (hex or decimal)")
    ap.add_argument("--ud", required=True, help="UD QPNs, comma-separated")
    ap.add_argument("--decoy", help="QPN:PSN of an RC QP to send an out-of-sequence opcode")
    ap.add_argument("--count", type=int, default=400)
    a = ap.parse_args()
    rc = [int(q, 0) for q in a.rc.split(",")]
    ud = [int(q, 0) for q in a.ud.split(",")]
    s = Sender(a.src, a.dst)
    n = a.count
    psn = lambda: random.randrange(1 << 24)
    payload = os.urandom

    kinds = {
        "bad_icrc": lambda i: s.send(bth(RC_SEND_ONLY, rc[i % len(rc)], psn()) + payload(16),
                                     good_icrc=False),
        "truncated": lambda i: s.raw_udp(payload(i % 16)),
        "bad_pkey": lambda i: s.send(bth(RC_SEND_ONLY, rc[i % len(rc)], psn(), pkey=0x1234)
                                     + payload(16)),
        "bad_opcode": lambda i: s.send(bth(RC_RESERVED, rc[i % len(rc)], psn()) + payload(16)),
        "oversize": lambda i: s.send(bth(RC_SEND_ONLY, rc[i % len(rc)], psn()) + payload(5000)),
        "unknown_qpn": lambda i: s.send(bth(RC_SEND_ONLY, 0xabcdef, psn()) + payload(16)),
        "wrong_transport": lambda i: s.send(bth(UD_SEND_ONLY, rc[i % len(rc)], psn())
                                            + deth(0x11111111, 0x77) + payload(16)),
        "bad_qkey": lambda i: s.send(bth(UD_SEND_ONLY, ud[i % len(ud)], psn())
                                     + deth(0x22222222, 0x77) + payload(16)),
    }
    # interleaved, so that every kind meets the traffic; paced, so that a
    # guest's NIC ring does not overflow (that loss would be the wire's)
    for i in range(n):
        for send in kinds.values():
            send(i)
        time.sleep(0.004)
    for k in kinds:
        print(f"sent {k} {n}")
    if a.decoy:
        qpn, epsn = (int(x, 0) for x in a.decoy.split(":"))
        s.send(bth(RC_SEND_MIDDLE, qpn, epsn) + payload(16))
        print("sent opcode_sequence 1")


if __name__ == "__main__":
    main()
