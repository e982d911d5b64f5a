#!/bin/bash
# rxe-test: setup=rxe0 timeout=60
# rmmod while a process holds the device open (a uverbs context with a
# PD): the module goes, the process is told (its verbs fail from then on)
# and exits cleanly; the module loads again afterwards.
set -eu
. "$RXE_SRC/tests/lib/rxe.sh"

fifo=$(mktemp -u); mkfifo "$fifo"
# Holds a context (ibv_open_device + alloc_pd) until stdin closes.
"$RXE_BUILD/tests/verbs/open_device_and_pd" --hold < "$fifo" > hold.log 2>&1 &
holder=$!
exec 3> "$fifo"
wait_for 20 grep -q holding hold.log || fail "holder did not open the device: $(cat hold.log)"
rmmod rdma_rxe || fail "rmmod refused while a process uses the device"
rxe_ours_loaded && fail "driver still loaded after rmmod"
rxe_dev_exists "$RXE_DEV" && fail "$RXE_DEV still present after rmmod"
exec 3>&-
wait "$holder" || fail "holder failed after the device was taken: $(cat hold.log)"
rm -f "$fifo"
rxe_load || fail "the module does not load again"
note "rmmod with a user: device gone, user released cleanly, module reloads"
