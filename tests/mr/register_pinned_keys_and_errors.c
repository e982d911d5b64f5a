// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=rxe0 timeout=120
/*
 * Pinned MRs: any size and alignment registers (1 byte, unaligned, 64 MiB);
 * keys are non-zero and unique among live MRs, and a deregistered MR's key
 * is not reused by the next registration at the same index; read-only
 * memory registers for local read but not for local write (EFAULT);
 * remote write without local write is refused (EINVAL); unmapped memory is
 * refused (EFAULT); a thousand MRs register and deregister.
 */
#include <sys/mman.h>

#include "rxe_test.h"

#define MANY 1000

static void expect_reg_fail(struct ibv_pd *pd, void *addr, size_t len, int access,
			    int want, const char *what)
{
	struct ibv_mr *mr = ibv_reg_mr(pd, addr, len, access);

	if (mr)
		rt_fail("%s: registration succeeded", what);
	if (errno != want)
		rt_fail("%s: errno %d (%s), expected %d", what, errno, strerror(errno), want);
}

int main(void)
{
	const int rw = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE |
		       IBV_ACCESS_REMOTE_READ | IBV_ACCESS_REMOTE_ATOMIC;
	static struct ibv_mr *mrs[MANY];
	struct ibv_context *ctx;
	struct ibv_mr *mr, *mr2;
	struct ibv_pd *pd;
	char *big, *ro, *hole;
	uint32_t old_key;
	int i, j;

	ctx = rt_open_dev();
	CHECK((pd = ibv_alloc_pd(ctx)));
	big = mmap(NULL, 64 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(big != MAP_FAILED);

	/* sizes and alignments */
	CHECK((mr = ibv_reg_mr(pd, big + 1, 1, rw)));
	CHECK(mr->lkey && mr->rkey && mr->length == 1 && mr->addr == big + 1);
	CHECK(ibv_dereg_mr(mr) == 0);
	CHECK((mr = ibv_reg_mr(pd, big + 4095, 2, rw)));	/* spans a page boundary */
	CHECK(ibv_dereg_mr(mr) == 0);
	CHECK((mr = ibv_reg_mr(pd, big, 64 << 20, rw)));
	CHECK(ibv_dereg_mr(mr) == 0);

	/* iova differs from the address */
	CHECK((mr = ibv_reg_mr_iova(pd, big, 8192, 0x100000000ULL, rw)));
	CHECK(ibv_dereg_mr(mr) == 0);

	/* a stale key does not come back */
	CHECK((mr = ibv_reg_mr(pd, big, 4096, rw)));
	old_key = mr->lkey;
	CHECK(ibv_dereg_mr(mr) == 0);
	CHECK((mr = ibv_reg_mr(pd, big, 4096, rw)));
	CHECK(mr->lkey != old_key);
	CHECK(ibv_dereg_mr(mr) == 0);

	/* access rules */
	ro = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(ro != MAP_FAILED);
	CHECK((mr = ibv_reg_mr(pd, ro, 8192, IBV_ACCESS_REMOTE_READ)));
	CHECK(ibv_dereg_mr(mr) == 0);
	expect_reg_fail(pd, ro, 8192, IBV_ACCESS_LOCAL_WRITE, EFAULT,
			"write access to read-only memory");
	expect_reg_fail(pd, big, 4096, IBV_ACCESS_REMOTE_WRITE, EINVAL,
			"remote write without local write");

	hole = mmap(NULL, 3 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(hole != MAP_FAILED);
	CHECK(munmap(hole + 4096, 4096) == 0);
	expect_reg_fail(pd, hole + 4096, 4096, IBV_ACCESS_LOCAL_WRITE, EFAULT,
			"unmapped memory");

	/* many at once, keys unique */
	for (i = 0; i < MANY; i++) {
		mrs[i] = ibv_reg_mr(pd, big + (i % 16) * 4096, 4096, rw);
		if (!mrs[i])
			rt_fail("MR %d: %s", i, strerror(errno));
	}
	for (i = 0; i < MANY; i++)
		for (j = i + 1; j < MANY; j++)
			if (mrs[i]->lkey == mrs[j]->lkey)
				rt_fail("MRs %d and %d share key %#x", i, j, mrs[i]->lkey);
	for (i = 0; i < MANY; i++)
		CHECK(ibv_dereg_mr(mrs[i]) == 0);

	/* two MRs over the same memory */
	CHECK((mr = ibv_reg_mr(pd, big, 4096, rw)));
	CHECK((mr2 = ibv_reg_mr(pd, big, 4096, rw)));
	CHECK(mr->lkey != mr2->lkey);
	CHECK(ibv_dereg_mr(mr2) == 0 && ibv_dereg_mr(mr) == 0);

	CHECK(ibv_dealloc_pd(pd) == 0);
	CHECK(ibv_close_device(ctx) == 0);
	return 0;
}
