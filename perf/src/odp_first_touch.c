// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * odp_first_touch - what the first RDMA WRITE into never-touched memory
 * of an explicit ODP MR costs, for perf/.
 *
 *   odp_first_touch 4k|thp none|prefetch [BUF_MIB]
 *
 * The target (BUF_MIB, default 64, 2 MiB aligned) is backed by 4 KiB
 * pages (MADV_NOHUGEPAGE) or by transparent huge pages (MADV_HUGEPAGE).
 * A pass RDMA-WRITEs all of it in 64 KiB messages, 16 outstanding; the
 * first pass faults every page in, the second finds them present. With
 * "prefetch" an ibv_advise_mr(PREFETCH_WRITE, FLUSH) over the whole
 * target runs before the first pass and is timed on its own.
 *
 * Prints, in guest nanoseconds (instruction cost in the deterministic
 * mode): "first_touch_ns_per_4k" and "first_touch_ns_per_2m" (the first
 * pass minus the second, per 4 KiB page and per 2 MiB block),
 * "prefetch_ns_per_4k" and "prefetch_ns_per_2m" (with prefetch: the
 * advice alone), "prefetch_and_first_ns_per_4k"/"_2m" (the advice plus the
 * first pass minus the second: all that prefetching costs),
 * "steady_mibs", and "thp_percent" (of the target backed by huge pages
 * after the first pass, from /proc/self/smaps).
 */
#include <sys/mman.h>

#include "rxe_test.h"

#define MSG 65536
#define WINDOW 16
#define HUGE (2UL << 20)

/* kB of the mapping holding @p backed by huge pages (its AnonHugePages). */
static long huge_kb(const uint8_t *p)
{
	unsigned long lo, hi;
	char line[256];
	long kb = 0, v;
	bool in = false;
	FILE *f = fopen("/proc/self/smaps", "r");

	CHECK(f);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2)
			in = lo <= (uintptr_t)p && (uintptr_t)p < hi;
		else if (in && sscanf(line, "AnonHugePages: %ld kB", &v) == 1)
			kb = v;
	}
	fclose(f);
	return kb;
}

int main(int argc, char **argv)
{
	bool thp = argc > 1 && !strcmp(argv[1], "thp");
	bool prefetch = argc > 2 && !strcmp(argv[2], "prefetch");
	size_t len = (size_t)(argc > 3 ? atoi(argv[3]) : 64) << 20;
	const struct rt_rc_opts opts = {
		.access = IBV_ACCESS_REMOTE_WRITE, .timeout = 14, .retry_cnt = 7,
		.rnr_retry = 7, .min_rnr_timer = 1,
	};
	int acc = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE;
	struct ibv_context *ctx = rt_open_dev();
	double first, steady, pf = 0;
	struct ibv_mr *ms, *md;
	struct rt_rc_pair p;
	uint8_t *src, *raw, *dst;
	struct ibv_pd *pd;

	CHECK((pd = ibv_alloc_pd(ctx)) != NULL);
	src = rt_map(MSG, 4096);
	memset(src, 1, MSG);
	CHECK((ms = ibv_reg_mr(pd, src, MSG, acc)) != NULL);
	raw = mmap(NULL, len + HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(raw != MAP_FAILED);
	dst = (uint8_t *)(((uintptr_t)raw + HUGE - 1) & ~(HUGE - 1));
	CHECK(!madvise(dst, len, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE));
	CHECK((md = ibv_reg_mr(pd, dst, len, IBV_ACCESS_ON_DEMAND | acc)) != NULL);
	rt_rc_pair(&p, pd, &opts);
	if (prefetch) {
		struct ibv_sge sge = { (uintptr_t)dst, (uint32_t)len, md->lkey };
		double t0 = rt_now_ns();
		int err = ibv_advise_mr(pd, IBV_ADVISE_MR_ADVICE_PREFETCH_WRITE,
					IBV_ADVISE_MR_FLAG_FLUSH, &sge, 1);

		if (err)
			rt_fail("ibv_advise_mr: %s", strerror(err));
		pf = rt_now_ns() - t0;
	}
	first = rt_write_stream(&p, ms, src, 0, md, dst, len, MSG, WINDOW);
	steady = rt_write_stream(&p, ms, src, 0, md, dst, len, MSG, WINDOW);
	printf("first_touch_ns_per_4k %.1f\nfirst_touch_ns_per_2m %.1f\n",
	       (first - steady) / (len / 4096), (first - steady) / (len / HUGE));
	if (prefetch)
		printf("prefetch_ns_per_4k %.1f\nprefetch_ns_per_2m %.1f\n"
		       "prefetch_and_first_ns_per_4k %.1f\nprefetch_and_first_ns_per_2m %.1f\n",
		       pf / (len / 4096), pf / (len / HUGE),
		       (pf + first - steady) / (len / 4096), (pf + first - steady) / (len / HUGE));
	printf("steady_mibs %.2f\nthp_percent %.0f\n", len / (steady / 1e9) / (1 << 20),
	       huge_kb(dst) * 1024.0 * 100 / len);
	rt_rc_pair_destroy(&p);
	return 0;
}
