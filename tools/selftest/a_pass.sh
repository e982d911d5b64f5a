#!/bin/bash
# rxe-test: setup=rxe0 timeout=30
# expect: PASS
# A plain passing test: the harness's setup gave us rxe0.
[ -e /sys/class/infiniband/rxe0 ]
