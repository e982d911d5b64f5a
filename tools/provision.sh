#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# provision.sh RELEASE - make (or refresh) the build-and-boot tree of one
# target: a debootstrap'd Debian RELEASE holding its kernel image and
# headers, the compiler that built that kernel, and the RDMA userspace.
#
# The tree lives in $RXE_CACHE/roots/RELEASE (default ~/.cache/rxe-odp).
# A stamp inside it records the package list; a changed list installs the
# difference, a changed base (release, mirror, layout version) rebuilds.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

rel=${1:?usage: provision.sh RELEASE}
case $rel in sid|trixie|bookworm) ;; *) die "unknown release '$rel'";; esac

root=$(rxe_root "$rel")
mirror=${RXE_MIRROR:-http://deb.debian.org/debian}
base_version=1	# bump to force a rebuild of every tree

# Everything the guests and the in-tree builds need.
pkgs=(
	linux-image-amd64 linux-headers-amd64 make libc6-dev gcc
	kmod iproute2 procps iputils-ping ethtool psmisc perl
	rdma-core ibverbs-utils ibverbs-providers rdmacm-utils perftest
	python3-pyverbs libibverbs-dev librdmacm-dev
)
[ "$rel" = sid ] && pkgs+=(sparse)

base_stamp="base=$base_version release=$rel mirror=$mirror"
stamp_file=$root/.rxe-odp-stamp

apt_in_tree() {
	in_tree "$root" apt-get -q -y -o Dpkg::Options::=--force-confdef \
		-o Dpkg::Options::=--force-confold --no-install-recommends "$@"
}

create_tree() {
	msg "provisioning $rel tree in $root (debootstrap, a few minutes)"
	rm -rf "$root.new"
	mkdir -p "$(dirname "$root")"
	debootstrap --variant=minbase --arch=amd64 "$rel" "$root.new" "$mirror" \
		> "$root.new.log" 2>&1 || { tail -20 "$root.new.log"; die "debootstrap $rel failed"; }
	rm -f "$root.new.log"
	echo 'Acquire::Check-Valid-Until "false";' > "$root.new/etc/apt/apt.conf.d/90rxe-odp"
	echo 'APT::Install-Recommends "false";' >> "$root.new/etc/apt/apt.conf.d/90rxe-odp"
	printf '#!/bin/sh\nexit 101\n' > "$root.new/usr/sbin/policy-rc.d"
	chmod +x "$root.new/usr/sbin/policy-rc.d"
	# Our guests boot from a busybox initramfs of our own: skip the
	# distro's initramfs generation, which is slow and unused.
	chroot "$root.new" dpkg-divert --local --rename --add /usr/sbin/update-initramfs >/dev/null
	ln -sf /bin/true "$root.new/usr/sbin/update-initramfs"
	mkdir -p "$root.new/opt/rxe-odp" "$root.new/results"
	echo rxe-guest > "$root.new/etc/hostname"
	rm -rf "$root"
	mv "$root.new" "$root"
	echo "$base_stamp" > "$stamp_file"
}

if [ ! -f "$stamp_file" ] || [ "$(head -1 "$stamp_file")" != "$base_stamp" ]; then
	create_tree
fi

want=$(printf '%s\n' "${pkgs[@]}" | sort)
have=$(tail -n +2 "$stamp_file" | sort)
if [ "$want" != "$have" ]; then
	msg "installing packages into the $rel tree"
	apt_in_tree update > "$root/var/log/rxe-odp-apt.log" 2>&1 ||
		{ tail -20 "$root/var/log/rxe-odp-apt.log"; die "apt-get update failed in $rel tree"; }
	apt_in_tree install "${pkgs[@]}" >> "$root/var/log/rxe-odp-apt.log" 2>&1 ||
		{ tail -30 "$root/var/log/rxe-odp-apt.log"; die "package install failed in $rel tree"; }
	apt_in_tree clean >/dev/null 2>&1 || true
	{ echo "$base_stamp"; echo "$want"; } > "$stamp_file"
fi

kver=$(rxe_kver "$rel")
[ -n "$kver" ] || die "no kernel found in the $rel tree"
msg "$rel tree ready: kernel $kver"
