#!/bin/bash
# rxe-test: setup=modules timeout=30
# expect: FAIL kernel report in the guest log
# The test itself succeeds, but a kernel report appears while it runs.
echo "WARNING: CPU: 0 PID: $$ at selftest.c:1 selftest_warn+0x0/0x0" > /dev/kmsg
exit 0
