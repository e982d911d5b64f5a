#!/bin/bash
# rxe-test: setup=none timeout=60
# modprobe picks our rdma_rxe (installed under updates/) over the kernel's
# own, and pulls in the RDMA core modules it needs.
set -eu
. "$RXE_SRC/tests/lib/rxe.sh"

[ ! -d /sys/module/rdma_rxe ] || fail "rdma_rxe loaded before the test"
modprobe rdma_rxe || fail "modprobe rdma_rxe failed"
rxe_ours_loaded || fail "the loaded rdma_rxe is not ours: version '$(cat /sys/module/rdma_rxe/version 2>/dev/null)'"
file=$(modinfo -n rdma_rxe)
case $file in
*/updates/rxe-odp/rdma_rxe.ko) note "loaded $file" ;;
*) fail "modinfo resolves rdma_rxe to $file, not ours" ;;
esac
modprobe rdma_odp || fail "modprobe rdma_odp failed"
[ "$(cat /sys/module/rdma_odp/version)" = "$(cat /sys/module/rdma_rxe/version)" ] ||
	fail "rdma_odp and rdma_rxe versions differ"
# what it depends on (ib_core, rdma_odp; ib_uverbs where umem lives there)
for m in $(modinfo -F depends rdma_rxe | tr ',' ' '); do
	[ -d /sys/module/$m ] || fail "$m not loaded alongside rdma_rxe"
done
[ -d /sys/module/ib_core ] || fail "ib_core not loaded alongside rdma_rxe"
