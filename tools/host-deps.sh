#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# host-deps.sh - install the host packages the build and the guests need
# (Debian 12 or later, as root); a no-op when they are all present.
set -euo pipefail

pkgs=(qemu-system-x86 debootstrap busybox-static cpio rsync xz-utils zstd
      python3 ca-certificates curl util-linux kmod gnuplot-nox)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

[ "$(id -u)" = 0 ] || { echo "error: need root to install: ${missing[*]}" >&2; exit 1; }
echo "==> installing host packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
