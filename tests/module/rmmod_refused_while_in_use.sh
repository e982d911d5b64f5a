#!/bin/bash
# rxe-test: setup=rxe0 timeout=60
# While a process holds the device open (a uverbs context), the module
# cannot be unloaded; once the process exits it can.
set -eu
. "$RXE_SRC/tests/lib/rxe.sh"

fifo=$(mktemp -u); mkfifo "$fifo"
# Holds a context (ibv_open_device + alloc_pd) until stdin closes.
"$RXE_BUILD/tests/verbs/open_device_and_pd" --hold < "$fifo" > hold.log 2>&1 &
holder=$!
exec 3> "$fifo"
wait_for 20 grep -q holding hold.log || fail "holder did not open the device: $(cat hold.log)"
expect_fail rmmod rdma_rxe
rxe_ours_loaded || fail "driver gone while in use"
exec 3>&-
wait "$holder" || fail "holder failed: $(cat hold.log)"
rm -f "$fifo"
rmmod rdma_rxe || fail "rmmod failed after the user left"
