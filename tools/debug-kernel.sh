#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# debug-kernel.sh - build (or reuse) the debug target's kernel: Debian
# trixie's linux-source-6.12, configured as x86_64_defconfig +
# kvm_guest.config + tools/debug/kernel.config (KASAN, lockdep, kmemleak,
# fault injection, ODP), built inside the trixie tree with its compiler.
#
# Everything lands in the trixie tree, which the debug target boots from:
#   /opt/rxe-odp/debug/linux     the build tree (our modules build against it)
#   /opt/rxe-odp/debug/bzImage   the kernel the guest boots
#   /opt/rxe-odp/debug/kver      its release string
#   /lib/modules/KVER            its modules (build -> the build tree)
# The image is kept out of /boot so that the trixie target still boots
# Debian's kernel. A stamp of the source version, this script and the
# config fragment makes a second run a no-op; a changed fragment rebuilds
# incrementally. RXE_BUILD_JOBS: make's -j (default: the host's CPUs).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

root=$(rxe_root trixie)
[ -f "$root/.rxe-odp-stamp" ] || die "no trixie tree: run tools/provision.sh trixie"
fragment=$here/debug/kernel.config
dir=$root/opt/rxe-odp/debug
src=/opt/rxe-odp/debug/linux	# inside the tree
log=$dir/build.log

tarball=$(cd "$root" && ls usr/src/linux-source-6.12.tar.* 2>/dev/null | head -1) ||
	true
[ -n "$tarball" ] || die "no linux-source-6.12 in the trixie tree (tools/provision.sh trixie installs it)"
srcver=$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f '${Version}' linux-source-6.12)
stamp="source=$srcver script=$(sha256sum < "$0" | cut -c1-16) config=$(sha256sum < "$fragment" | cut -c1-16)"

if [ -f "$dir/stamp" ] && [ "$(cat "$dir/stamp")" = "$stamp" ] && [ -f "$dir/bzImage" ]; then
	exit 0
fi
mkdir -p "$dir"

if [ ! -f "$dir/source" ] || [ "$(cat "$dir/source")" != "$srcver" ]; then
	msg "unpacking linux-source-6.12 $srcver for the debug kernel"
	rm -rf "$root$src" "$dir/source"
	mkdir -p "$root$src"
	tar -xaf "$root/$tarball" -C "$root$src" --strip-components=1 --no-same-owner ||
		die "cannot unpack $tarball"
	echo "$srcver" > "$dir/source"
fi

msg "configuring the debug kernel (log: $log)"
cp "$fragment" "$root$src/rxe-odp-debug.config"
in_tree "$root" sh -c "cd $src && make -s x86_64_defconfig &&
	scripts/kconfig/merge_config.sh -m .config kernel/configs/kvm_guest.config rxe-odp-debug.config &&
	make -s olddefconfig" > "$log" 2>&1 ||
	{ tail -30 "$log" >&2; die "configuring the debug kernel failed"; }

# Every option the fragment sets must have survived the dependency rules.
cfg=$root$src/.config
bad=
while read -r line; do
	case $line in
	CONFIG_*=*)
		grep -qxF "$line" "$cfg" || bad="$bad ${line} (got: $(grep "^${line%%=*}=" "$cfg" || echo unset))" ;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }; opt=${opt%% *}
		! grep -q "^$opt=" "$cfg" || bad="$bad $opt unwanted" ;;
	esac
done < "$fragment"
[ -z "$bad" ] || die "the debug kernel config lost options:$bad"

msg "building the debug kernel (about 15-30 minutes on 2 cores; log: $log)"
in_tree "$root" sh -c "cd $src && make -j${RXE_BUILD_JOBS:-$(nproc)} bzImage modules" >> "$log" 2>&1 ||
	{ grep -E 'error|Error' "$log" | head -20 >&2; tail -20 "$log" >&2; die "debug kernel build failed"; }
kver=$(in_tree "$root" make -s -C "$src" kernelrelease)
in_tree "$root" sh -c "cd $src && rm -rf /lib/modules/$kver &&
	make -s INSTALL_MOD_STRIP=1 modules_install && depmod -a $kver" >> "$log" 2>&1 ||
	{ tail -20 "$log" >&2; die "installing the debug kernel's modules failed"; }
cp "$root$src/arch/x86/boot/bzImage" "$dir/bzImage.new"
mv "$dir/bzImage.new" "$dir/bzImage"
echo "$kver" > "$dir/kver"
echo "$stamp" > "$dir/stamp"
msg "debug kernel ready: $kver"
