# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Shared helpers of the host-side scripts (sourced, not run).

RXE_CACHE=${RXE_CACHE:-$HOME/.cache/rxe-odp}

msg() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# rxe_root RELEASE - path of the release's build-and-boot tree.
rxe_root() { echo "$RXE_CACHE/roots/$1"; }

# rxe_kver RELEASE - the kernel version installed in the tree (newest).
rxe_kver() {
	local root d
	root=$(rxe_root "$1")
	for d in "$root"/lib/modules/*/; do
		# (a kernel without an image in /boot, like the debug target's
		# in the trixie tree, is not the tree's own)
		if [ -f "$root/boot/vmlinuz-$(basename "$d")" ]; then basename "$d"; fi
	done | sort -V | tail -1
}

# in_tree ROOT CMD... - run CMD chrooted in ROOT with /proc, /sys and /dev
# mounted in a private mount namespace: the mounts vanish with the command,
# so a tree is never left with something mounted in it (a guest must not
# boot over a mounted tree).
in_tree() {
	unshare --mount --propagation private -- /bin/sh -c '
		r=$1; shift
		mount -t proc proc "$r/proc"
		mount -t sysfs sys "$r/sys"
		mount --rbind /dev "$r/dev"
		exec chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
	' in_tree "$@"
}
