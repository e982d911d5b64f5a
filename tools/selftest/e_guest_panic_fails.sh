#!/bin/bash
# rxe-test: setup=none timeout=30
# expect: FAIL stopped unexpectedly.*console tail
echo c > /proc/sysrq-trigger
sleep 30
