#!/bin/bash
# rxe-test: setup=rxe0 timeout=60
# The port's active MTU is the largest IB MTU whose RoCEv2 packet fits the
# netdev MTU: 1500 -> 1024, 9000 -> 4096, 1100 -> 512.
set -eu
. "$RXE_SRC/tests/lib/rxe.sh"

mtu_of() { ibv_devinfo -d "$RXE_DEV" | sed -n 's/.*active_mtu:[[:space:]]*\([0-9]*\).*/\1/p'; }
check() {
	ip link set "$RXE_NETDEV" mtu "$1" || fail "cannot set netdev mtu $1"
	[ "$(mtu_of)" = "$2" ] || fail "netdev mtu $1: active_mtu $(mtu_of), expected $2"
}
check 1500 1024
check 9000 4096
check 1100 512
check 1500 1024
