#!/bin/bash
# rxe-test: setup=rxe0 timeout=120
# The verbs only kernel ULPs use (NFS/RDMA, iSER, NVMe-oF): a test module
# (kernel/tests/rxe_kverbs_test.c) connects two RC QPs of rxe0 and checks
# alloc_mr + map_mr_sg + REG_MR, RDMA WRITE/READ through the fast-reg rkey
# with the data compared, REG_MR of a still valid MR refused, SEND WITH
# INVALIDATE invalidating the rkey (then refused with REM_ACCESS_ERR),
# re-registration under a new key byte (old key refused), LOCAL_INV, and
# LOCAL_INV of an unknown key (LOC_QP_OP_ERR).
set -eu
. "$RXE_SRC/tests/lib/rxe.sh"

if ! modprobe rxe_kverbs_test dev="$RXE_DEV"; then
	dmesg | grep rxe_kverbs_test | sed 's/^/# /'
	fail "the kernel-verbs test module failed"
fi
dmesg | grep "rxe_kverbs_test: PASS" | sed 's/^/# /' | grep -q PASS ||
	fail "the module loaded but did not report PASS"
rmmod rxe_kverbs_test || fail "rmmod rxe_kverbs_test"
