#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Guest side of the rxe-odp test runner: PID 1 inside the target's tree.
# Reads /results/run.conf and /results/tests.list (written by tools/vm.py),
# runs each test with its timeout and setup, and reports on the console:
#   @@RXE READY / BEGIN name timeout / END name status reason / OUT line / DONE
# Per test, its output goes to /results/logs/NAME.log and the kernel log
# of its run (setup included) to /results/logs/NAME.dmesg, which the host
# scans for kernel warnings.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export LANG=C.UTF-8 HOME=/root TERM=${TERM:-linux}

src=/opt/rxe-odp/src
export RXE_SRC=$src RXE_BUILD=/opt/rxe-odp/build RXE_RESULTS=/results
. "$src/tests/lib/rxe.sh"

say() { printf '@@RXE %s\n' "$*"; }

poweroff_now() {
	sync
	echo o > /proc/sysrq-trigger
	sleep 60
}

mount_system() {
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev
	mkdir -p /dev/pts /dev/shm
	# devtmpfs has no /dev/fd & co.; bash's <(...) and many tools need them
	ln -sfn /proc/self/fd /dev/fd
	ln -sfn /proc/self/fd/0 /dev/stdin
	ln -sfn /proc/self/fd/1 /dev/stdout
	ln -sfn /proc/self/fd/2 /dev/stderr
	mount -t devpts devpts /dev/pts
	mount -t tmpfs tmpfs /dev/shm
	mount -t tmpfs tmpfs /run
	mount -t tmpfs tmpfs /tmp
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	mount -t configfs configfs /sys/kernel/config 2>/dev/null
	echo 1 > /proc/sys/kernel/sysrq
	hostname rxe-guest
}

setup_machine() {
	modprobe virtio_net 2>/dev/null
	ip link set lo up
	netdev_setup
	if [ "${RXE_SWAP:-0}" = 1 ]; then
		modprobe virtio_blk 2>/dev/null
		if wait_for 10 test -b /dev/vda && mkswap /dev/vda >/dev/null &&
		   swapon /dev/vda; then
			:
		else
			echo "harness: the swap disk could not be enabled"
		fi
	fi
	ulimit -l unlimited
	ulimit -c 0
}

# normalize SETUP - bring the stack into the state a test asks for:
#   none     our modules unloaded
#   modules  our modules loaded, no RDMA device
#   rxe0     our modules loaded, rxe0 on the test netdev, nothing else
normalize() {
	netdev_setup || { echo "cannot set up $RXE_NETDEV"; return 1; }
	case $1 in
	none)
		rxe_unload ;;
	modules)
		rxe_load && rxe_delete_all ;;
	rxe0)
		rxe_load || return 1
		local d
		for d in $(rxe_devices); do
			[ "$d" = "$RXE_DEV" ] || rdma link delete "$d" || return 1
		done
		rxe_dev_exists "$RXE_DEV" || rxe_add "$RXE_DEV" "$RXE_NETDEV" || return 1
		wait_for 20 test "$(port_state "$RXE_DEV")" = ACTIVE ||
			{ echo "$RXE_DEV port not ACTIVE"; return 1; }
		;;
	*)
		echo "unknown setup '$1'"; return 1 ;;
	esac
}

# reason LOG - the reason line of a finished test.
reason() {
	local r
	r=$(grep -E '^(FAIL|SKIP): ' "$1" | tail -n 1 | sed -E 's/^(FAIL|SKIP): //')
	[ -n "$r" ] || r=$(grep -v '^[[:space:]]*$' "$1" | tail -n 1)
	printf '%s' "$r" | tr -d '\r' | cut -c1-300
}

# run_one NAME KIND PATH TIMEOUT SETUP
run_one() {
	local name=$1 kind=$2 path=$3 to=$4 setup=$5
	local safe=${name//\//__}
	local log=/results/logs/$safe.log dmesg=/results/logs/$safe.dmesg
	local cmd rc status why pid work

	say "BEGIN $name $to"
	dmesg -c > /dev/null
	: > "$log"
	if ! why=$(normalize "$setup" 2>&1); then
		echo "setup '$setup' failed: $why" >> "$log"
		dmesg -c > "$dmesg"
		say "END $name FAIL setup '$setup' failed: $(printf '%s' "$why" | tail -n 1)"
		return
	fi

	case $kind in
	sh) cmd=(bash "$src/$path") ;;
	bin) cmd=("$RXE_BUILD/tests/$path") ;;
	esac
	work=$(mktemp -d /tmp/rxe-test.XXXXXX)
	# timeout makes itself a process group leader: kill the whole group
	# afterwards, so a test's stray servers do not outlive it.
	(cd "$work" && exec timeout -k 10 "$to" "${cmd[@]}") >> "$log" 2>&1 < /dev/null &
	pid=$!
	wait "$pid"
	rc=$?
	pkill -KILL -g "$pid" 2>/dev/null
	rm -rf "$work"
	dmesg -c > "$dmesg"
	# the peer's kernel log counts too: a warning there fails the test
	if [ -n "${RXE_PEER:-}" ]; then
		{ echo "--- peer guest ($RXE_PEER) kernel log:"
		  peer cleanup 2>&1 | sed 's/^/peer: /'; } >> "$dmesg"
	fi

	case $rc in
	0) status=PASS why= ;;
	77) status=SKIP why=$(reason "$log") ;;
	124|137) status=FAIL why="timed out after ${to}s" ;;
	*) status=FAIL why=$(reason "$log"); why=${why:-exit status $rc} ;;
	esac
	say "END $name $status $why"
}

