# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# Helpers for the shell tests and the guest harness (sourced). A test
# exits 0 to pass, 77 to skip; its last "FAIL:"/"SKIP:" line is the reason.

RXE_DEV=${RXE_DEV:-rxe0}
RXE_NETDEV=${RXE_NETDEV:-eth0}
RXE_IP=${RXE_IP:-192.0.2.1}

fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
note() { echo "# $*"; }

# scaled N - a loop count of a stress test, as rt_scaled() in C: a third
# on a checker kernel (KASAN and lockdep), at least 1.
scaled() {
	local n=$1
	[ "${RXE_CHECKED:-0}" = 0 ] || n=$((n / 3))
	echo $((n > 0 ? n : 1))
}

# wait_for SECONDS CMD... - poll CMD every 0.2 s until it succeeds.
wait_for() {
	local end=$(( $(date +%s) + $1 )); shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.2
	done
}

# expect_fail CMD... - CMD must fail; its output is left in $out.
expect_fail() {
	if out=$("$@" 2>&1); then
		fail "'$*' succeeded but should have failed (output: $out)"
	fi
	note "'$*' failed as expected: $out"
}

# rxe_ours_loaded - rdma_rxe is loaded and it is our module, not the in-tree one.
rxe_ours_loaded() {
	case $(cat /sys/module/rdma_rxe/version 2>/dev/null) in
	rxe-odp-*) return 0;;
	*) return 1;;
	esac
}

# rxe_load - load our rdma_odp and rdma_rxe, and the provider the run
# asks for ($RXE_PROVIDER: ours, the default, or stock).
rxe_load() {
	# The in-tree driver shares our module name: never mistake it for ours.
	if [ -d /sys/module/rdma_rxe ] && ! rxe_ours_loaded; then
		rxe_unload || return 1
	fi
	modprobe rdma_odp || return 1
	modprobe rdma_rxe || return 1
	rxe_ours_loaded || { echo "the loaded rdma_rxe is not ours" \
		"(version '$(cat /sys/module/rdma_rxe/version 2>/dev/null)')"; return 1; }
	provider_use "${RXE_PROVIDER:-ours}"
}

# stock_load - load the kernel's own (in-tree) rdma_rxe instead of ours,
# and the distro's provider: the whole stock stack.
stock_load() {
	local f dep
	rxe_unload || return 1
	f=$(ls /lib/modules/"$(uname -r)"/kernel/drivers/infiniband/sw/rxe/rdma_rxe.ko* 2>/dev/null)
	[ -n "$f" ] || { echo "this kernel has no in-tree rdma_rxe"; return 1; }
	for dep in $(modinfo -F depends "$f" | tr ',' ' '); do
		modprobe "$dep" || return 1
	done
	insmod "$f" || return 1
	! rxe_ours_loaded || return 1
	provider_use stock
}

# The rxe provider libibverbs loads (librxe-rdmavN.so, N its private ABI),
# and ours of the same name (userspace/providers/rxe, built by build.sh).
RXE_PROVIDER_DIR=/usr/lib/x86_64-linux-gnu/libibverbs
RXE_OUR_PROVIDER_DIR=/opt/rxe-odp/build/provider

# provider_path - the distro's rxe provider library.
provider_path() {
	local f
	for f in "$RXE_PROVIDER_DIR"/librxe-rdmav*.so; do
		[ -e "$f" ] && { echo "$f"; return 0; }
	done
	echo "no rxe provider (librxe-rdmavN.so) in $RXE_PROVIDER_DIR" >&2
	return 1
}

# provider_mounted PATH - PATH is a mount point (our bind mount).
provider_mounted() {
	awk -v p="$1" '$2 == p { found = 1 } END { exit !found }' /proc/self/mounts
}

# provider_use ours|stock - the rxe provider that processes started from
# now on load: ours, bind-mounted over the distro's librxe-rdmavN.so (the
# root may be read-only: a bind mount does not write to it), or the
# distro's own. Idempotent.
provider_use() {
	local lib ours
	lib=$(provider_path) || return 1
	case $1 in
	ours)
		ours=$RXE_OUR_PROVIDER_DIR/${lib##*/}
		[ -f "$ours" ] || { echo "our provider $ours is missing (tools/build.sh builds it)"; return 1; }
		provider_mounted "$lib" || mount --bind "$ours" "$lib" ||
			{ echo "cannot bind-mount $ours over $lib"; return 1; }
		;;
	stock)
		while provider_mounted "$lib"; do
			umount "$lib" || { echo "cannot unmount our provider from $lib"; return 1; }
		done
		;;
	*)
		echo "unknown provider '$1' (ours or stock)"; return 1 ;;
	esac
}

# provider_has_advise_mr - the provider new processes load implements
# ibv_advise_mr: ours always, the distro's librxe from rdma-core 57 on.
provider_has_advise_mr() {
	local ver
	[ "$(provider_current)" = ours ] && return 0
	ver=$(dpkg-query -W -f '${Version}' libibverbs1 2>/dev/null | sed 's/^[0-9]*://; s/[^0-9.].*//')
	[ "${ver%%.*}" -ge 57 ] 2>/dev/null
}

