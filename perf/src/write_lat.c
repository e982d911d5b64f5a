// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * write_lat - RC RDMA WRITE completion latency in one process, for perf/:
 * post one signaled WRITE between two QPs of one device, poll the CQ until
 * its completion, again and again. With one vCPU this measures the verbs
 * path (post, doorbell, driver, completion, poll) without the scheduler
 * that a two-process ping-pong would add between every step.
 *
 *   write_lat [MSG_BYTES] [ITERATIONS] [pinned|odp]
 *
 * With "odp" both buffers are explicit ODP MRs (faulted in by the
 * warm-up rounds).
 *
 * Prints "median_us X" and "p99_us Y" of the guest clock.
 */
#include "rxe_test.h"

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	uint32_t msg = argc > 1 ? strtoul(argv[1], NULL, 0) : 64;
	int iters = argc > 2 ? atoi(argv[2]) : 2000, i;
	int odp = argc > 3 && !strcmp(argv[3], "odp") ? IBV_ACCESS_ON_DEMAND : 0;
	static const struct rt_rc_opts opts = {
		.access = IBV_ACCESS_REMOTE_WRITE,
	};
	struct ibv_context *ctx = rt_open_dev();
	struct ibv_pd *pd = ibv_alloc_pd(ctx);
	double *lat = calloc(iters, sizeof(*lat));
	char *src = calloc(1, msg), *dst = calloc(1, msg);
	struct ibv_mr *ms, *md;
	struct rt_rc_pair p;
	struct ibv_wc wc;

	CHECK(pd && lat && src && dst);
	CHECK((ms = ibv_reg_mr(pd, src, msg, odp | IBV_ACCESS_LOCAL_WRITE)) != NULL);
	CHECK((md = ibv_reg_mr(pd, dst, msg, odp | IBV_ACCESS_LOCAL_WRITE |
			       IBV_ACCESS_REMOTE_WRITE)) != NULL);
	rt_rc_pair(&p, pd, &opts);
	for (i = -100; i < iters; i++) {	/* 100 rounds of warm-up */
		double t0 = now_us();
		int n;

		rt_post_send(p.qp[0], IBV_WR_RDMA_WRITE, i, ms->lkey, src, msg,
			     (uintptr_t)dst, md->rkey);
		while (!(n = ibv_poll_cq(p.cq[0], 1, &wc)))
			;
		if (n < 0 || wc.status != IBV_WC_SUCCESS)
			rt_fail("write %d: %s", i, ibv_wc_status_str(wc.status));
		if (i >= 0)
			lat[i] = now_us() - t0;
	}
	qsort(lat, iters, sizeof(*lat), cmp_double);
	printf("median_us %.3f\np99_us %.3f\n", lat[iters / 2], lat[iters * 99 / 100]);
	rt_rc_pair_destroy(&p);
	CHECK(ibv_dereg_mr(md) == 0 && ibv_dereg_mr(ms) == 0);
	CHECK(ibv_dealloc_pd(pd) == 0 && ibv_close_device(ctx) == 0);
	return 0;
}
