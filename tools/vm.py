#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""rxe-odp guest runner: boots a target's kernel under QEMU (TCG) with our
modules and runs tests, the demo, or an interactive shell in it.

  vm.py test  [--kernels "sid trixie"] [--filter PATTERN] [--list] [--provider P]
  vm.py demo  [--kernel sid] [--provider P]
  vm.py shell [--kernel sid] [--provider P]
  vm.py selftest [--kernel sid] [--provider P]  (the runner's failure handling)
  vm.py bench [--kernels "sid trixie"] [--filter "PATTERN ..."] [--wallclock] [--provider P]
  vm.py bench-report RESULTS_DIR     (the report of a bench run cut short)

--provider ours|stock (default: $RXE_PROVIDER, else ours) is the rdma-core
provider that runs with our driver: ours (userspace/providers/rxe) or the
distro's librxe. The stock stack (the in-tree rdma_rxe) always runs with
the distro's.

The guest's root is the target's tree (tools/provision.sh) over virtio-9p;
the results directory is a second 9p share. The guest side is
tools/guest/harness.sh; it announces progress on the serial console with
'@@RXE' lines, which this program follows to enforce each test's timeout,
to notice a crashed or hung guest, and to report.

A test is tests/AREA/NAME.sh or tests/AREA/NAME.c. A line
'# rxe-test: key=value ...' (or '// rxe-test: ...') sets its options:
  timeout=SECONDS (60)  setup=rxe0|modules|none (rxe0)  mem=MiB (1024)
  smp=N (2)  swap=MiB (0)  numa=N (1)  kernels=sid,trixie (all)
  inject=alloc: the test makes allocations fail on purpose; the
      kernel's dump of each failed allocation is not a report
  manual=yes: runs only when a --filter pattern names its area
      (tests/reliability: make soak, make fuzz), on any target
  debug=off: not on the debug target (too slow under KASAN and lockdep,
      or about the distro's userspace rather than the driver)
Only the areas in DEBUG_AREAS run on the debug target, with their
timeouts multiplied by DEBUG_SLOWDOWN.

Kernels run side by side, a boot per free CPU slot (RXE_JOBS, default:
the host's CPUs); the debug target's boots go first.
  peer=stock|ours (none): a second guest on the same Ethernet segment,
      its rxe0 driven by the in-tree rdma_rxe or by ours (tests/lib/peer.py)
Tests with the same guest options share one boot.
"""

import argparse
import collections
import datetime
import fnmatch
import glob
import gzip
import hashlib
import os
import shlex
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.environ.get("RXE_CACHE", os.path.expanduser("~/.cache/rxe-odp"))
ALL_KERNELS = ["sid", "trixie", "bookworm", "debug"]

# The debug target: trixie's kernel source built with KASAN, lockdep,
# kmemleak and fault injection (tools/debug-kernel.sh), booted from the
# trixie tree, read-only, so that it can run beside the trixie target
# (tests write only to /tmp, a tmpfs, and to the results share). RDMA
# work runs about 10x slower on it than on Debian's kernel.
DEBUG_TARGET = "debug"
DEBUG_TREE = "trixie"
DEBUG_AREAS = ("ah", "cq", "link", "module", "mr", "odp", "qp", "rc", "uc",
               "ud", "verbs", "xrc", "faults")
DEBUG_SLOWDOWN = 5

BOOT_TIMEOUT = 300      # seconds from QEMU start to READY
IDLE_TIMEOUT = 180      # seconds between tests (setup is inside a test)
# beyond a test's own timeout before the guest counts as hung
TEST_GRACE = int(os.environ.get("RXE_TEST_GRACE", "60"))
MAX_BOOTS = 4           # per group: restarts after crashes

DEFAULTS = {"timeout": 60, "setup": "rxe0", "mem": 1024, "smp": 2,
            "swap": 0, "numa": 1, "kernels": "", "peer": "", "debug": "on",
            "inject": "", "manual": ""}
GUEST_KEYS = ("mem", "smp", "swap", "numa", "peer")
STRING_KEYS = ("setup", "kernels", "peer", "debug", "inject", "manual")
PEER_DRIVERS = ("stock", "ours")
PROVIDERS = ("ours", "stock")

# The test segment: this guest and, for peer tests, the peer guest.
GUEST_MAC, GUEST_IP = "52:54:00:12:34:56", "192.0.2.1"
PEER_MAC, PEER_IP = "52:54:00:12:34:57", "192.0.2.2"
PEER_GUEST = (1024, 1)  # MiB, vCPUs

# TCG execution: "single" runs all vCPUs on one host thread, which keeps
# the kernel's live code patching coherent across vCPUs; "multi" is faster
# but has crashed guests in that patching (an int3 Oops).
TCG_THREAD = os.environ.get("RXE_TCG_THREAD", "single")

# Kernel reports that fail the test during which they appear.
KERNEL_REPORT = re.compile(
    r"WARNING:|BUG:|Oops|general protection fault|KASAN|UBSAN|"
    r"refcount_t:|list_add corruption|list_del corruption|"
    r"possible circular locking|possible recursive locking|"
    r"inconsistent lock state|lockdep|soft lockup|hard LOCKUP|"
    r"blocked for more than \d+ seconds|rcu.*detected stall|"
    r"kernel BUG|Kernel panic|unreferenced object|NETDEV WATCHDOG|"
    r"Call Trace:")

# The kernel's dump of a failed allocation (warn_alloc): a header line,
# then a stack trace up to </TASK>.
ALLOC_FAILURE = re.compile(r"page allocation failure: |vmalloc error: ")

# Modules the initramfs needs to mount a 9p root (with their dependencies).
INITRAMFS_MODULES = ["virtio_pci", "9pnet_virtio", "9p"]


def log(msg):
    # one write: kernels run in threads side by side
    sys.stderr.write("==> " + msg + "\n")
    sys.stderr.flush()


# ---------------------------------------------------------------- targets

class Target:
    def __init__(self, name):
        self.name = name
        self.debug = name == DEBUG_TARGET
        self.tree = DEBUG_TREE if self.debug else name
        self.readonly = self.debug  # its guests do not write to the tree
        self.root = os.path.join(CACHE, "roots", self.tree)
        if not os.path.exists(os.path.join(self.root, ".rxe-odp-stamp")):
            sys.exit(f"error: no {self.tree} tree; run 'make KERNELS={name}' first")
        if self.debug:
            d = os.path.join(self.root, "opt/rxe-odp/debug")
            try:
                with open(os.path.join(d, "kver")) as f:
                    self.kver = f.read().strip()
            except OSError:
                sys.exit("error: no debug kernel; run 'make KERNELS=debug' first")
            self.vmlinuz = os.path.join(d, "bzImage")
        else:
            kvers = sorted((d for d in os.listdir(os.path.join(self.root, "lib/modules"))
                            if os.path.exists(os.path.join(self.root, "boot", "vmlinuz-" + d))),
                           key=version_key)
            if not kvers:
                sys.exit(f"error: no kernel in the {name} tree")
            self.kver = kvers[-1]
            self.vmlinuz = os.path.join(self.root, "boot", "vmlinuz-" + self.kver)
        self.moddir = os.path.join(self.root, "lib/modules", self.kver)
        self.initramfs = self._initramfs()

    def _initramfs(self):
        """Build (or reuse) the busybox initramfs for this kernel."""
        init = os.path.join(REPO, "tools/guest/initramfs-init")
        busybox = shutil.which("busybox") or "/bin/busybox"
        mods = resolve_modules(self.moddir, INITRAMFS_MODULES)
        key = hashlib.sha256()
        for part in [self.kver, open(init, "rb").read(), busybox] + mods:
            key.update(part if isinstance(part, bytes) else part.encode())
        out_dir = os.path.join(CACHE, "boot", self.name)
        out = os.path.join(out_dir, f"initramfs-{key.hexdigest()[:16]}.cpio.gz")
        if os.path.exists(out):
            return out
        os.makedirs(out_dir, exist_ok=True)
        for old in glob.glob(os.path.join(out_dir, "initramfs-*")):
            os.unlink(old)
        with tempfile.TemporaryDirectory() as tmp:
            os.makedirs(os.path.join(tmp, "bin"))
            os.makedirs(os.path.join(tmp, "modules"))
            shutil.copy(busybox, os.path.join(tmp, "bin/busybox"))
            shutil.copy(init, os.path.join(tmp, "init"))
            os.chmod(os.path.join(tmp, "init"), 0o755)
            order = []
            for rel in mods:
                name = module_name(rel)
                dst = os.path.join(tmp, "modules", name + ".ko")
                src = os.path.join(self.moddir, rel)
                decompress_module(src, dst)
                order.append(name)
            with open(os.path.join(tmp, "modules/order"), "w") as f:
                f.write("\n".join(order) + "\n")
            files = subprocess.run(["find", "."], cwd=tmp, check=True,
                                   capture_output=True).stdout
            cpio = subprocess.run(["cpio", "-o", "-H", "newc", "--quiet"], cwd=tmp,
                                  input=files, check=True, capture_output=True).stdout
            with gzip.open(out + ".tmp", "wb", compresslevel=1) as f:
                f.write(cpio)
            os.rename(out + ".tmp", out)
        return out


def version_key(v):
    return [int(x) if x.isdigit() else x for x in re.split(r"[.+~-]", v)]


def module_name(path):
    base = os.path.basename(path)
    return re.sub(r"\.ko(\.(xz|gz|zst))?$", "", base)


def decompress_module(src, dst):
    if src.endswith(".ko"):
        shutil.copy(src, dst)
        return
    tool = {".xz": ["xz", "-dc"], ".gz": ["gzip", "-dc"], ".zst": ["zstd", "-dcq"]}
    ext = os.path.splitext(src)[1]
    with open(dst, "wb") as f:
        subprocess.run(tool[ext] + [src], stdout=f, check=True)


def resolve_modules(moddir, wanted):
    """Module files (relative to moddir) for `wanted`, dependencies first;
    modules built into the kernel are skipped."""
    deps = {}
    with open(os.path.join(moddir, "modules.dep")) as f:
        for line in f:
            path, _, rest = line.partition(":")
            deps[module_name(path).replace("-", "_")] = (path, rest.split())
    order = []

    def add(name):
        name = name.replace("-", "_")
        if name not in deps:
            return      # built in (or absent: the initramfs will say)
        path, dlist = deps[name]
        # modules.dep lists dependencies so that loading them in reverse works
        for d in reversed(dlist):
            add(module_name(d))
        if path not in order:
            order.append(path)

    for w in wanted:
        add(w)
    return order


# ------------------------------------------------------------------ tests

class Test:
    """A test file; `prefix` is prepended to its name (for the self-test)."""

    def __init__(self, path, base, prefix=""):
        rel = os.path.relpath(path, base)
        self.name, ext = os.path.splitext(rel)
        self.name = prefix + self.name
        self.kind = "sh" if ext == ".sh" else "bin"
        # sh: path from the repo root; bin: path below the built tests
        self.path = os.path.relpath(path, REPO) if self.kind == "sh" \
            else os.path.splitext(rel)[0]
        self.opts = dict(DEFAULTS)
        self.expect = None
        with open(path) as f:
            for line in f:
                e = re.match(r"\s*#\s*expect:\s*(\S+)\s*(.*)", line)
                if e:
                    self.expect = (e.group(1), e.group(2))
                m = re.match(r"\s*(#|//)\s*rxe-test:\s*(.*)", line)
                if not m:
                    continue
                for kv in m.group(2).split():
                    k, _, v = kv.partition("=")
                    if k not in DEFAULTS:
                        sys.exit(f"error: {rel}: unknown rxe-test option '{k}'")
                    self.opts[k] = v if k in STRING_KEYS else int(v)
        if self.opts["peer"] not in ("",) + PEER_DRIVERS:
            sys.exit(f"error: {rel}: peer must be one of {PEER_DRIVERS}")
        if self.opts["debug"] not in ("on", "off"):
            sys.exit(f"error: {rel}: debug must be on or off")
        self.area = self.name[len(prefix):].split("/")[0]

    def runs_on(self, kernel):
        ks = self.opts["kernels"]
        if self.opts["manual"]:
            return not ks or kernel in ks.split(",")
        if kernel == DEBUG_TARGET and not (ks and kernel in ks.split(",")):
            # a focused set: the driver's own and the ODP tests
            return (not ks and self.opts["debug"] == "on" and
                    self.area in DEBUG_AREAS and not self.opts["peer"])
        return not ks or kernel in ks.split(",")

    def timeout_on(self, target):
        """The timeout on `target`: a test not written for the debug
        target gets DEBUG_SLOWDOWN times its own there."""
        t = self.opts["timeout"]
        if target.debug and DEBUG_TARGET not in self.opts["kernels"].split(","):
            return t * DEBUG_SLOWDOWN
        return t

    def guest_key(self):
        return tuple(self.opts[k] for k in GUEST_KEYS)


def discover(pattern):
    paths = sorted(glob.glob(os.path.join(REPO, "tests/*/*.sh")) +
                   glob.glob(os.path.join(REPO, "tests/*/*.c")))
    # tests/reliability holds the soak's and the fuzzer's helper programs
    tests = [Test(p, os.path.join(REPO, "tests")) for p in paths
             if "/tests/lib/" not in p and not p.endswith("_worker.c")]
    words = pattern.split()
    # manual tests (soak, fuzz) only when a pattern names their area
    tests = [t for t in tests if not t.opts["manual"] or
             any(w.startswith(t.area + "/") for w in words)]
    return matching(tests, pattern)


def matching(tests, pattern):
    """The tests (or benchmarks) whose name matches any of the
    space-separated patterns (glob, or substring); all if there are none."""
    words = pattern.split()
    if not words:
        return tests
    pats = [p if any(c in p for c in "*?[") else f"*{p}*" for p in words]
    return [t for t in tests if any(fnmatch.fnmatch(t.name, p) for p in pats)]


# ------------------------------------------------------------------- QEMU

def yield_cpu(pid):
    """Let test guests have the CPU before a benchmark guest, whose figures
    count instructions and not wall time. Each guest is a session of its
    own, hence an autogroup of its own (sched_autogroup): `nice` alone
    would only rank it within that group."""
    os.setpriority(os.PRIO_PROCESS, pid, 19)
    try:
        with open(f"/proc/{pid}/autogroup", "w") as f:
            f.write("19")
    except OSError:
        pass    # no autogroup in this kernel: nice alone is enough


def qemu_cmd(target, resdir, guest, interactive=False, swap_img=None,
             wire=None, mac=GUEST_MAC, readonly=False, deterministic=False):
    """QEMU for `guest` (mem, smp, swap, numa, ...). `wire` is (local, remote)
    UDP ports of eth0's segment on the host's loopback; by default its
    frames go to a port nobody reads. `deterministic`: one vCPU whose
    clock advances 1 ns per guest instruction, idle time skipped, so a
    benchmark's time is its instruction count."""
    mem, smp, swap, numa = guest[:4]
    accel = f"tcg,thread={TCG_THREAD}"
    if deterministic:
        accel, smp, numa = "tcg", 1, 1
    if wire is None:
        # a NIC without a peer that accepts frames stalls its TX queue,
        # so send them somewhere they vanish
        wire = (free_udp_port(), free_udp_port())
    cmd = ["qemu-system-x86_64", "-nodefaults", "-no-user-config",
           "-accel", accel, "-cpu", "max", "-machine", "pc",
           "-m", str(mem),
           # one socket per NUMA node: CPUs of different nodes must not
           # share a last-level cache (the kernel warns about that)
           "-smp", f"{smp},sockets={numa},cores={max(1, smp // numa)},threads=1"
           if numa > 1 and smp % numa == 0 else str(smp),
           "-display", "none", "-no-reboot",
           "-kernel", target.vmlinuz, "-initrd", target.initramfs,
           # tsc=unstable: the kernel then never live-patches its
           # sched_clock static key, which under multi-threaded TCG has
           # crashed boots (a vCPU ran a stale int3 of the patching)
           "-append", "console=ttyS0,115200 loglevel=5 panic=-1 "
                      "mitigations=off random.trust_cpu=on tsc=unstable"
                      # ACPI's PCI scan takes minutes under KASAN.
                      # no5lvl: while start_kernel re-identifies the
                      # boot CPU (interrupts on, alternatives not yet
                      # applied) its LA57 bit reads 0 for a moment, so
                      # an interrupt then makes KASAN see 4-level
                      # shadow bounds around a 5-level address and
                      # report a wild access (seen once in CI)
                      + (" pci=noacpi no5lvl" if target.debug else "")
                      # sleep=off moves the clock, whenever the vCPU idles
                      # (a wait for the host's 9p or disk I/O too), to the
                      # next timer event; with the idle tick stopped that
                      # can be seconds away, even a test's own timeout,
                      # and a busy host makes such waits common (runs
                      # timed out after 120 s that take 1 s). The tick
                      # bounds every such jump to 4 ms.
                      + (" nohz=off" if deterministic else "")
                      + (" rxe.ro" if readonly else ""),
           "-virtfs", f"local,path={target.root},mount_tag=rxeroot,"
                      "security_model=passthrough,multidevs=remap"
                      + (",readonly=on" if readonly else ""),
           "-virtfs", f"local,path={resdir},mount_tag=rxeresults,"
                      "security_model=passthrough,multidevs=remap",
           # eth0's wire: UDP datagrams on the host's loopback
           "-netdev", f"socket,id=n0,udp=127.0.0.1:{wire[1]},"
                      f"localaddr=127.0.0.1:{wire[0]}",
           "-device", f"virtio-net-pci,netdev=n0,mac={mac}"]
    if interactive:
        cmd += ["-serial", "mon:stdio"]
    else:
        cmd += ["-serial", "stdio", "-monitor", "none"]
    if numa > 1:
        per = mem // numa
        for n in range(numa):
            cmd += ["-object", f"memory-backend-ram,id=m{n},size={per}M",
                    "-numa", f"node,nodeid={n},memdev=m{n}"
                    + (f",cpus={n}" if n < smp and numa <= smp else "")]
    if swap_img:
        cmd += ["-drive", f"file={swap_img},if=virtio,format=raw"]
    if deterministic:
        cmd += ["-icount", "shift=0,sleep=off"]
    return cmd


def free_udp_port():
    """A UDP port on 127.0.0.1 that is free now."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Peer:
    """The peer guest of a boot whose tests have peer=DRIVER: the same
    kernel and tree (read-only for it), its own results share, eth0 on the
    test guest's segment, rxe0 driven by DRIVER (ours with the test
    guest's provider), tests/lib/peer.py serving the test guest. Its
    console goes to peer/console.log."""

    def __init__(self, target, resdir, driver, wire, provider="ours"):
        self.dir = os.path.join(resdir, "peer")
        os.makedirs(os.path.join(self.dir, "logs"), exist_ok=True)
        with open(os.path.join(self.dir, "run.conf"), "w") as f:
            f.write(f"RXE_TARGET={target.name}\nRXE_MODE=peer\nRXE_SWAP=0\n"
                    f"export RXE_IP={PEER_IP} RXE_PEER_IP={GUEST_IP} "
                    f"RXE_PEER_DRIVER={driver} RXE_PROVIDER={provider}\n")
        open(os.path.join(self.dir, "tests.list"), "w").close()
        self.tail = collections.deque(maxlen=40)
        self.fatal = None
        self.console = open(os.path.join(self.dir, "console.log"), "wb")
        self.proc = subprocess.Popen(
            qemu_cmd(target, self.dir, PEER_GUEST + (0, 1), wire=wire,
                     mac=PEER_MAC, readonly=True),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True)
        self.thread = threading.Thread(target=self._pump, daemon=True)
        self.thread.start()

    def _pump(self):
        for raw in self.proc.stdout:
            self.console.write(raw)
            self.console.flush()
            text = raw.decode("utf-8", "replace").rstrip("\r\n")
            self.tail.append(text)
            i = text.find("@@RXE FATAL ")
            if i >= 0:
                self.fatal = text[i + 12:]

    def trouble(self):
        """Why the peer is of no use, or None."""
        if self.fatal:
            return f"peer guest: {self.fatal}"
        if self.proc.poll() is not None:
            return "the peer guest stopped (crash or panic); its console tail:\n" + \
                "\n".join("    | " + l for l in self.tail)
        return None

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.thread.join(5)
        self.console.close()


class Boot:
    """One guest boot running a list of tests (or the demo)."""

    def __init__(self, target, resdir, guest, tests, mode, on_result, echo_out,
                 deterministic=False, provider="ours"):
        self.target, self.resdir, self.guest = target, resdir, guest
        self.tests, self.mode = tests, mode
        self.on_result, self.echo_out = on_result, echo_out
        self.done = {}              # name -> (status, reason)
        self.current = None         # name of the running test
        self.cur_console = []       # console lines during the current test
        self.tail = collections.deque(maxlen=60)
        self.boot_lines = []        # console before READY
        self.ready = False
        self.finished = False
        self.died = None            # why the guest stopped early
        self.peer = None            # the Peer guest, for peer=... tests
        self.deterministic = deterministic
        self.provider = provider    # the rdma-core provider with our driver

    def write_config(self, swap):
        os.makedirs(os.path.join(self.resdir, "logs"), exist_ok=True)
        with open(os.path.join(self.resdir, "run.conf"), "w") as f:
            f.write(f"RXE_TARGET={self.target.name}\nRXE_MODE={self.mode}\n"
                    f"RXE_SWAP={1 if swap else 0}\n"
                    f"export RXE_CLOCK={'icount' if self.deterministic else 'wall'}"
                    f" RXE_PROVIDER={self.provider}"
                    # a checker kernel: stress tests scale down (rt_scaled())
                    f" RXE_CHECKED={1 if self.target.debug else 0}\n")
            if self.guest[4]:
                f.write(f"export RXE_PEER={self.guest[4]} RXE_PEER_IP={PEER_IP}\n")
            # RXE_T_* of the host environment reach the tests (test knobs).
            for k, v in sorted(os.environ.items()):
                if k.startswith("RXE_T_") and k[6:].replace("_", "").isalnum():
                    f.write(f"export {k}={shlex.quote(v)}\n")
        with open(os.path.join(self.resdir, "tests.list"), "w") as f:
            for t in self.tests:
                f.write(f"{t.name}\t{t.kind}\t{t.path}\t{t.timeout_on(self.target)}\t"
                        f"{t.opts['setup']}\n")

    def run(self):
        swap = self.guest[2]
        swap_img = None
        if swap:
            swap_img = os.path.join(self.resdir, "swap.img")
            with open(swap_img, "wb") as f:
                f.truncate(swap * 1024 * 1024)
        self.write_config(swap)
        wire = None
        if self.guest[4]:
            wire = (free_udp_port(), free_udp_port())
            while wire[0] == wire[1]:
                wire = (wire[0], free_udp_port())
            self.peer = Peer(self.target, self.resdir, self.guest[4], wire[::-1],
                             self.provider)
        console = open(os.path.join(self.resdir, "console.log"), "wb")
        proc = subprocess.Popen(qemu_cmd(self.target, self.resdir, self.guest,
                                         swap_img=swap_img, wire=wire,
                                         readonly=self.target.readonly,
                                         deterministic=self.deterministic),
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True)
        if self.deterministic:
            yield_cpu(proc.pid)
        deadline = time.monotonic() + BOOT_TIMEOUT
        buf = b""
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    self.died = self._hang_reason()
                    break
                r, _, _ = select.select([proc.stdout], [], [], min(left, 1.0))
                if not r:
                    continue
                data = os.read(proc.stdout.fileno(), 65536)
                if not data:
                    break
                console.write(data)
                console.flush()
                buf += data
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    text = line.decode("utf-8", "replace").rstrip("\r")
                    new = self._line(text)
                    if new is not None:
                        deadline = time.monotonic() + new
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            console.close()
            if swap_img:
                os.unlink(swap_img)
            if self.peer:
                self.peer.stop()
        if not self.finished and not self.died:
            self.died = "the guest stopped unexpectedly (crash or panic)"
        if self.died and self.current:
            self._finish(self.current, "FAIL",
                         f"{self.died}; console tail:\n" + self._tail_text())
        elif self.died and not self.ready:
            self.died += "; console tail:\n" + self._tail_text()

    def _hang_reason(self):
        if not self.ready:
            return f"the guest did not boot within {BOOT_TIMEOUT}s"
        if self.current:
            return "the guest hung (test still running past its timeout)"
        return "the guest hung between tests"

    def _tail_text(self):
        return "\n".join("    | " + l for l in self.tail)

    def _line(self, text):
        """Handle one console line; return a new deadline in seconds or None."""
        i = text.find("@@RXE ")
        if i < 0:
            self.tail.append(text)
            if not self.ready:
                self.boot_lines.append(text)
            if self.current:
                self.cur_console.append(text)
            return None
        words = text[i + 6:].split(" ", 3)
        kind = words[0]
        if kind == "READY":
            self.ready = True
            # A kernel report while booting belongs to no test: it fails
            # the boot itself, reported as harness/boot.
            report = kernel_report(self.boot_lines)
            if report:
                self.on_result("harness/boot", "FAIL",
                               "kernel report while the guest booted:\n" + report,
                               os.path.join(self.resdir, "console.log"))
            return IDLE_TIMEOUT
        if kind == "BEGIN" and len(words) >= 3:
            self.current = words[1]
            self.cur_console = []
            return int(words[2]) + TEST_GRACE
        if kind == "END" and len(words) >= 3:
            name, status = words[1], words[2]
            reason = words[3] if len(words) > 3 else ""
            self._finish(name, status, reason)
            return IDLE_TIMEOUT
        if kind == "OUT":
            self.echo_out(text[i + 10:])
            return None
        if kind == "DONE":
            self.finished = True
            return 60
        if kind == "FATAL":
            self.died = text[i + 12:]
            return 5
        return None

    def _finish(self, name, status, reason):
        safe = name.replace("/", "__")
        dmesg_path = os.path.join(self.resdir, "logs", safe + ".dmesg")
        lines = list(self.cur_console) if self.current == name else []
        try:
            with open(dmesg_path, errors="replace") as f:
                lines += f.read().splitlines()
        except OSError:
            pass
        test = next((t for t in self.tests if t.name == name), None)
        report = kernel_report(lines, test is not None and test.opts["inject"] == "alloc")
        trouble = self.peer and self.peer.trouble()
        if trouble and status == "FAIL":
            reason += "\n    " + trouble
        if report:
            status = "FAIL"
            reason = ("kernel report in the guest log:\n" + report +
                      (f"\n    (test said: {reason})" if reason else ""))
        self.done[name] = (status, reason)
        self.current = None
        self.cur_console = []
        self.on_result(name, status, reason,
                       os.path.join(self.resdir, "logs", safe + ".log"))


def kernel_report(lines, alloc_failures=False):
    """An excerpt of the first kernel report in `lines`, or ''.
    `alloc_failures`: dumps of failed allocations are expected, not reports."""
    in_dump = False
    for i, l in enumerate(lines):
        if alloc_failures and ALLOC_FAILURE.search(l):
            in_dump = True
        if in_dump:
            in_dump = "</TASK>" not in l
            continue
        if KERNEL_REPORT.search(l):
            lo = max(0, i - 2)
            excerpt = lines[lo:i + 25]
            return "\n".join("    | " + x for x in excerpt)
    return ""


# ---------------------------------------------------------------- runners

class Results:
    def __init__(self, quiet=False):
        self.counts = collections.Counter()
        self.failed = []
        self.quiet = quiet
        self.outcome = {}       # name -> (status, reason)
        self.lock = threading.Lock()   # kernels report from their threads

    def report(self, kernel, name, status, reason, logpath):
        with self.lock:
            self._report(kernel, name, status, reason, logpath)

    def _report(self, kernel, name, status, reason, logpath):
        full = f"{kernel}/{name}"
        self.counts[status] += 1
        self.outcome[name] = (status, reason)
        if self.quiet:
            return
        if status == "PASS":
            print(f"PASS {full}", flush=True)
        elif status == "SKIP":
            print(f"SKIP {full}: {reason}", flush=True)
        else:
            self.failed.append(full)
            print(f"FAIL {full}: {reason}", flush=True)
            if os.path.exists(logpath):
                print(f"    log: {logpath}", flush=True)

    def summary(self):
        line = f"{self.counts['PASS']} passed, {self.counts['FAIL']} failed"
        if self.counts["SKIP"]:
            line += f", {self.counts['SKIP']} skipped"
        return line


# A results directory is named by the moment its run started.
RESULTS_STAMP = "%Y%m%d-%H%M%S"


def new_results_dir():
    stamp = datetime.datetime.now().strftime(RESULTS_STAMP)
    top = os.environ.get("RXE_RESULTS", os.path.join(CACHE, "results"))
    d = os.path.join(top, stamp)
    n = 1
    while True:     # two runs started in the same second each get their own
        try:
            os.makedirs(d)
            break
        except FileExistsError:
            n += 1
            d = os.path.join(top, f"{stamp}.{n}")
    # "latest" is replaced atomically: concurrent runs race for it
    latest = os.path.join(top, "latest")
    if os.path.islink(latest) or not os.path.exists(latest):
        tmp = f"{latest}.{os.getpid()}"
        os.symlink(os.path.basename(d), tmp)
        os.replace(tmp, latest)
    return d


class Slots:
    """The host's CPUs, one per guest boot running side by side. Waiting
    boots are served in order; an urgent one (the debug target's, the
    longest chain) goes to the front."""

    def __init__(self, n):
        self.free = max(1, n)
        self.queue = collections.deque()
        self.cond = threading.Condition()

    def take(self, urgent=False):
        me = object()
        with self.cond:
            if urgent:
                self.queue.appendleft(me)
            else:
                self.queue.append(me)
            self.cond.wait_for(lambda: self.queue[0] is me and self.free > 0)
            self.queue.popleft()
            self.free -= 1
            self.cond.notify_all()

    def give(self):
        with self.cond:
            self.free += 1
            self.cond.notify_all()


def cmd_test(args):
    kernels = args.kernels.split() if args.kernels else ALL_KERNELS
    tests = discover(args.filter)
    if args.list:
        for t in tests:
            print(t.name)
        return 0
    results = Results()
    if not tests:
        print(f"no test matches '{args.filter}'", file=sys.stderr)
    top = new_results_dir()
    jobs = int(os.environ.get("RXE_JOBS") or os.cpu_count() or 1)
    print(f"results: {top}; up to {jobs} guest(s) at a time", flush=True)
    slots = Slots(jobs)
    for kernel in kernels:
        if not (args.prepare and kernel == DEBUG_TARGET):
            Target(kernel)      # fail now if a target is not built

    def run_kernel(kernel):
        mine = [t for t in tests if t.runs_on(kernel)]
        if not mine:
            return
        if args.prepare and kernel == DEBUG_TARGET:
            why = prepare_debug(top, slots)
            if why:
                for t in mine:
                    results.report(kernel, t.name, "FAIL", f"not run: {why}", "")
                return
        target = Target(kernel)
        groups = collections.OrderedDict()
        for t in mine:
            groups.setdefault(t.guest_key(), []).append(t)
        log(f"{target.name}: kernel {target.kver}, {len(mine)} tests in "
            f"{len(groups)} boot(s), {args.provider} provider")
        for gi, (guest, gtests) in enumerate(groups.items()):
            run_group(target, top, gi, guest, gtests, results,
                      provider=args.provider, slots=slots)

    # every target its own thread: no two share a tree read-write
    threads = [threading.Thread(target=run_kernel, args=(k,)) for k in kernels]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    print(results.summary(), flush=True)
    return 1 if results.failed or not results.counts else 0


def prepare_debug(top, slots):
    """Build the debug kernel and our modules for it (tools/provision.sh
    debug, tools/build.sh debug) on one CPU slot, while the other targets
    test on the rest; None, or why it failed."""
    logpath = os.path.join(top, "debug-build.log")
    slots.take(urgent=True)
    try:
        log(f"debug: building the debug kernel on one CPU beside the tests; log: {logpath}")
        env = dict(os.environ, RXE_BUILD_JOBS="1")
        with open(logpath, "w") as f:
            for step in (["provision.sh", "debug"], ["build.sh", "debug"]):
                cmd = [os.path.join(REPO, "tools", step[0])] + step[1:]
                if subprocess.call(cmd, stdout=f, stderr=subprocess.STDOUT, env=env):
                    return f"'tools/{' '.join(step)}' failed; log: {logpath}"
    finally:
        slots.give()
    return None


def run_group(target, top, gi, guest, tests, results, deterministic=False,
              provider="ours", slots=None):
    pending = list(tests)
    boots = 0
    while pending:
        boots += 1
        resdir = os.path.join(top, target.name, f"boot{gi}.{boots}")
        os.makedirs(resdir)
        names = {t.name for t in pending}

        def on_result(name, status, reason, logpath):
            if name in names or name.startswith("harness/"):
                results.report(target.name, name, status, reason, logpath)

        boot = Boot(target, resdir, guest, pending, "test", on_result, print,
                    deterministic, provider)
        # The peer guest (1 vCPU) mostly waits for commands: a boot takes
        # one slot with it too (as two, it left a CPU idle while waiting
        # for both). The debug target's boots are the longest: they go
        # first.
        if slots:
            slots.take(urgent=target.debug)
        try:
            boot.run()
        finally:
            if slots:
                slots.give()
        pending = [t for t in pending if t.name not in boot.done]
        if boot.died and not boot.ready:
            for i, t in enumerate(pending):
                why = boot.died if i == 0 else \
                    f"not run: the {target.name} guest did not boot (see above)"
                results.report(target.name, t.name, "FAIL", why, "")
            return
        if boot.died:
            print(f"    guest of {target.name} died ({boot.died}); "
                  f"console: {resdir}/console.log", flush=True)
        if pending and boots >= MAX_BOOTS:
            for t in pending:
                results.report(target.name, t.name, "FAIL",
                               "not run: the guest kept dying", "")
            return


def cmd_selftest(args):
    """Run the runner's own failure scenarios (tools/selftest) and check
    that each ends as its '# expect:' line says."""
    global TEST_GRACE
    TEST_GRACE = 10
    base = os.path.join(REPO, "tools", "selftest")
    tests = [Test(p, base, "selftest/")
             for p in sorted(glob.glob(os.path.join(base, "*.sh")))]
    target = Target(args.kernel)
    results = Results(quiet=True)
    top = new_results_dir()
    print(f"runner self-test on {target.name}; results: {top}", flush=True)
    groups = collections.OrderedDict()
    for t in tests:
        groups.setdefault(t.guest_key(), []).append(t)
    for gi, (guest, gtests) in enumerate(groups.items()):
        run_group(target, top, gi, guest, gtests, results, provider=args.provider)
    bad = 0
    for t in tests:
        status, reason = results.outcome.get(t.name, ("MISSING", "no result"))
        want_status, want_reason = t.expect
        ok = status == want_status and re.search(want_reason, reason, re.S)
        first = reason.splitlines()[0] if reason else ""
        print(f"{'ok  ' if ok else 'BAD '} {t.name}: {status} {first}", flush=True)
        if not ok:
            bad += 1
            print(f"     expected {want_status} /{want_reason}/; got:\n{reason}")
    print(f"runner self-test: {len(tests) - bad} of {len(tests)} scenarios behaved",
          flush=True)
    return 1 if bad else 0


def cmd_bench(args):
    """Run perf/*.sh (one guest boot per kernel and guest shape), then
    turn the raw rows they leave in /results/bench/*.csv into
    perf/results/DATE-KERNEL.md and .csv (benchmark, stock, ours, ratio)."""
    kernels = args.kernels.split() if args.kernels else ["sid", "trixie"]
    benches = [Test(p, os.path.join(REPO, "perf"), "perf/")
               for p in sorted(glob.glob(os.path.join(REPO, "perf/*.sh")))]
    benches = matching(benches, args.filter)
    results = Results()
    top = new_results_dir()
    mode = "wall-clock (multi-threaded TCG: NOISY)" if args.wallclock else \
        "deterministic (-icount shift=0,sleep=off, 1 vCPU)"
    print(f"results: {top}; clock: {mode}; provider with our driver: "
          f"{args.provider}", flush=True)
    for kernel in kernels:
        target = Target(kernel)
        mine = [b for b in benches if b.runs_on(kernel)]
        groups = collections.OrderedDict()
        for b in mine:
            groups.setdefault(b.guest_key(), []).append(b)
        for gi, (guest, gb) in enumerate(groups.items()):
            run_group(target, top, gi, guest, gb, results, not args.wallclock,
                      args.provider)
        bench_report(top, target, mode, args.provider, args.wallclock,
                     partial=bool(args.filter))
    print(results.summary(), flush=True)
    return 1 if results.failed or not results.counts else 0


def run_date(top):
    """The day a run started, from its results directory's name
    (new_results_dir()), so that a run going past midnight reports into
    the day it began; today for a directory named otherwise."""
    name = os.path.basename(os.path.normpath(top))
    try:    # 15 characters: without the -N of a same-second run
        return datetime.datetime.strptime(name[:15], RESULTS_STAMP).date().isoformat()
    except ValueError:
        return datetime.date.today().isoformat()


def bench_report(top, target, mode, provider, wallclock, partial):
    """Turn the raw rows a run left under TOP/KERNEL/*/bench/*.csv into
    perf/results/DATE-KERNEL.csv, .md and plots; a partial run (a filter,
    or an interrupted run reported by `vm.py bench-report`) replaces only
    its own benchmarks' rows in the day's report."""
    kernel = target.name
    rows = []
    for f in sorted(glob.glob(os.path.join(top, kernel, "*", "bench", "*.csv"))):
        with open(f) as fh:
            rows += [l.strip().split(",") for l in fh if l.strip()]
    if not rows:
        return
    date = run_date(top)
    outdir = os.path.join(REPO, "perf/results")
    os.makedirs(outdir, exist_ok=True)
    suffix = ("-wallclock" if wallclock else "") + \
        ("-stock-provider" if provider == "stock" else "")
    base = os.path.join(outdir, f"{date}-{kernel}{suffix}")
    if partial and os.path.exists(base + ".csv"):
        names = {r[0] for r in rows}
        with open(base + ".csv") as fh:
            kept = [l.strip().split(",") for l in fh.readlines()[1:] if l.strip()]
        rows = [r for r in kept if r[0] not in names] + rows
    with open(base + ".csv", "w") as fh:
        fh.write("benchmark,stack,repetition,value,unit\n")
        fh.writelines(",".join(r) + "\n" for r in rows)
    table = bench_table(rows)
    with open(base + ".md", "w") as fh:
        fh.write(f"# {date}, Debian {kernel} (kernel {target.kver})\n\n"
                 f"Clock: {mode}. Provider with our driver: {provider} "
                 f"(stock: the distro's). Median of the repetitions; spread is "
                 f"(max-min)/median. Raw rows: {os.path.basename(base)}.csv.\n\n"
                 + table)
    print(f"\n{kernel} ({target.kver}):\n{table}", flush=True)
    print(f"written: {base}.md", flush=True)
    for png in bench_plots(rows, base, f"{kernel} ({target.kver})"):
        print(f"written: {png}", flush=True)


def cmd_bench_report(args):
    """The report of a bench run that was cut short, from its results
    directory (deterministic mode assumed unless --wallclock)."""
    mode = "wall-clock (multi-threaded TCG: NOISY)" if args.wallclock else \
        "deterministic (-icount shift=0,sleep=off, 1 vCPU)"
    for kernel in sorted(os.listdir(args.results)):
        if kernel in ALL_KERNELS:
            bench_report(args.results, Target(kernel), mode, args.provider,
                         args.wallclock, partial=True)
    return 0


def bench_values(rows):
    """Raw rows (benchmark, stack, repetition, value, unit) grouped:
    {benchmark: {stack: [values]}} in first-seen order, and the units."""
    vals = collections.OrderedDict()
    units = {}
    for name, stack, _, value, unit in rows:
        vals.setdefault(name, {}).setdefault(stack, []).append(float(value))
        units[name] = unit
    return vals, units


def median(v):
    v = sorted(v)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def bench_table(rows):
    """Markdown table (benchmark, stock, ours, ratio) from raw rows
    (benchmark, stack, repetition, value, unit)."""
    vals, units = bench_values(rows)

    def cell(v):
        if not v:
            return "-", None
        med = median(v)
        spread = (max(v) - min(v)) / med * 100 if med else 0
        return f"{med:.2f} ±{spread:.1f}% (n={len(v)})", med

    out = ["| benchmark | unit | stock | ours | ours/stock |",
           "|---|---|---|---|---|"]
    for name, by in vals.items():
        st, sm = cell(by.get("stock"))
        ou, om = cell(by.get("ours"))
        ratio = f"{om / sm:.3f}" if sm and om else "-"
        out.append(f"| {name} | {units[name]} | {st} | {ou} | {ratio} |")
    return "\n".join(out) + "\n"


SIZES = {"B": 1, "KiB": 1 << 10, "MiB": 1 << 20}
STACKS = ("stock", "ours")
STYLE = {"stock": "#c0392b", "ours": "#1f5fa8"}     # a colour per stack


def bench_plots(rows, base, title):
    """PNG plots (gnuplot) of what the rows hold, beside the report:
    BASE-bandwidth.png (perftest bandwidth against message size),
    BASE-first-touch.png (ODP first-touch cost), BASE-invalidation.png
    (bandwidth against invalidation rate). Return: the files written."""
    if not shutil.which("gnuplot"):
        print("no gnuplot: plots left out (make deps installs it)", flush=True)
        return []
    vals, _ = bench_values(rows)
    med = {(n, st): median(v) for n, by in vals.items() for st, v in by.items()}
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        def plot(name, datasets, script):
            for fname, lines in datasets.items():
                with open(os.path.join(tmp, fname), "w") as fh:
                    fh.write("\n".join(lines) + "\n")
            png = f"{base}-{name}.png"
            r = subprocess.run(["gnuplot"], input=f"set terminal pngcairo noenhanced size "
                               f"1200,420 font ',10'\nset output '{png}'\n{script}",
                               text=True, cwd=tmp, capture_output=True)
            if r.returncode == 0:
                out.append(png)
            else:
                print(f"gnuplot failed for {png}: {r.stderr.strip()}", flush=True)

        # bandwidth against message size, one panel per tool
        bw = collections.defaultdict(list)
        for (n, st), v in med.items():
            m = re.fullmatch(r"(ib_\w+_bw) (\d+) (B|KiB|MiB) (pinned|ODP)", n)
            if m:
                bw[(m[1], st, m[4])].append((int(m[2]) * SIZES[m[3]], v))
        tools = [t for t in ("ib_write_bw", "ib_read_bw", "ib_send_bw")
                 if any(k[0] == t for k in bw)]
        if tools:
            data = {f"{t}-{st}-{mem}.dat": [f"{x} {y}" for x, y in sorted(bw[(t, st, mem)])]
                    for (t, st, mem) in bw}
            sizes = sorted({x for pts in bw.values() for x, _ in pts})
            xtics = ", ".join(f"'{x >> 20} MiB' {x}" if x >= 1 << 20 else
                              f"'{x >> 10} KiB' {x}" if x >= 1 << 10 else f"'{x} B' {x}"
                              for x in sizes)
            script = (f"set multiplot layout 1,{len(tools)} title '{title}: perftest "
                      "bandwidth (deterministic mode, guest MiB/s, median)'\n"
                      f"set logscale x 2\nset xtics ({xtics})\n"
                      "set xlabel 'message size'\n"
                      "set ylabel 'MiB/s'\nset key bottom right\nset grid\n"
                      "set yrange [0:*]\n")
            for t in tools:
                series = [f"'{t}-{st}-{mem}.dat' with linespoints lw 2 "
                          f"lc rgb '{STYLE[st]}' dt {1 if mem == 'pinned' else 2} "
                          f"title '{st} {mem}'" for st in STACKS for mem in ("pinned", "ODP")
                          if (t, st, mem) in bw]
                script += f"set title '{t}'\nplot " + ", ".join(series) + "\n"
            plot("bandwidth", data, script + "unset multiplot\n")

        # ODP first touch, per MiB so that 4 KiB pages and THP compare
        cats = [("4 KiB pages", "ODP first touch 4 KiB pages (per 4 KiB)", 256),
                ("THP", "ODP first touch THP (per 2 MiB)", 0.5),
                ("4 KiB pages, sync prefetch first",
                 "ODP sync prefetch then first pass 4 KiB pages (per 4 KiB)", 256),
                ("THP, sync prefetch first",
                 "ODP sync prefetch then first pass THP (per 2 MiB)", 0.5)]
        lines = [f"\"{label}\" " + " ".join(
            f"{med[(n, st)] * k / 1e3:.1f}" if (n, st) in med else "NaN" for st in STACKS)
            for label, n, k in cats if any((n, st) in med for st in STACKS)]
        # a column per stack with figures (gnuplot refuses an all-NaN one)
        cols = [(i + 2, st) for i, st in enumerate(STACKS)
                if any((n, st) in med for _, n, _ in cats)]
        if lines and cols:
            series = [f"'ft.dat' using {c}:xtic(1) lc rgb '{STYLE[st]}' title '{st}'"
                      for c, st in cols]
            plot("first-touch", {"ft.dat": lines},
                 f"set title '{title}: first RDMA WRITE into never-touched ODP memory "
                 "(guest us per MiB, lower is better)'\nset style data histograms\n"
                 "set style histogram clustered gap 1\nset style fill solid 0.8\n"
                 "set ylabel 'us per MiB'\nset grid ytics\nset yrange [0:*]\n"
                 "plot " + ", ".join(series) + "\n")

        # bandwidth against invalidation rate
        inv = collections.defaultdict(list)
        for (n, st), v in med.items():
            m = re.fullmatch(r"RDMA WRITE 64 KiB ODP under (\d+) invalidations/s", n)
            if m:
                inv[st].append((int(m[1]), v))
        if inv:
            data = {f"inv-{st}.dat": [f"\"{r}\" {y}" for r, y in sorted(pts)]
                    for st, pts in inv.items()}
            series = [f"'inv-{st}.dat' using 0:2:xtic(1) with linespoints lw 2 "
                      f"lc rgb '{STYLE[st]}' title '{st}'"
                      for st in STACKS if st in inv]
            plot("invalidation", data,
                 f"set title '{title}: RDMA WRITE 64 KiB into a 16 MiB ODP MR while one page "
                 "of it is invalidated N times per second (guest MiB/s)'\n"
                 "set xlabel 'invalidations per second'\nset ylabel 'MiB/s'\n"
                 "set yrange [0:*]\nset grid\nset key bottom left\n"
                 "plot " + ", ".join(series) + "\n")
    return out


def cmd_demo(args):
    target = Target(args.kernel)
    top = new_results_dir()
    resdir = os.path.join(top, target.name)
    os.makedirs(resdir)
    print(f"Booting Debian {target.name} (kernel {target.kver}) under QEMU with "
          f"our rdma_odp + rdma_rxe, {args.provider} provider; log: {resdir}", flush=True)
    status = {}

    def on_result(name, st, reason, logpath):
        status[name] = (st, reason)

    boot = Boot(target, resdir, (1024, 2, 0, 1, ""), [], "demo", on_result,
                lambda l: print("  " + l, flush=True), provider=args.provider)
    boot.run()
    st, reason = status.get("harness/final_unload", ("FAIL", boot.died or "no result"))
    if st != "PASS":
        print(f"demo: FAILED: {reason}")
        return 1
    print("demo: done; the stack unloaded cleanly, no kernel warning.")
    return 0


def cmd_shell(args):
    target = Target(args.kernel)
    resdir = os.path.join(new_results_dir(), target.name)
    os.makedirs(os.path.join(resdir, "logs"))
    with open(os.path.join(resdir, "run.conf"), "w") as f:
        f.write(f"RXE_TARGET={target.name}\nRXE_MODE=shell\nRXE_SWAP=0\n"
                f"export RXE_PROVIDER={args.provider}\n")
    open(os.path.join(resdir, "tests.list"), "w").close()
    print(f"Booting {target.name} ({target.kver}); Ctrl-A X quits QEMU.", flush=True)
    return subprocess.call(qemu_cmd(target, resdir, (args.mem, args.smp, 0, 1, ""),
                                    interactive=True))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    provider = os.environ.get("RXE_PROVIDER") or "ours"
    if provider not in PROVIDERS:
        sys.exit(f"error: RXE_PROVIDER must be one of {PROVIDERS}, not '{provider}'")

    def provider_option(p):
        p.add_argument("--provider", choices=PROVIDERS, default=provider,
                       help="rdma-core provider with our driver "
                            "(default: $RXE_PROVIDER, else ours)")
    t = sub.add_parser("test", help="run tests in guests")
    t.add_argument("--kernels", default=os.environ.get("KERNELS", ""),
                   help="targets, space separated (default: all)")
    t.add_argument("--filter", default="", help="test name patterns, space-separated (glob, or substring)")
    t.add_argument("--list", action="store_true", help="list matching tests only")
    t.add_argument("--prepare", action="store_true",
                   help="build the debug target on one CPU beside the other targets' tests")
    provider_option(t)
    d = sub.add_parser("demo", help="boot a guest and run the demo")
    d.add_argument("--kernel", default="sid")
    provider_option(d)
    st = sub.add_parser("selftest", help="check the runner's failure handling")
    st.add_argument("--kernel", default="sid")
    provider_option(st)
    b = sub.add_parser("bench", help="run the perf/ benchmarks in guests")
    b.add_argument("--kernels", default=os.environ.get("BENCH_KERNELS", ""),
                   help="targets, space separated (default: sid trixie)")
    b.add_argument("--filter", default="",
                   help="benchmark name patterns, space-separated (glob, or substring)")
    b.add_argument("--wallclock", action="store_true",
                   help="multi-vCPU wall-clock mode (noisy; labelled so)")
    provider_option(b)
    br = sub.add_parser("bench-report",
                        help="the report of a bench run cut short, from its results directory")
    br.add_argument("results", help="the run's results directory (printed when it started)")
    br.add_argument("--wallclock", action="store_true", help="the run was in wall-clock mode")
    provider_option(br)
    s = sub.add_parser("shell", help="interactive guest with our stack loaded")
    s.add_argument("--kernel", default="sid")
    s.add_argument("--mem", type=int, default=1024)
    s.add_argument("--smp", type=int, default=2)
    provider_option(s)
    args = ap.parse_args()
    return {"test": cmd_test, "demo": cmd_demo, "shell": cmd_shell,
            "selftest": cmd_selftest, "bench": cmd_bench,
            "bench-report": cmd_bench_report}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
