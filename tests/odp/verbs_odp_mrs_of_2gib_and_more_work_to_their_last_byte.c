// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=rxe0 timeout=180
/*
 * Explicit ODP MRs of 2 GiB and more register and work to their last
 * byte: 2 GiB, 4 GiB + 4 KiB, 64 GiB and 1 TiB over MAP_NORESERVE
 * anonymous mappings (nothing is touched but the pages the test uses).
 * In each, RDMA WRITE and READ at the first page, past the 2 GiB and
 * 4 GiB marks (where a length or offset kept in 32 bits would wrap) and
 * at the last page, every byte checked; the registration time is
 * reported. (The stock 7.2 driver refuses ODP MRs from 2 GiB on: a length
 * truncated to int.)
 */
#include <sys/mman.h>

#include "rxe_test.h"

#define GIB (1ULL << 30)

static struct rt_rc_pair pair;
static struct ibv_mr *pinned;
static uint8_t *pinned_buf;

/* WRITE then READ back 4 KiB at @off of the MR, checked. */
static void rdma_at(struct ibv_mr *mr, uint8_t *base, uint64_t off, uint32_t seed)
{
	enum ibv_wc_status st;

	rt_fill(pinned_buf, 4096, seed);
	st = rt_do(&pair, IBV_WR_RDMA_WRITE, pinned, pinned_buf, 4096, mr, base + off);
	if (st != IBV_WC_SUCCESS)
		rt_fail("WRITE at offset %#llx: %s", (unsigned long long)off,
			ibv_wc_status_str(st));
	if (rt_mismatch(base + off, 4096, seed) >= 0)
		rt_fail("WRITE at offset %#llx: the bytes differ", (unsigned long long)off);
	memset(pinned_buf, 0, 4096);
	st = rt_do(&pair, IBV_WR_RDMA_READ, pinned, pinned_buf, 4096, mr, base + off);
	if (st != IBV_WC_SUCCESS || rt_mismatch(pinned_buf, 4096, seed) >= 0)
		rt_fail("READ at offset %#llx: %s", (unsigned long long)off,
			st != IBV_WC_SUCCESS ? ibv_wc_status_str(st) : "the bytes differ");
}

static void big_mr(struct ibv_pd *pd, uint64_t len, const char *name)
{
	uint8_t *base = mmap(NULL, len, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uint64_t offs[] = { 0, 2 * GIB - 2048, 2 * GIB + 1024, 4 * GIB + 512, len - 4096 };
	struct ibv_mr *mr;
	double t;
	size_t i;

	if (base == MAP_FAILED)
		rt_skip("cannot map %s: %s", name, strerror(errno));
	t = rt_now_ns();
	mr = ibv_reg_mr(pd, base, len, IBV_ACCESS_ON_DEMAND | IBV_ACCESS_LOCAL_WRITE |
			rt_rdma_opts.access);
	t = (rt_now_ns() - t) / 1e6;
	if (!mr)
		rt_fail("ODP ibv_reg_mr of %s: %s", name, strerror(errno));
	if (mr->length != len)
		rt_fail("ODP MR of %s reports length %#zx", name, mr->length);
	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++)
		if (offs[i] + 4096 <= len)
			rdma_at(mr, base, offs[i], 10 + i);
	CHECK(!ibv_dereg_mr(mr));
	CHECK(!munmap(base, len));
	rt_note("ODP MR of %s: registered in %.2f ms, WRITE+READ checked at its first "
		"page, across 2 GiB and 4 GiB and at its last page", name, t);
}

int main(void)
{
	struct ibv_context *ctx = rt_open_dev();
	struct ibv_pd *pd;

	rt_require_odp(ctx, IBV_ODP_SUPPORT_WRITE | IBV_ODP_SUPPORT_READ);
	CHECK((pd = ibv_alloc_pd(ctx)) != NULL);
	pinned_buf = rt_map(4096, 4096);
	pinned = ibv_reg_mr(pd, pinned_buf, 4096, IBV_ACCESS_LOCAL_WRITE | rt_rdma_opts.access);
	CHECK(pinned);
	rt_rc_pair(&pair, pd, &rt_rdma_opts);

	big_mr(pd, 2 * GIB, "2 GiB");
	big_mr(pd, 4 * GIB + 4096, "4 GiB + 4 KiB");
	big_mr(pd, 64 * GIB, "64 GiB");
	big_mr(pd, 1024 * GIB, "1 TiB");

	rt_rc_pair_destroy(&pair);
	CHECK(!ibv_dereg_mr(pinned) && !ibv_dealloc_pd(pd));
	return 0;
}
