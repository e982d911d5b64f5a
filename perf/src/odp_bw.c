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

/* MiB/s of one pass: @len bytes written in @ns. */
#define MIBS(len, ns) ((len) / ((ns) / 1e9) / (1 << 20))

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
	t0 = rt_now_ns();
	if (!strcmp(kind, "implicit")) {
		ms = md = ibv_reg_mr(pd, NULL, SIZE_MAX, IBV_ACCESS_ON_DEMAND | acc);
		CHECK(ms);
	} else {
		int odp = strcmp(kind, "pinned") ? IBV_ACCESS_ON_DEMAND : 0;

		CHECK((ms = ibv_reg_mr(pd, src, buf, odp | acc)) != NULL);
		CHECK((md = ibv_reg_mr(pd, dst, buf, odp | acc)) != NULL);
	}
	reg = rt_now_ns() - t0;
	rt_rc_pair(&p, pd, &opts);
	first = MIBS(buf, rt_write_stream(&p, ms, src, msg, md, dst, buf, msg, WINDOW));
	for (i = 0; i < passes; i++)
		steady += MIBS(buf, rt_write_stream(&p, ms, src, msg, md, dst, buf, msg, WINDOW)) /
			  passes;
	printf("reg_ns %.0f\nfirst_pass_mibs %.2f\nsteady_mibs %.2f\n", reg, first, steady);
	rt_rc_pair_destroy(&p);
	return 0;
}