KMEMLEAK=/sys/kernel/debug/kmemleak
# Modules whose allocations a kmemleak report must not name.
OUR_MODULES='rdma_rxe|rdma_odp|rdma_odp_test|rxe_kverbs_test'

# leak_check - on a kernel with kmemleak (the debug target), a scan after
# the tests: a leaked object whose allocation backtrace passes through
# one of our modules fails; others (the kernel's own) are only listed.
leak_check() {
	local name=harness/kmemleak_finds_no_leak_of_ours
	local log=/results/logs/${name//\//__}.log ours
	[ -w "$KMEMLEAK" ] || return 0
	say "BEGIN $name 300"
	# kmemleak reports objects unreferenced for 5 s and seen so twice
	sleep 6
	echo scan > "$KMEMLEAK"
	echo scan > "$KMEMLEAK"
	cat "$KMEMLEAK" > "$log"
	ours=$(awk -v re="[[]($OUR_MODULES)[]]" '
		/^unreferenced object/ { n++ }
		$0 ~ re { hit[n] = 1 }
		END { c = 0; for (i in hit) c++; print c }' "$log")
	: > "/results/logs/${name//\//__}.dmesg"
	if [ "$ours" -gt 0 ]; then
		say "END $name FAIL $ours leaked object(s) allocated through our modules (of $(grep -c '^unreferenced object' "$log") reported); see the log"
	else
		say "END $name PASS"
	fi
}

final_teardown() {
	local name=harness/final_unload why
	leak_check
	say "BEGIN $name 120"
	dmesg -c > /dev/null
	if why=$(rxe_unload 2>&1); then
		dmesg -c > "/results/logs/${name//\//__}.dmesg"
		say "END $name PASS"
	else
		dmesg -c > "/results/logs/${name//\//__}.dmesg"
		say "END $name FAIL unloading our modules failed: $(printf '%s' "$why" | tail -n 1)"
	fi
}

# peer_serve - be the peer guest: rxe0 on the shared segment driven by
# the in-tree rdma_rxe and the distro's provider (RXE_PEER_DRIVER=stock)
# or ours (with the provider $RXE_PROVIDER says), then serve the primary
# guest's tests (tests/lib/peer.py) until it is switched off.
peer_serve() {
	local why
	if [ "$RXE_PEER_DRIVER" = stock ]; then
		why=$(stock_load 2>&1) || say "FATAL peer: cannot load the in-tree rdma_rxe: $why"
	else
		why=$(rxe_load 2>&1) || say "FATAL peer: cannot load our rdma_rxe: $why"
	fi
	rxe_add "$RXE_DEV" "$RXE_NETDEV" && wait_for 20 test "$(port_state "$RXE_DEV")" = ACTIVE ||
		say "FATAL peer: $RXE_DEV did not come up"
	say "PEER $RXE_PEER_DRIVER provider=$(provider_current) $RXE_IP"
	python3 "$src/tests/lib/peer.py" serve
}

main() {
	mount_system
	. /results/run.conf
	export RXE_TARGET RXE_KVER=$(uname -r)
	mkdir -p /results/logs
	setup_machine
	# what leaked before the tests (boot) is not theirs
	[ -w "$KMEMLEAK" ] && echo clear > "$KMEMLEAK"
	say "READY $(uname -r)"

	case $RXE_MODE in
	peer)
		peer_serve ;;
	test)
		while IFS=$'\t' read -r name kind path to setup; do
			[ -n "$name" ] && run_one "$name" "$kind" "$path" "$to" "$setup"
		done < /results/tests.list
		final_teardown
		;;
	demo)
		if why=$(normalize rxe0 2>&1); then
			bash "$src/tools/guest/demo.sh" 2>&1 | while IFS= read -r l; do say "OUT $l"; done
		else
			say "OUT demo setup failed: $why"
		fi
		final_teardown
		;;
	shell)
		normalize rxe0 || echo "warning: could not create $RXE_DEV"
		echo "rxe-odp guest ($RXE_TARGET, $(uname -r)): our modules loaded," \
			"$(provider_current) rxe provider, $RXE_DEV on $RXE_NETDEV."
		echo "Exit the shell to power off."
		setsid -c bash -l < /dev/ttyS0 > /dev/ttyS0 2>&1
		;;
	esac
	say DONE
	poweroff_now
}

main
poweroff_now
