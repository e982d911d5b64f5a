#!/bin/bash
# rxe-test: setup=none timeout=60 mem=768 smp=2 swap=256 numa=2
# The per-test guest options reach the guest: 768 MiB of RAM split over
# two NUMA nodes with one CPU each, and a 256 MiB swap device in use
# (the ODP tests of swap-out and page migration depend on these).
set -eu
. "$RXE_SRC/tests/lib/rxe.sh"

[ "$(nproc)" = 2 ] || fail "nproc $(nproc), expected 2"
nodes=$(ls -d /sys/devices/system/node/node[0-9]* | wc -l)
[ "$nodes" = 2 ] || fail "$nodes NUMA nodes, expected 2"
for n in 0 1; do
	[ -n "$(cat /sys/devices/system/node/node$n/cpulist)" ] || fail "node$n has no CPU"
	kb=$(awk '/MemTotal/ {print $4}' /sys/devices/system/node/node$n/meminfo)
	[ "$kb" -gt $((300 * 1024)) ] || fail "node$n has only $kb KiB"
done
total=$(awk '/^MemTotal/ {print $2}' /proc/meminfo)
[ "$total" -gt $((600 * 1024)) ] && [ "$total" -le $((768 * 1024)) ] ||
	fail "MemTotal $total KiB for a 768 MiB guest"
swap=$(awk '/^SwapTotal/ {print $2}' /proc/meminfo)
[ "$swap" -gt $((250 * 1024)) ] && [ "$swap" -le $((256 * 1024)) ] ||
	fail "SwapTotal $swap KiB, expected 256 MiB"
note "cpus 2, nodes 2, MemTotal $total KiB, SwapTotal $swap KiB"
