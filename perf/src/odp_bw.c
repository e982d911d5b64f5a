// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * odp_bw - RC RDMA WRITE bandwidth between two QPs of one device through
 * one kind of MR, for perf/: what registering costs, what the first pass
 * over never-touched memory costs (page faults), and the steady state.
 *
 *   odp_bw pinned|explicit|implicit [MSG_BYTES] [BUF_MIB] [PASSES]
 *
 * Prints "reg_ns N", "first_pass_mibs X" and "steady_mibs Y" (MiB/s of
 * the guest clock: instruction cost in the deterministic mode). Explicit
 * and pinned MRs cover the source and target buffers; the implicit MR
 * covers everything and is the only one.
 */
#include <sys/mman.h>

#include "rxe_test.h"

#define WINDOW 16

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Write @buf_bytes from src to dst in @msg pieces, WINDOW outstanding; MiB/s. */
static double pass(struct rt_rc_pair *p, struct ibv_mr *ls, struct ibv_mr *rd,
		   uint8_t *src, uint8_t *dst, size_t buf_bytes, uint32_t msg)
{
	size_t n = buf_bytes / msg, posted = 0, done = 0;
	double t0 = now_ns();
	struct ibv_wc wc[WINDOW];

	while (done < n) {
		while (posted < n && posted - done < WINDOW) {
			rt_post_send(p->qp[0], IBV_WR_RDMA_WRITE, posted, ls->lkey,
				     src + posted * msg, msg, (uintptr_t)(dst + posted * msg),
				     rd->rkey);
			posted++;
		}
		int k = ibv_poll_cq(p->cq[0], WINDOW, wc);

		CHECK(k >= 0);
		for (int i = 0; i < k; i++)
			if (wc[i].status != IBV_WC_SUCCESS)
				rt_fail("completion %s", ibv_wc_status_str(wc[i].status));
		done += k;
	}
	return buf_bytes / ((now_ns() - t0) / 1e9) / (1 << 20);
}

int main(int argc, char **argv)
{
	const char *kind = argc > 1 ? argv[1] : "explicit";
	uint32_t msg = argc > 2 ? atoi(argv[2]) : 65536;
	size_t buf = (argc > 3 ? atoi(argv[3]) : 64) << 20;
	int passes = argc > 4 ? atoi(argv[4]) : 8, i;
	const struct rt_rc_opts opts = {
		.access = IBV_ACCESS_REMOTE_WRITE, .timeout = 14, .retry_cnt = 7,
		.rnr_retry = 7, .min_rnr_timer = 1,
	};
	int acc = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE;
	struct ibv_context *ctx = rt_open_dev();
	struct ibv_mr *ms, *md;
	struct rt_rc_pair p;
	struct ibv_pd *pd;
	uint8_t *src, *dst;
	double t0, reg, steady = 0, first;

	CHECK((pd = ibv_alloc_pd(ctx)) != NULL);
	src = mmap(NULL, buf, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	dst = mmap(NULL, buf, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(src != MAP_FAILED && dst != MAP_FAILED);
	memset(src, 1, buf);	/* the source is the application's data: present */
	t0 = now_ns();
	if (!strcmp(kind, "implicit")) {
		ms = md = ibv_reg_mr(pd, NULL, SIZE_MAX, IBV_ACCESS_ON_DEMAND | acc);
		CHECK(ms);
	} else {
		int odp = strcmp(kind, "pinned") ? IBV_ACCESS_ON_DEMAND : 0;

		CHECK((ms = ibv_reg_mr(pd, src, buf, odp | acc)) != NULL);
		CHECK((md = ibv_reg_mr(pd, dst, buf, odp | acc)) != NULL);
	}
	reg = now_ns() - t0;
	rt_rc_pair(&p, pd, &opts);
	first = pass(&p, ms, md, src, dst, buf, msg);
	for (i = 0; i < passes; i++)
		steady += pass(&p, ms, md, src, dst, buf, msg) / passes;
	printf("reg_ns %.0f\nfirst_pass_mibs %.2f\nsteady_mibs %.2f\n", reg, first, steady);
	rt_rc_pair_destroy(&p);
	return 0;
}
