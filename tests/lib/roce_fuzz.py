#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Random RoCEv2 packets at a device, for the fuzzer (tests/reliability/fuzz.sh).

  roce_fuzz.py --iface IF --dst-mac MAC --src IP --dst IP --dev RDMADEV
               --seed N --secs S [--rate PPS]

Ethernet frames go out of IF (one end of a veth pair; the device under
test sits on the other end), so they arrive from outside as a peer's
would. Each packet is made by a generator seeded with N: an opcode (any
RC, UC, UD, FLUSH or atomic one, or a random byte), the extension headers
its family carries with plausible or random fields (virtual addresses and
R_Keys of the device's live MRs, its live QP numbers, Q_Keys the fuzzer's
QPs use), payloads of boundary lengths, random PSNs and pad counts; most
with a correct ICRC, some with a wrong one or cut short. The device's QPs
and MRs are read again every second (rdma -j resource show).
Prints "sent N" at the end.
"""

import argparse
import json
import random
import socket
import struct
import subprocess
import time

from roce_storm import UDP_PORT, bth, icrc, ipv4

# opcode -> extension headers: R(ETH), A(tomicETH), K (AETH), Q (AtomicAckETH),
# I(mmDt or IETH), D(ETH)
FAMILY = {}
for base in (0x00, 0x20):                       # RC, UC
    FAMILY.update({base + 0: "", base + 1: "", base + 2: "", base + 3: "I",
                   base + 4: "", base + 5: "I", base + 6: "R", base + 7: "",
                   base + 8: "", base + 9: "I", base + 10: "R", base + 11: "RI"})
FAMILY.update({0x0c: "R", 0x0d: "K", 0x0e: "", 0x0f: "K", 0x10: "K", 0x11: "K",
               0x12: "KQ", 0x13: "A", 0x14: "A", 0x16: "I", 0x17: "I",
               0x1c: "R", 0x1d: "R", 0x64: "D", 0x65: "DI"})
QKEYS = (0x11111111, 0x80010000, 0)
LENGTHS = (0, 1, 3, 4, 8, 255, 256, 1023, 1024, 4095, 4096, 4097, 8200)


def with_checksum(ip):
    """The IPv4 header with its checksum filled in (nobody else does it for
    a frame sent from a packet socket)."""
    words = struct.unpack(">10H", ip)
    s = sum(words)
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ip[:10] + struct.pack(">H", ~s & 0xffff) + ip[12:]


def device_objects(dev):
    """(QPNs, [(iova, length, rkey)]) of the device's live QPs and MRs."""
    def res(kind):
        try:
            out = subprocess.run(["rdma", "-j", "-d", "resource", "show", kind, "dev", dev],
                                 capture_output=True, text=True, timeout=10).stdout
            return json.loads(out or "[]")
        except (subprocess.SubprocessError, ValueError):
            return []
    def num(v):         # rdma prints keys and addresses as hex strings
        if not isinstance(v, str):
            return int(v)
        try:
            return int(v, 0)
        except ValueError:
            return int(v, 16)
    qpns = [num(q["lqpn"]) for q in res("qp") if "lqpn" in q]
    mrs = [(num(m.get("iova", 0)), num(m.get("mrlen", 0)), num(m["rkey"]))
           for m in res("mr") if "rkey" in m]
    return qpns, mrs


