#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# provision.sh RELEASE|debug - make (or refresh) the build-and-boot tree of one
# target: a debootstrap'd Debian RELEASE holding its kernel image and
# headers, the compiler that built that kernel, and the RDMA userspace.
#
# The tree lives in $RXE_CACHE/roots/RELEASE (default ~/.cache/rxe-odp).
# A stamp inside it records the package list; a changed list installs the
# difference, a changed base (release, mirror, layout version) rebuilds.
#
# It also gets, in /opt/rxe-odp/rdma-core, an unpacked rdma-core source of
# the installed libibverbs' private provider ABI, to build our provider
# (userspace/providers/rxe) against.
#
# "debug" is the debug target: the trixie tree plus the kernel that
# tools/debug-kernel.sh builds in it.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

rel=${1:?usage: provision.sh RELEASE|debug}
case $rel in
sid|trixie|bookworm) ;;
debug)	# trixie's tree, plus the debug kernel built in it
	"$here/provision.sh" trixie
	exec "$here/debug-kernel.sh" ;;
*) die "unknown release '$rel'";;
esac

root=$(rxe_root "$rel")
mirror=${RXE_MIRROR:-http://deb.debian.org/debian}
base_version=1	# bump to force a rebuild of every tree

# Everything the guests and the in-tree builds need. (python3, which the
# provider build runs, comes with python3-pyverbs.)
pkgs=(
	linux-image-amd64 linux-headers-amd64 make libc6-dev gcc
	kmod iproute2 procps iputils-ping ethtool psmisc perl
	rdma-core ibverbs-utils ibverbs-providers rdmacm-utils perftest
	python3-pyverbs libibverbs-dev librdmacm-dev
)
[ "$rel" = sid ] && pkgs+=(sparse)
# trixie's tree also builds the debug target's kernel (tools/debug-kernel.sh)
[ "$rel" = trixie ] && pkgs+=(linux-source-6.12 bc bison flex libelf-dev libssl-dev cpio xz-utils)

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

# Known rdma-core sources by private provider ABI, for an installed
# version whose orig tarball the archive does not serve (bookworm's 44.0):
# any release of the same private ABI fits a provider build.
declare -A source_of_pabi=([34]=56.1)

# tree_pabi - the private provider ABI of the tree's libibverbs, from the
# name of its stock rxe provider.
tree_pabi() {
	local f
	f=$(ls "$root"/usr/lib/x86_64-linux-gnu/libibverbs/librxe-rdmav*.so 2>/dev/null) ||
		die "no stock rxe provider (librxe-rdmavN.so) in the $rel tree"
	[ "$(echo "$f" | wc -l)" = 1 ] || die "several rxe providers in the $rel tree: $f"
	f=${f##*/librxe-rdmav}
	echo "${f%.so}"
}

# fetch_orig VERSION - the cached orig tarball of rdma-core VERSION, fetched
# from the mirror if needed; prints its path, or nothing if the archive
# does not serve it.
fetch_orig() {
	local name=rdma-core_$1.orig.tar.gz code
	local dst=$RXE_CACHE/src/$name part=$RXE_CACHE/src/$name.part.$$
	if [ ! -f "$dst" ]; then
		mkdir -p "$RXE_CACHE/src"
		code=$(curl -sSL -o "$part" -w '%{http_code}' \
			"$mirror/pool/main/r/rdma-core/$name") ||
			{ rm -f "$part"; die "cannot download $name from $mirror"; }
		case $code in
		200) mv "$part" "$dst" ;;
		404) rm -f "$part"; return 0 ;;
		*) rm -f "$part"; die "downloading $name from $mirror: HTTP $code" ;;
		esac
	fi
	echo "$dst"
}

# provide_rdma_core_source - unpack an rdma-core source of the tree's
# private provider ABI in /opt/rxe-odp/rdma-core; a no-op when the stamp
# there says it was made for the installed libibverbs.
provide_rdma_core_source() {
	local pabi libv upstream tarball got
	local dir=$root/opt/rxe-odp/rdma-core stamp
	pabi=$(tree_pabi)
	libv=$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f '${Version}' libibverbs1) ||
		die "libibverbs1 is not installed in the $rel tree"
	stamp="libibverbs1=$libv pabi=$pabi"
	if [ -f "$dir/.rxe-odp-source" ] && [ "$(tail -1 "$dir/.rxe-odp-source")" = "$stamp" ]; then
		return 0
	fi
	[ -x "$root/usr/bin/python3" ] || die "no python3 in the $rel tree (the provider build needs it)"
	upstream=${libv#*:}
	upstream=${upstream%-*}
	tarball=$(fetch_orig "$upstream") || exit 1
	if [ -z "$tarball" ]; then
		[ -n "${source_of_pabi[$pabi]:-}" ] ||
			die "$mirror serves no rdma-core $upstream source and no other source of provider ABI $pabi is known"
		msg "$mirror serves no rdma-core $upstream source; using ${source_of_pabi[$pabi]} (same provider ABI $pabi)"
		tarball=$(fetch_orig "${source_of_pabi[$pabi]}") || exit 1
		[ -n "$tarball" ] || die "$mirror serves no rdma-core ${source_of_pabi[$pabi]} source either"
	fi
	# the top-level CMakeLists.txt (of the tarball's one top directory)
	got=$(tar -xzOf "$tarball" --wildcards --no-wildcards-match-slash '*/CMakeLists.txt' |
		sed -n 's/^set(IBVERBS_PABI_VERSION "\([0-9]*\)")/\1/p') ||
		die "cannot read the top-level CMakeLists.txt of $tarball (remove it to fetch it again)"
	[ "$got" = "$pabi" ] ||
		die "${tarball##*/} is of provider ABI '${got}', the $rel tree's libibverbs $libv needs $pabi"
	msg "unpacking ${tarball##*/} (provider ABI $pabi) into the $rel tree"
	rm -rf "$dir.new"
	mkdir -p "$dir.new"
	tar -xzf "$tarball" -C "$dir.new" --strip-components=1 --no-same-owner ||
		die "cannot unpack $tarball"
	printf 'source=%s\n%s\n' "${tarball##*/}" "$stamp" > "$dir.new/.rxe-odp-source"
	rm -rf "$dir"
	mv "$dir.new" "$dir"
}

provide_rdma_core_source

kver=$(rxe_kver "$rel")
[ -n "$kver" ] || die "no kernel found in the $rel tree"
msg "$rel tree ready: kernel $kver"
