#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# build.sh [--sparse] RELEASE - build rxe-odp for one target, inside its
# tree, with the compiler that built its kernel:
#   - the kernel modules (W=1; any compiler or modpost warning fails),
#     installed into /lib/modules/KVER/updates/ of the tree, so that
#     modprobe prefers them to the in-tree rdma_rxe;
#   - the C tests under tests/, linked against the tree's libibverbs;
#   - our rdma-core provider (userspace/providers/rxe), librxe-rdmavN.so in
#     /opt/rxe-odp/build/provider, against the rdma-core source that
#     provision.sh unpacked in /opt/rxe-odp/rdma-core (any compiler
#     warning fails).
# --sparse: build the modules with sparse (C=2) instead; any report fails.
# RELEASE "debug" is the debug kernel (tools/debug-kernel.sh) in the trixie
# tree: the modules build in a source copy of their own, so that its
# objects and generated compat header do not mix with trixie's; the
# tests and the provider are trixie's.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
repo=$(dirname "$here")

sparse=0
[ "${1:-}" = --sparse ] && { sparse=1; shift; }
rel=${1:?usage: build.sh [--sparse] RELEASE}
moddir=/opt/rxe-odp/src/kernel
if [ "$rel" = debug ]; then
	root=$(rxe_root trixie)
	kver=$(cat "$root/opt/rxe-odp/debug/kver" 2>/dev/null) ||
		die "no debug kernel: run tools/provision.sh debug"
	moddir=/opt/rxe-odp/debug/kernel-src
	log=$root/opt/rxe-odp/debug/modules.log
else
	root=$(rxe_root "$rel")
	kver=$(rxe_kver "$rel")
	log=$root/opt/rxe-odp/build.log
fi
[ -f "$root/.rxe-odp-stamp" ] || die "no $rel tree: run tools/provision.sh $rel"

# Stage the sources into the tree. Build products are excluded, so they
# survive for an incremental build; everything else mirrors the repo.
mkdir -p "$root/opt/rxe-odp/src" "$root/opt/rxe-odp/build"
stage() {
	rsync -a --delete --exclude=.git --exclude='*.o' --exclude='*.ko' \
		--exclude='*.mod' --exclude='*.mod.c' --exclude='.*.cmd' \
		--exclude=Module.symvers --exclude=modules.order --exclude=generated \
		--exclude=.tmp_versions --exclude='*.a' "$1" "$2"
}
stage "$repo/" "$root/opt/rxe-odp/src/"
[ "$moddir" = /opt/rxe-odp/src/kernel ] || { mkdir -p "$root$moddir"; stage "$repo/kernel/" "$root$moddir/"; }

# check_log WHAT [LOG] - LOG (default: the module build's) has no warning.
check_log() {
	local l=${2:-$log}
	if grep -nE 'warning:|WARNING:|error:' "$l" >/dev/null; then
		grep -nE -B2 -A4 'warning:|WARNING:|error:' "$l" | head -60 >&2
		die "$1 of $rel ($kver) is not clean; full log: $l"
	fi
}

if [ $sparse = 1 ]; then
	msg "sparse (C=2) on $rel ($kver)"
	record=/opt/rxe-odp/sparse-checked.txt
	: > "$root$record"
	in_tree "$root" make -C $moddir KVER="$kver" clean >/dev/null 2>&1 || true
	# Debian's headers lack scripts/checker-valid.sh, so kbuild would call
	# sparse unavailable and skip it silently: force KBUILD_CHECKSRC, and
	# prove through the wrapper's record that every source was checked.
	in_tree "$root" env SPARSE_RECORD="$record" make -C $moddir \
		KVER="$kver" KBUILD_CHECKSRC=2 \
		CHECK=/opt/rxe-odp/src/tools/sparse-checked.sh > "$log" 2>&1 ||
		{ tail -30 "$log" >&2; die "sparse build failed for $rel"; }
	sed -i '/C=2 specified, but .* is not available or not up to date/d' "$log"
	check_log "sparse"
	want=$(cd "$repo/kernel" && find drivers -name '*.c' | sort)
	got=$(sed 's|^.*/kernel/||; s|^\./||' "$root$record" | grep '^drivers/' | sort -u)
	[ "$want" = "$got" ] || die "sparse did not check every source: checked [$got], want [$want]"
	msg "sparse clean: $rel ($kver), $(echo "$want" | wc -l) files checked"
	exit 0
fi

msg "building modules for $rel ($kver)"
in_tree "$root" make -C $moddir KVER="$kver" > "$log" 2>&1 ||
	{ tail -40 "$log" >&2; die "module build failed for $rel ($kver); log: $log"; }
check_log "the module build"
in_tree "$root" make -s -C $moddir KVER="$kver" INSTALL_ROOT=/ install >> "$log" 2>&1 ||
	{ tail -20 "$log" >&2; die "module install failed for $rel"; }
in_tree "$root" depmod -a "$kver"

msg "building C tests for $rel"
in_tree "$root" make -s -C /opt/rxe-odp/src/tests OUT=/opt/rxe-odp/build/tests > "$log.tests" 2>&1 ||
	{ tail -40 "$log.tests" >&2; die "C test build failed for $rel; log: $log.tests"; }

msg "building our rdma-core provider for $rel"
[ -f "$root/opt/rxe-odp/rdma-core/CMakeLists.txt" ] ||
	die "no rdma-core source in the $rel tree: run tools/provision.sh $rel"
# The provider's generated headers (build/provider/include) come from that
# source: regenerate them when provision.sh has unpacked a new one.
[ ! "$root/opt/rxe-odp/rdma-core/.rxe-odp-source" -nt "$root/opt/rxe-odp/build/provider/include/.stamp" ] ||
	rm -rf "$root/opt/rxe-odp/build/provider"
in_tree "$root" make -C /opt/rxe-odp/src/userspace/providers/rxe \
	RDMA_CORE=/opt/rxe-odp/rdma-core OUT=/opt/rxe-odp/build/provider > "$log.provider" 2>&1 ||
	{ tail -40 "$log.provider" >&2; die "provider build failed for $rel; log: $log.provider"; }
check_log "the provider build" "$log.provider"