# provider_current - which rxe provider new processes load: ours or stock.
provider_current() {
	local lib
	lib=$(provider_path) || return 1
	if provider_mounted "$lib"; then echo ours; else echo stock; fi
}

# rxe_gid_index DEV - index of the device's RoCE v2 GID for its IPv4 address.
rxe_gid_index() {
	local g i
	for g in /sys/class/infiniband/"$1"/ports/1/gids/*; do
		i=${g##*/}
		case $(cat "$g") in
		0000:0000:0000:0000:0000:ffff:*)
			[ "$(cat /sys/class/infiniband/"$1"/ports/1/gid_attrs/types/"$i" 2>/dev/null)" = "RoCE v2" ] &&
				{ echo "$i"; return 0; } ;;
		esac
	done
	return 1
}

# rxe_gid6_index DEV - index of the device's RoCE v2 GID for its IPv6
# link-local address.
rxe_gid6_index() {
	local g i
	for g in /sys/class/infiniband/"$1"/ports/1/gids/*; do
		i=${g##*/}
		case $(cat "$g") in
		fe80:*)
			[ "$(cat /sys/class/infiniband/"$1"/ports/1/gid_attrs/types/"$i" 2>/dev/null)" = "RoCE v2" ] &&
				{ echo "$i"; return 0; } ;;
		esac
	done
	return 1
}

# rxe_devices - names of all RDMA devices (all are ours in a guest).
rxe_devices() { ls /sys/class/infiniband 2>/dev/null; }

rxe_dev_exists() { [ -e "/sys/class/infiniband/$1" ]; }
rxe_dev_gone() { ! rxe_dev_exists "$1"; }

rxe_add() { rdma link add "$1" type rxe netdev "$2"; }

rxe_delete_all() {
	local d
	for d in $(rxe_devices); do
		rdma link delete "$d" || return 1
	done
	wait_for 20 test -z "$(rxe_devices)"
}

rxe_unload() {
	[ -d /sys/module/rdma_rxe ] || [ -d /sys/module/rdma_odp ] || return 0
	rxe_delete_all || { echo "cannot delete RDMA links"; return 1; }
	if [ -d /sys/module/rdma_rxe ]; then rmmod rdma_rxe || return 1; fi
	if [ -d /sys/module/rdma_odp_test ]; then rmmod rdma_odp_test || return 1; fi
	if [ -d /sys/module/rdma_odp ]; then rmmod rdma_odp || return 1; fi
}

# port_state DEV - the port's state name (ACTIVE, DOWN, ...).
port_state() { sed 's/^[0-9]*: *//' "/sys/class/infiniband/$1/ports/1/state"; }

# netdev_up_with_ip - the test netdev is up and has its address.
netdev_setup() {
	ip link set "$RXE_NETDEV" mtu 1500 up || return 1
	ip -4 addr show dev "$RXE_NETDEV" | grep -q "inet $RXE_IP/" ||
		ip addr add "$RXE_IP/24" dev "$RXE_NETDEV"
}

# run_pair SECONDS 'SERVER CMD' 'CLIENT CMD' - run a server in the
# background and its client against it (both on this guest); both must
# exit 0 within SECONDS. Their output goes to $RXE_PAIR_LOG (printed on
# failure). The client is started once the server has had a second to
# listen, and retried a few times while the server is still starting.
run_pair() { run_pair_on here here "$@"; }

# run_pair_on SERVER_SIDE CLIENT_SIDE SECONDS 'SERVER CMD' 'CLIENT CMD' -
# run_pair with each end on this guest ("here") or on the peer guest
# ("peer", see tests/lib/peer.py; its commands see the peer's $RXE_IP).
run_pair_on() {
	local sside=$1 cside=$2 secs=$3 server=$4 client=$5
	local spid rc=0 src=0 try log=${RXE_PAIR_LOG:-/tmp/pair.log}
	: > "$log"
	if [ "$sside" = peer ]; then
		peer start pair-server "$secs" "$server" > "$log.server" 2>&1 ||
			{ cat "$log.server"; return 1; }
	else
		timeout "$secs" bash -c "$server" > "$log.server" 2>&1 &
		spid=$!
	fi
	sleep 1
	for try in 1 2 3 4 5; do
		if [ "$cside" = peer ]; then
			peer run "$secs" "$client" > "$log.client" 2>&1 && { rc=0; break; }
		else
			timeout "$secs" bash -c "$client" > "$log.client" 2>&1 && { rc=0; break; }
		fi
		rc=$?
		grep -qiE "connection refused|couldn't connect|unable to connect|Failed to connect|ECONNREFUSED" "$log.client" || break
		sleep 1
	done
	if [ "$sside" = peer ]; then
		peer wait pair-server "$secs" > "$log.server" 2>&1 || src=$?
	else
		wait "$spid" || src=$?
	fi
	if [ "$src" != 0 ]; then
		note "server exit status $src"
		[ "$rc" = 0 ] && rc=$src
	fi
	{ echo "--- server ($sside): $server"; cat "$log.server"
	  echo "--- client ($cside): $client"; cat "$log.client"; } >> "$log"
	if [ "$rc" != 0 ]; then
		sed 's/^/# /' "$log" | tail -40
		return 1
	fi
	return 0
}

