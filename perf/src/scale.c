// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * scale - how the stack scales with QPs and MRs, for perf/.
 *
 *   scale qps N pinned|odp   bandwidth of N RC QP pairs writing at once
 *   scale mrs N pinned|odp   N MRs of 4 KiB registered at once
 *
 * qps: N pairs of RC QPs of one device; each sender RDMA-WRITEs 64 KiB
 * messages into its own 1 MiB target, 4 outstanding per QP, the senders
 * served in turn by one thread, until 64 MiB have been written in all.
 * Targets (and the shared source) are pinned or explicit ODP MRs, faulted
 * in by a first pass. Prints "mibs X" (guest MiB/s).
 *
 * mrs: N buffers of 4 KiB, touched, each registered as its own MR; prints
 * "reg_us_per_mr", "dereg_us_per_mr" and "kmem_kb" (what the N
 * registrations hold: Slab plus VmallocUsed of /proc/meminfo, before and
 * after), or "refused AT ERRNO-TEXT" and exit status 2 when the driver
 * refuses one.
 */
#include <sys/mman.h>

#include "rxe_test.h"

#define MSG 65536
#define TARGET (1UL << 20)
#define TOTAL (64UL << 20)
#define PER_QP 4
#define MR_LEN 4096

static const int acc = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE;

struct sender {
	struct rt_rc_pair p;
	struct ibv_mr *mr;
	uint8_t *dst;
	size_t posted, done, goal;
};

/* Write @goal bytes through each sender, all at once; guest ns taken. */
static double write_all(struct sender *s, int n, struct ibv_mr *ms, uint8_t *src, size_t goal)
{
	double t0 = rt_now_ns();
	int i, left = n;

	for (i = 0; i < n; i++) {
		s[i].posted = s[i].done = 0;
		s[i].goal = goal / MSG;
	}
	while (left) {
		for (i = 0; i < n; i++) {
			struct sender *q = &s[i];
			struct ibv_wc wc[PER_QP];
			int k, j;

			if (q->done == q->goal)
				continue;
			while (q->posted < q->goal && q->posted - q->done < PER_QP) {
				rt_post_send(q->p.qp[0], IBV_WR_RDMA_WRITE, q->posted, ms->lkey,
					     src, MSG,
					     (uintptr_t)q->dst + (q->posted * MSG) % TARGET,
					     q->mr->rkey);
				q->posted++;
			}
			k = ibv_poll_cq(q->p.cq[0], PER_QP, wc);
			CHECK(k >= 0);
			for (j = 0; j < k; j++)
				if (wc[j].status != IBV_WC_SUCCESS)
					rt_fail("QP %d: %s", i, ibv_wc_status_str(wc[j].status));
			q->done += k;
			if (q->done == q->goal)
				left--;
		}
	}
	return rt_now_ns() - t0;
}

static int qps_mode(struct ibv_pd *pd, int n, int odp)
{
	struct sender *s = calloc(n, sizeof(*s));
	uint8_t *src = rt_map(MSG, 4096);
	struct ibv_mr *ms;
	double ns;
	int i;

	CHECK(s != NULL);
	memset(src, 1, MSG);
	CHECK((ms = ibv_reg_mr(pd, src, MSG, odp | acc)) != NULL);
	for (i = 0; i < n; i++) {
		s[i].dst = rt_map(TARGET, 4096);
		if (!odp)
			memset(s[i].dst, 0, TARGET);
		CHECK((s[i].mr = ibv_reg_mr(pd, s[i].dst, TARGET, odp | acc)) != NULL);
		rt_rc_pair(&s[i].p, pd, &rt_rdma_opts);
	}
	write_all(s, n, ms, src, TARGET);	/* faults the ODP targets in */
	ns = write_all(s, n, ms, src, TOTAL / n);
	printf("mibs %.2f\n", TOTAL / (ns / 1e9) / (1 << 20));
	for (i = 0; i < n; i++) {
		rt_rc_pair_destroy(&s[i].p);
		CHECK(ibv_dereg_mr(s[i].mr) == 0);
	}
	CHECK(ibv_dereg_mr(ms) == 0);
	return 0;
}

static int mrs_mode(struct ibv_pd *pd, int n, int odp)
{
	struct ibv_mr **mr = calloc(n, sizeof(*mr));
	uint8_t *buf = rt_map((size_t)n * MR_LEN, 4096);
	double t0, reg;
	long k0, k1;
	int i;

	CHECK(mr != NULL);
	memset(buf, 3, (size_t)n * MR_LEN);
	k0 = rt_meminfo_kb("Slab") + rt_meminfo_kb("VmallocUsed");
	t0 = rt_now_ns();
	for (i = 0; i < n; i++) {
		mr[i] = ibv_reg_mr(pd, buf + (size_t)i * MR_LEN, MR_LEN, odp | acc);
		if (!mr[i]) {
			printf("refused %d %s\n", i, strerror(errno));
			return 2;
		}
	}
	reg = rt_now_ns() - t0;
	k1 = rt_meminfo_kb("Slab") + rt_meminfo_kb("VmallocUsed");
	t0 = rt_now_ns();
	for (i = 0; i < n; i++)
		CHECK(ibv_dereg_mr(mr[i]) == 0);
	printf("reg_us_per_mr %.2f\ndereg_us_per_mr %.2f\nkmem_kb %ld\n", reg / n / 1e3,
	       (rt_now_ns() - t0) / n / 1e3, k1 - k0);
	return 0;
}

int main(int argc, char **argv)
{
	struct ibv_context *ctx = rt_open_dev();
	struct ibv_pd *pd;
	int n, odp;

	if (argc < 4)
		rt_fail("usage: scale qps|mrs N pinned|odp");
	n = atoi(argv[2]);
	odp = strcmp(argv[3], "odp") ? 0 : IBV_ACCESS_ON_DEMAND;
	CHECK(n > 0 && (pd = ibv_alloc_pd(ctx)) != NULL);
	if (!strcmp(argv[1], "qps"))
		return qps_mode(pd, n, odp);
	if (!strcmp(argv[1], "mrs"))
		return mrs_mode(pd, n, odp);
	rt_fail("unknown mode %s", argv[1]);
}
