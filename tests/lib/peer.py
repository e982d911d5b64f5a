#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""The peer guest's command agent, and the test side's client for it.

A test with `peer=stock` (or `peer=ours`) runs in a guest that shares an
Ethernet segment with a second guest, the peer, whose RDMA device rxe0 is
driven by the kernel's in-tree rdma_rxe (or by ours). The peer runs
`peer.py serve`; tests reach it over TCP on the test network:

  peer.py ping [SECONDS]          wait until the agent answers; print its driver
                                  and provider ("stock provider=stock",
                                  "ours VERSION provider=ours")
  peer.py run SECONDS CMD         run CMD on the peer, print its output, exit with its status
  peer.py start NAME SECONDS CMD  start CMD on the peer in the background
  peer.py wait NAME SECONDS       wait for it; print its output, exit with its status
  peer.py cleanup                 kill what is still running there; print its kernel log

Commands run under bash with tests/lib/rxe.sh sourced, so $RXE_IP,
$RXE_DEV and the helpers refer to the peer's own device.
"""

import json
import os
import re
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time

PORT = 7100
PRELUDE = '. "$RXE_SRC/tests/lib/rxe.sh"; '


class Agent:
    def __init__(self):
        self.jobs = {}          # name -> (Popen, log path)
        self.lock = threading.Lock()

    def run(self, req):
        try:
            p = subprocess.run(["timeout", "-k", "5", str(req["timeout"]), "bash", "-c",
                                PRELUDE + req["cmd"]], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        except OSError as e:
            return {"rc": 127, "out": f"peer: cannot run: {e}\n"}
        return {"rc": p.returncode, "out": p.stdout.decode("utf-8", "replace")}

    def start(self, req):
        name = req["name"]
        path = f"/tmp/peer-job.{name}.log"
        with self.lock:
            if name in self.jobs and self.jobs[name][0].poll() is None:
                return {"rc": 1, "out": f"peer: job {name} is still running\n"}
            out = open(path, "wb")
            p = subprocess.Popen(["timeout", "-k", "5", str(req["timeout"]), "bash", "-c",
                                  PRELUDE + req["cmd"]], stdin=subprocess.DEVNULL,
                                 stdout=out, stderr=subprocess.STDOUT,
                                 start_new_session=True)
            out.close()
            self.jobs[name] = (p, path)
        return {"rc": 0, "out": ""}

    def wait(self, req):
        with self.lock:
            job = self.jobs.get(req["name"])
        if not job:
            return {"rc": 1, "out": f"peer: no job {req['name']}\n"}
        p, path = job
        try:
            rc = p.wait(timeout=req["timeout"])
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            rc = p.wait()
        with open(path, "rb") as f:
            return {"rc": rc, "out": f.read().decode("utf-8", "replace")}

    def cleanup(self, req):
        with self.lock:
            jobs, self.jobs = self.jobs, {}
        for p, _ in jobs.values():
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.wait()
        d = subprocess.run(["dmesg", "-c"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        return {"rc": 0, "out": d.stdout.decode("utf-8", "replace")}

    def ping(self, req):
        try:
            with open("/sys/module/rdma_rxe/version") as f:
                drv = "ours " + f.read().strip()
        except OSError:
            drv = "stock" if os.path.isdir("/sys/module/rdma_rxe") else "none"
        # ours is bind-mounted over the distro's librxe (provider_use)
        with open("/proc/self/mounts") as f:
            ours = any(re.search(r"/libibverbs/librxe-rdmav\d+\.so$", l.split()[1])
                       for l in f if len(l.split()) > 1)
        return {"rc": 0, "out": f"{drv} provider={'ours' if ours else 'stock'}\n"}


def serve():
    agent = Agent()

    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            line = self.rfile.readline()
            try:
                req = json.loads(line)
                reply = getattr(agent, req["op"])(req)
            except Exception as e:     # a bad request must not kill the agent
                reply = {"rc": 2, "out": f"peer: bad request: {e}\n"}
            self.wfile.write((json.dumps(reply) + "\n").encode())

    class Server(socketserver.ThreadingTCPServer):
        allow_reuse_address = True
        daemon_threads = True

    with Server(("0.0.0.0", PORT), Handler) as srv:
        srv.serve_forever()


def call(req, wait=30):
    host = os.environ.get("RXE_PEER_IP", "192.0.2.2")
    budget = req.get("timeout", 0) + wait
    with socket.create_connection((host, PORT), timeout=10) as s:
        s.settimeout(budget)
        s.sendall((json.dumps(req) + "\n").encode())
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                raise ConnectionError("the peer closed the connection")
            data += chunk
    return json.loads(data)


def client(argv):
    op = argv[0]
    if op == "ping":
        end = time.monotonic() + (int(argv[1]) if len(argv) > 1 else 0)
        while True:
            try:
                reply = call({"op": "ping"})
                break
            except OSError as e:
                if time.monotonic() >= end:
                    print(f"peer: not reachable: {e}")
                    return 1
                time.sleep(1)
    elif op == "run":
        reply = call({"op": "run", "timeout": int(argv[1]), "cmd": argv[2]})
    elif op == "start":
        reply = call({"op": "start", "name": argv[1], "timeout": int(argv[2]),
                      "cmd": argv[3]})
    elif op == "wait":
        reply = call({"op": "wait", "name": argv[1], "timeout": int(argv[2])})
    elif op == "cleanup":
        reply = call({"op": "cleanup"})
    else:
        print(__doc__)
        return 2
    sys.stdout.write(reply["out"])
    return reply["rc"]


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve()
    elif len(sys.argv) > 1:
        try:
            sys.exit(client(sys.argv[1:]))
        except (OSError, ValueError) as e:
            print(f"peer: {e}")
            sys.exit(1)
    else:
        print(__doc__)
        sys.exit(2)
