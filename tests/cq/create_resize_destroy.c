// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=rxe0 timeout=60
/*
 * CQs through the distro's provider, which maps our ring: sizes from 1 to
 * the device maximum are granted (at least what was asked), out-of-range
 * sizes and completion vectors are refused with EINVAL, an empty CQ polls
 * empty, arming works with and without a completion channel, resize grows
 * and shrinks (and refuses a size above the maximum), extended CQs work.
 */
#include "rxe_test.h"

static void check_cq(struct ibv_context *ctx, int cqe, struct ibv_comp_channel *ch)
{
	struct ibv_wc wc;
	struct ibv_cq *cq;

	cq = ibv_create_cq(ctx, cqe, NULL, ch, 0);
	if (!cq)
		rt_fail("ibv_create_cq(%d): %s", cqe, strerror(errno));
	CHECK(cq->cqe >= cqe);
	CHECK(ibv_poll_cq(cq, 1, &wc) == 0);
	CHECK(ibv_req_notify_cq(cq, 0) == 0);
	CHECK(ibv_req_notify_cq(cq, 1) == 0);
	CHECK(ibv_destroy_cq(cq) == 0);
}

static void expect_create_einval(struct ibv_context *ctx, int cqe, int vector)
{
	struct ibv_cq *cq = ibv_create_cq(ctx, cqe, NULL, NULL, vector);

	if (cq)
		rt_fail("ibv_create_cq(cqe %d, vector %d) succeeded", cqe, vector);
	if (errno != EINVAL)
		rt_fail("ibv_create_cq(cqe %d, vector %d): errno %d, expected EINVAL",
			cqe, vector, errno);
}

int main(void)
{
	struct ibv_cq_init_attr_ex ex_attr = { .cqe = 64, .wc_flags = IBV_WC_STANDARD_FLAGS };
	struct ibv_poll_cq_attr pattr = {};
	struct ibv_device_attr attr;
	struct ibv_comp_channel *ch;
	struct ibv_context *ctx;
	struct ibv_cq_ex *cqx;
	struct ibv_cq *cq;
	int i, sizes[] = { 1, 2, 3, 100, 1023, 1024, 4096 };

	ctx = rt_open_dev();
	CHECK(ibv_query_device(ctx, &attr) == 0);
	CHECK((ch = ibv_create_comp_channel(ctx)));

	for (i = 0; i < (int)(sizeof(sizes) / sizeof(sizes[0])); i++) {
		check_cq(ctx, sizes[i], NULL);
		check_cq(ctx, sizes[i], ch);
	}
	check_cq(ctx, attr.max_cqe, NULL);

	expect_create_einval(ctx, 0, 0);
	expect_create_einval(ctx, attr.max_cqe + 1, 0);
	expect_create_einval(ctx, 16, ctx->num_comp_vectors);

	CHECK((cq = ibv_create_cq(ctx, 16, NULL, NULL, 0)));
	CHECK(ibv_resize_cq(cq, 1000) == 0 && cq->cqe >= 1000);
	CHECK(ibv_resize_cq(cq, 10) == 0 && cq->cqe >= 10 && cq->cqe < 1000);
	CHECK(ibv_resize_cq(cq, attr.max_cqe + 1) == EINVAL || errno == EINVAL);
	CHECK(cq->cqe >= 10);
	{
		struct ibv_wc wc;

		CHECK(ibv_poll_cq(cq, 1, &wc) == 0);	/* the new ring is mapped */
	}
	CHECK(ibv_destroy_cq(cq) == 0);

	cqx = ibv_create_cq_ex(ctx, &ex_attr);
	if (!cqx)
		rt_fail("ibv_create_cq_ex: %s", strerror(errno));
	CHECK(ibv_start_poll(cqx, &pattr) == ENOENT);
	CHECK(ibv_destroy_cq(ibv_cq_ex_to_cq(cqx)) == 0);

	CHECK(ibv_destroy_comp_channel(ch) == 0);
	CHECK(ibv_close_device(ctx) == 0);
	return 0;
}