class Fuzzer:
    def __init__(self, rng, qpns, mrs):
        self.r, self.qpns, self.mrs = rng, qpns, mrs

    def pick_qpn(self):
        r = self.r
        if self.qpns and r.random() < 0.8:
            return r.choice(self.qpns)
        return r.choice((1, 0xffffff, r.randrange(1 << 24)))

    def target(self):
        """(va, rkey): mostly inside or at the edges of a live MR."""
        r = self.r
        if self.mrs and r.random() < 0.8:
            iova, length, rkey = r.choice(self.mrs)
            va = iova + r.choice((0, length - 1, length, length + 64, -1,
                                  r.randrange(max(1, length))))
            return va & (1 << 64) - 1, rkey
        return r.getrandbits(64), r.getrandbits(32)

    def headers(self, fam):
        r, out = self.r, b""
        for h in fam:
            if h == "R":
                va, rkey = self.target()
                out += struct.pack(">QII", va, rkey, r.choice(LENGTHS + (r.getrandbits(32),)))
            elif h == "A":
                va, rkey = self.target()
                out += struct.pack(">QIQQ", va & ~7 if r.random() < 0.8 else va, rkey,
                                   r.getrandbits(64), r.getrandbits(64))
            elif h == "K":
                out += struct.pack(">I", r.choice((0, 0x20 << 24, 0x60 << 24, 0x61 << 24,
                                                   0x63 << 24, r.getrandbits(32))))
            elif h == "Q":
                out += struct.pack(">Q", r.getrandbits(64))
            elif h == "I":
                out += struct.pack(">I", r.getrandbits(32))
            elif h == "D":
                qkey = r.choice(QKEYS) if r.random() < 0.8 else r.getrandbits(32)
                out += struct.pack(">II", qkey, r.randrange(1 << 24))
        return out

    def packet(self):
        """(transport bytes without ICRC, ICRC kind: good, bad or none)."""
        r = self.r
        op = r.choice(list(FAMILY)) if r.random() < 0.9 else r.randrange(256)
        pay = r.choice(LENGTHS) if r.random() < 0.8 else r.randrange(9000)
        pad = r.randrange(4) if r.random() < 0.3 else (-pay) % 4
        pkey = 0xffff if r.random() < 0.95 else r.getrandbits(16)
        psn = r.choice((0, 1, r.randrange(1 << 24)))
        t = bth(op, self.pick_qpn(), psn, pad, pkey)
        if r.random() < 0.1:            # the ack-request bit, and other flags
            t = t[:8] + bytes([t[8] | 0x80]) + t[9:]
        t += self.headers(FAMILY.get(op, ""))
        t += r.randbytes(pay)
        kind = r.choices(("good", "bad", "cut"), (90, 6, 4))[0]
        if kind == "cut":
            t = t[:r.randrange(len(t) + 1)]
        return t, kind


def main():
    ap = argparse.ArgumentParser()
    for a in ("--iface", "--dst-mac", "--src", "--dst", "--dev"):
        ap.add_argument(a, required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--secs", type=float, required=True)
    ap.add_argument("--rate", type=float, default=400.0)
    a = ap.parse_args()

    rng = random.Random(a.seed)
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.bind((a.iface, 0))
    src_mac = bytes.fromhex(open(f"/sys/class/net/{a.iface}/address").read().strip()
                            .replace(":", ""))
    eth = bytes.fromhex(a.dst_mac.replace(":", "")) + src_mac + b"\x08\x00"
    end = time.monotonic() + a.secs
    refresh, sent, ident = 0.0, 0, 1
    fz = Fuzzer(rng, [], [])
    while time.monotonic() < end:
        if time.monotonic() >= refresh:
            fz.qpns, fz.mrs = device_objects(a.dev)
            refresh = time.monotonic() + 1.0
        t, kind = fz.packet()
        ident = ident % 0xfffe + 1
        length = 20 + 8 + len(t) + (0 if kind == "cut" else 4)
        if length > 1500:               # no fragments: the veth MTU drops them
            continue
        udp = struct.pack(">HHHH", 0xc000 + ident % 0x3fff, UDP_PORT, length - 20, 0)
        ip = ipv4(a.src, a.dst, length, ident)
        crc = icrc(ip, udp, t) if kind == "good" else \
            rng.randbytes(4) if kind == "bad" else b""
        sock.send(eth + with_checksum(ip) + udp + t + crc)
        sent += 1
        time.sleep(1.0 / a.rate)
    print(f"sent {sent}")


if __name__ == "__main__":
    main()
