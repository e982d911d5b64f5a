#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Run rdma-core's pyverbs tests (the distro's copy) and print one line per
test: "PYV <ok|skip|fail|error> <test id> [reason]".

  pyverbs_run.py TESTS_DIR [--timeout S] --dev rxe0 --gid N [TEST_ID ...]

TESTS_DIR is an unpacked copy of /usr/share/doc/rdma-core/tests. Without
TEST_IDs the whole suite runs; a TEST_ID is "tests.MODULE.CLASS.METHOD".
--timeout ends a test after S seconds as an error (some tests wait for a
completion event without a time limit).

The whole suite leaves out the vendor modules (mlx5, efa, irdma, CUDA):
they never apply to an rxe device. Each module then runs in a process of
its own, because on some distros pyverbs itself crashes after a skipped
test (seen on trixie's rdma-core 56: segfaults after dma-buf and mlx5
skips); a crash is reported as "PYV-CRASH module status" and costs only
the rest of that module.
"""
import importlib.machinery
import os
import signal
import sys
import re
import subprocess
import unittest

VENDOR_MODULES = re.compile(r"tests\.test_(mlx5|efa|irdma|cuda)")


class TestTimeout(Exception):
    pass


def on_alarm(signum, frame):
    raise TestTimeout("the test did not finish in time")


class LineResult(unittest.TestResult):
    timeout = 0

    def startTest(self, test):
        super().startTest(test)
        signal.alarm(self.timeout)

    def stopTest(self, test):
        signal.alarm(0)
        super().stopTest(test)
    def _say(self, status, test, reason=""):
        reason = " ".join(str(reason).split())[:200]
        print(f"PYV {status} {test.id()} {reason}".rstrip(), flush=True)

    def addSuccess(self, test):
        super().addSuccess(test)
        self._say("ok", test)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._say("skip", test, reason)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._say("fail", test, err[1])

    def addError(self, test, err):
        super().addError(test, err)
        self._say("error", test, err[1])

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._say("ok", test, "expected failure")

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._say("fail", test, "unexpected success")


def main():
    tests_dir = os.path.abspath(sys.argv[1])
    sys.path.insert(0, tests_dir)
    from args_parser import parser          # the suite's own options

    args = sys.argv[2:]
    timeout = 0
    if args[:1] == ["--timeout"]:
        timeout, args = int(args[1]), args[2:]
    sys.argv = [sys.argv[0]] + args
    parser.parse_args()                     # consumes --dev/--gid, leaves ids
    ids = [a for a in sys.argv[1:] if not a.startswith("-")]
    pkg = importlib.machinery.SourceFileLoader(
        "tests", os.path.join(tests_dir, "__init__.py")).load_module()
    loader = unittest.TestLoader()
    if ids:
        suite = unittest.TestSuite()
        for i in ids:
            suite.addTests(loader.loadTestsFromName(i))
    else:
        for mod in pkg.__test_modules__:
            if VENDOR_MODULES.match(mod.__name__):
                continue
            rc = subprocess.call([sys.executable, os.path.abspath(__file__), tests_dir,
                                  "--timeout", str(timeout)] + args + [mod.__name__])
            if rc:
                print(f"PYV-CRASH {mod.__name__} {rc}", flush=True)
        print("PYV-SUMMARY whole suite", flush=True)
        return
    signal.signal(signal.SIGALRM, on_alarm)
    result = LineResult()
    result.timeout = timeout
    suite.run(result)
    print(f"PYV-SUMMARY ran={result.testsRun}", flush=True)


if __name__ == "__main__":
    main()
