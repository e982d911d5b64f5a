#!/bin/bash
# rxe-test: setup=none timeout=3
# expect: FAIL guest hung.*console tail
# Stop our `timeout` supervisor, so nothing in the guest ends this test:
# only the host's deadline can.
kill -STOP "$PPID"
sleep 1000