# peer OP ARGS... - talk to the peer guest's agent (tests/lib/peer.py).
peer() { python3 "$RXE_SRC/tests/lib/peer.py" "$@"; }

# peer_ready - the peer guest is up with its device (waits for its boot).
peer_ready() {
	[ -n "${RXE_PEER:-}" ] || { echo "this guest has no peer"; return 1; }
	peer ping 300
}

# use_stack stock|ours - the kernel's in-tree rdma_rxe or ours, with only
# $RXE_DEV on $RXE_NETDEV, its port ACTIVE (for side-by-side runs).
use_stack() {
	case $1 in
	stock) stock_load || return 1 ;;
	ours) rxe_load || return 1 ;;
	*) echo "unknown stack '$1'"; return 1 ;;
	esac
	rxe_delete_all || return 1
	rxe_add "$RXE_DEV" "$RXE_NETDEV" || return 1
	wait_for 20 test "$(port_state "$RXE_DEV")" = ACTIVE
}

# stack_has_odp - the loaded stack's $RXE_DEV reports RC ODP WRITE (the
# in-tree drivers before 7.x report no ODP caps)
stack_has_odp() {
	ibv_devinfo -d "$RXE_DEV" -v 2>/dev/null | sed -n '/rc_odp_caps/,/uc_odp_caps/p' |
		grep -q SUPPORT_WRITE
}

# note_counters WHAT NAME... - note the named hardware counters of $RXE_DEV
# (those the loaded stack has), for a benchmark's log
note_counters() {
	local what=$1 pat
	shift
	pat=$(IFS='|'; echo "$*")
	note "$what: $(rdma statistic show link "$RXE_DEV/1" 2>/dev/null |
		grep -oE "\b($pat) [0-9]+" | tr '\n' ' ')"
}

# use_odp_stack stock|ours - use_stack, then return 1 (with a note) if the
# stack's device reports no RC ODP: a round of an ODP benchmark starts so
use_odp_stack() {
	use_stack "$1" || fail "cannot bring up the $1 stack"
	stack_has_odp && return 0
	note "$1: the device reports no RC ODP: left out"
	return 1
}

# bench_alternate ROUND - a benchmark's repetitions, RXE_T_BENCH_REPS of
# them (default 5), each running "ROUND stock REP" (where the kernel has an
# in-tree rdma_rxe) and then "ROUND ours REP" in the same boot. A stock
# round that returns 1 (the stock driver lacks what is measured, e.g. ODP)
# leaves the stock stack out of the repetitions that follow.
bench_alternate() {
	local rep stock=no
	ls /lib/modules/"$(uname -r)"/kernel/drivers/infiniband/sw/rxe/rdma_rxe.ko* \
		>/dev/null 2>&1 && stock=yes
	for rep in $(seq 1 "${RXE_T_BENCH_REPS:-5}"); do
		if [ $stock = yes ] && ! "$1" stock "$rep"; then
			stock=no
		fi
		"$1" ours "$rep"
	done
}

# The time one run of a benchmark may take (seconds of guest time).
BENCH_RUN_SECS=${RXE_T_BENCH_RUN_SECS:-120}

# bench_run_failed STACK WHAT - one run of a benchmark failed or did not
# finish within $BENCH_RUN_SECS: on ours that fails the
# benchmark; the stock stack is noted and left out (return 1: its round
# ends there, and bench_alternate goes on with ours alone). A stuck stock
# driver then costs one run's timeout instead of the whole benchmark.
bench_run_failed() {
	[ "$1" = stock ] || fail "$2 on ours"
	note "stock: $2 failed or did not finish within $BENCH_RUN_SECS s: the stock stack is left out from here on"
	return 1
}

# bench_val KEY TEXT - the value of the "KEY VALUE" line of TEXT (a perf/src
# tool's output)
bench_val() { awk -v k="$1" '$1 == k { print $2 }' <<< "$2"; }

# bench_build NAME... - build perf/src/NAME.c (with the C tests' helpers)
# into /tmp/NAME; fails the benchmark if one does not build
bench_build() {
	local b
	for b in "$@"; do
		gcc -O2 -std=gnu11 -D_GNU_SOURCE -I"$RXE_SRC/tests/lib" -o "/tmp/$b" \
			"$RXE_SRC/perf/src/$b.c" "$RXE_SRC/tests/lib/rxe_test.c" \
			-libverbs -lrdmacm -lpthread || fail "cannot build $b"
	done
}

# bench_record BENCHMARK STACK REPETITION VALUE UNIT - one raw result row
# of a perf/ benchmark; `make bench` turns the rows into its report.
bench_record() {
	case $1 in *,*) fail "benchmark name '$1' has a comma (the rows are CSV)" ;; esac
	mkdir -p "$RXE_RESULTS/bench"
	echo "$1,$2,$3,$4,$5" >> "$RXE_RESULTS/bench/$(basename "$0" .sh).csv"
	note "$1 [$2 #$3]: $4 $5"
}
