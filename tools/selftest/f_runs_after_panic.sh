#!/bin/bash
# rxe-test: setup=rxe0 timeout=30
# expect: PASS
# Runs in a fresh boot after the previous test crashed the guest.
[ -e /sys/class/infiniband/rxe0 ]
