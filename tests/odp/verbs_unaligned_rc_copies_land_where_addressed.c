// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=rxe0 timeout=180
/*
 * RC copies into and out of an explicit ODP MR that do not start on a
 * page boundary land exactly where they are addressed: with path MTU 1024
 * (four packets to a page, each one landing 1 KiB further in), an RDMA
 * WRITE and a READ at odd offsets that cross pages, a READ response
 * landing in an ODP local buffer at an odd offset, and a WRITE gathered
 * from an odd offset of an ODP local buffer. Each case fills the whole
 * buffer with a guard pattern first and checks every byte after, so a
 * copy that lands at the start of its page instead is caught both by the
 * bytes it should have written and by the guard bytes it overwrote. (The
 * stock 7.2 driver puts every such copy at offset 0 of its page.)
 */
#include "rxe_test.h"

#define LEN (64 * 1024)
#define GUARD 0x5a

static struct rt_rc_pair pair;
static struct ibv_mr *odp, *pinned;
static uint8_t *odp_buf, *pinned_buf;

/* Bytes [off, off + len) of @buf hold pattern @seed, the rest GUARD. */
static void check_placed(const char *what, const uint8_t *buf, size_t off, size_t len,
			 uint32_t seed)
{
	long bad = rt_mismatch(buf + off, len, seed);
	size_t i;

	if (bad >= 0)
		rt_fail("%s: byte %zu of the copy (buffer offset %zu) differs", what,
			(size_t)bad, off + bad);
	for (i = 0; i < LEN; i++)
		if ((i < off || i >= off + len) && buf[i] != GUARD)
			rt_fail("%s: byte %zu outside the copy [%zu, %zu) was overwritten",
				what, i, off, off + len);
	rt_note("%s: %zu bytes at offset %zu, placed exactly", what, len, off);
}

static void expect_ok(enum ibv_wc_status st, const char *what)
{
	if (st != IBV_WC_SUCCESS)
		rt_fail("%s: %s", what, ibv_wc_status_str(st));
}

/* WRITE pinned[src_off..] -> ODP[dst_off..], @len bytes. */
static void write_into_odp(const char *what, size_t dst_off, size_t len, uint32_t seed)
{
	memset(odp_buf, GUARD, LEN);
	rt_fill(pinned_buf, len, seed);
	expect_ok(rt_do(&pair, IBV_WR_RDMA_WRITE, pinned, pinned_buf, len, odp,
			odp_buf + dst_off), what);
	check_placed(what, odp_buf, dst_off, len, seed);
}

int main(void)
{
	struct ibv_context *ctx = rt_open_dev();
	struct ibv_port_attr port;
	struct ibv_pd *pd;

	rt_require_odp(ctx, IBV_ODP_SUPPORT_WRITE | IBV_ODP_SUPPORT_READ);
	CHECK(ibv_query_port(ctx, 1, &port) == 0);
	if (port.active_mtu < IBV_MTU_1024)
		rt_skip("the port's MTU is below 1024");
	odp_buf = rt_map(LEN, 4096);
	pinned_buf = rt_map(LEN, 4096);
	CHECK((pd = ibv_alloc_pd(ctx)) != NULL);
	odp = rt_reg_odp(pd, odp_buf, LEN, IBV_ACCESS_LOCAL_WRITE | rt_rdma_opts.access);
	pinned = ibv_reg_mr(pd, pinned_buf, LEN, IBV_ACCESS_LOCAL_WRITE | rt_rdma_opts.access);
	CHECK(pinned);
	/* rt_rdma_opts leaves the path MTU at 1024 */
	rt_rc_pair(&pair, pd, &rt_rdma_opts);

	write_into_odp("WRITE of 16 KiB at MTU 1024, page aligned", 0, 16384, 1);
	write_into_odp("WRITE of 5000 bytes at an odd offset", 2 * 4096 + 123, 5000, 2);
	write_into_odp("WRITE of 1 KiB into the middle of a page", 4096 + 2048, 1024, 3);

	/* READ from the ODP MR at an odd offset, across three pages */
	memset(odp_buf, GUARD, LEN);
	rt_fill(odp_buf + 3 * 4096 + 777, 9000, 4);
	memset(pinned_buf, 0, LEN);
	expect_ok(rt_do(&pair, IBV_WR_RDMA_READ, pinned, pinned_buf, 9000, odp,
			odp_buf + 3 * 4096 + 777), "READ from an odd offset");
	if (rt_mismatch(pinned_buf, 9000, 4) >= 0)
		rt_fail("READ from an odd offset of the ODP MR returned other bytes");
	rt_note("READ from an odd offset: 9000 bytes, all as written");

	/* READ responses landing in the ODP MR at an odd offset */
	memset(odp_buf, GUARD, LEN);
	rt_fill(pinned_buf, 6000, 5);
	expect_ok(rt_do(&pair, IBV_WR_RDMA_READ, odp, odp_buf + 8 * 4096 + 77, 6000, pinned,
			pinned_buf), "READ landing at an odd offset");
	check_placed("READ responses landing in the ODP MR", odp_buf, 8 * 4096 + 77, 6000, 5);

	/* a WRITE gathered from an odd offset of the ODP MR */
	rt_fill(odp_buf + 12 * 4096 + 333, 7000, 6);
	memset(pinned_buf, 0, LEN);
	expect_ok(rt_do(&pair, IBV_WR_RDMA_WRITE, odp, odp_buf + 12 * 4096 + 333, 7000, pinned,
			pinned_buf), "WRITE from an odd offset");
	if (rt_mismatch(pinned_buf, 7000, 6) >= 0)
		rt_fail("WRITE gathered from an odd offset of the ODP MR sent other bytes");
	rt_note("WRITE from an odd offset of the ODP MR: 7000 bytes, all as written");

	rt_rc_pair_destroy(&pair);
	CHECK(!ibv_dereg_mr(odp) && !ibv_dereg_mr(pinned) && !ibv_dealloc_pd(pd));
	return 0;
}
