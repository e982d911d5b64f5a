// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * odp_inval - what invalidations cost an ODP MR, for perf/.
 *
 *   odp_inval rate RATE [SECS [both|mprotect|dontneed]]
 *                                bandwidth under RATE invalidations/s
 *   odp_inval cost PAGES [REPS]  one invalidation of PAGES mapped pages
 *
 * rate: RC RDMA WRITE of 64 KiB messages, 16 outstanding, over a 16 MiB
 * explicit ODP target of 4 KiB pages (MADV_NOHUGEPAGE: a huge page would
 * be split by the first flip, invalidating 2 MiB), for SECS (default 1) of guest time after a first
 * pass has faulted it in; meanwhile a second thread invalidates one page
 * of the target RATE times per second of guest time, alternately with an
 * mprotect flip (RW to RWX and back: the page stays, its translation
 * goes) and MADV_DONTNEED (the page goes; the device faults in a fresh
 * one). Prints "mibs X" and "invalidations_per_s Y" (the rate reached).
 *
 * cost: PAGES pages of 4 KiB (MADV_NOHUGEPAGE, touched by the CPU) are
 * registered as an explicit ODP MR and mapped for the device (a
 * synchronous prefetch where the stack has ibv_advise_mr, else an RDMA
 * WRITE pass); then mprotect(PROT_READ) of all of them, which
 * invalidates them, is timed; REPS times (default 5), the median printed
 * as "with_mr_ns". The same mprotect of an equal mapping with no MR is
 * timed as "no_mr_ns": the difference is what the stack's invalidation
 * costs. Times are guest nanoseconds (instructions in the deterministic
 * mode).
 */
#include <sys/mman.h>

#include "rxe_test.h"

#define MSG 65536
#define WINDOW 16
#define PG 4096UL
#define RATE_LEN (16UL << 20)

static const int acc = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE;

struct invalidator {
	uint8_t *buf;
	size_t len;
	double rate;
	char kind;	/* 'm'protect flips, 'd'ontneed, 'b'oth in turn */
	volatile int stop;
	unsigned long done;
	pthread_t thread;
};

static void *invalidate_loop(void *arg)
{
	struct invalidator *v = arg;
	unsigned int seed = 1;
	struct timespec next;

	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!v->stop) {
		uint8_t *pg = v->buf + (rand_r(&seed) % (v->len / PG)) * PG;
		long step = (long)(1e9 / v->rate);

		if (v->kind == 'd' || (v->kind == 'b' && (v->done & 1))) {
			madvise(pg, PG, MADV_DONTNEED);
		} else {
			mprotect(pg, PG, PROT_READ | PROT_WRITE | PROT_EXEC);
			mprotect(pg, PG, PROT_READ | PROT_WRITE);
		}
		v->done++;
		next.tv_nsec += step % 1000000000L;
		next.tv_sec += step / 1000000000L + next.tv_nsec / 1000000000L;
		next.tv_nsec %= 1000000000L;
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	return NULL;
}

static int rate_mode(struct ibv_pd *pd, double rate, double secs, char kind)
{
	struct invalidator v = { .rate = rate, .kind = kind };
	uint8_t *src = rt_map(MSG, PG), *dst = rt_map(RATE_LEN, PG);
	struct ibv_mr *ms, *md;
	struct rt_rc_pair p;
	double t0, ns, bytes = 0;

	memset(src, 1, MSG);
	CHECK(!madvise(dst, RATE_LEN, MADV_NOHUGEPAGE));
	CHECK((ms = ibv_reg_mr(pd, src, MSG, acc)) != NULL);
	md = rt_reg_odp(pd, dst, RATE_LEN, acc);
	rt_rc_pair(&p, pd, &rt_rdma_opts);
	rt_write_stream(&p, ms, src, 0, md, dst, RATE_LEN, MSG, WINDOW);
	v.buf = dst;
	v.len = RATE_LEN;
	if (rate > 0)
		CHECK(pthread_create(&v.thread, NULL, invalidate_loop, &v) == 0);
	t0 = rt_now_ns();
	do {
		rt_write_stream(&p, ms, src, 0, md, dst, RATE_LEN, MSG, WINDOW);
		bytes += RATE_LEN;
		ns = rt_now_ns() - t0;
	} while (ns < secs * 1e9);
	if (rate > 0) {
		v.stop = 1;
		pthread_join(v.thread, NULL);
	}
	printf("mibs %.2f\ninvalidations_per_s %.1f\n", bytes / (ns / 1e9) / (1 << 20),
	       v.done / (ns / 1e9));
	rt_rc_pair_destroy(&p);
	CHECK(ibv_dereg_mr(md) == 0);
	CHECK(ibv_dereg_mr(ms) == 0);
	return 0;
}

static uint8_t *cpu_touched(size_t len)
{
	uint8_t *b = rt_map(len, 2UL << 20);

	CHECK(!madvise(b, len, MADV_NOHUGEPAGE));
	memset(b, 2, len);
	return b;
}

/* Guest ns of mprotect(PROT_READ) over @len bytes at @b; made RW again. */
static double time_protect(uint8_t *b, size_t len)
{
	double t0 = rt_now_ns(), ns;

	CHECK(!mprotect(b, len, PROT_READ));
	ns = rt_now_ns() - t0;
	CHECK(!mprotect(b, len, PROT_READ | PROT_WRITE));
	return ns;
}

/* Map all of @md for the device: a sync prefetch, else a WRITE pass. */
static void device_map(struct ibv_pd *pd, struct rt_rc_pair *p, struct ibv_mr *ms,
		       uint8_t *src, struct ibv_mr *md, uint8_t *dst, size_t len)
{
	static bool no_advise;
	struct ibv_sge sge = { (uintptr_t)dst, (uint32_t)len, md->lkey };
	size_t off;

	if (!no_advise) {
		for (off = 0; off < len; off += 1UL << 30) {
			sge.addr = (uintptr_t)dst + off;
			sge.length = len - off < (1UL << 30) ? len - off : 1UL << 30;
			if (ibv_advise_mr(pd, IBV_ADVISE_MR_ADVICE_PREFETCH_WRITE,
					  IBV_ADVISE_MR_FLAG_FLUSH, &sge, 1))
				break;
		}
		if (off >= len)
			return;
		no_advise = true;
		rt_note("no ibv_advise_mr: mapping with a WRITE pass");
	}
	rt_write_stream(p, ms, src, 0, md, dst, len, len < MSG ? len : MSG, WINDOW);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

static int cost_mode(struct ibv_pd *pd, size_t pages, int reps)
{
	size_t len = pages * PG;
	uint8_t *src = rt_map(MSG, PG), *plain = cpu_touched(len), *dst = cpu_touched(len);
	double *with = calloc(reps, sizeof(double)), *without = calloc(reps, sizeof(double));
	struct ibv_mr *ms, *md;
	struct rt_rc_pair p;
	int i;

	CHECK(with && without);
	memset(src, 1, MSG);
	CHECK((ms = ibv_reg_mr(pd, src, MSG, acc)) != NULL);
	md = rt_reg_odp(pd, dst, len, acc);
	rt_rc_pair(&p, pd, &rt_rdma_opts);
	for (i = 0; i < reps; i++) {
		without[i] = time_protect(plain, len);
		device_map(pd, &p, ms, src, md, dst, len);
		with[i] = time_protect(dst, len);
	}
	printf("no_mr_ns %.0f\nwith_mr_ns %.0f\n", median(without, reps), median(with, reps));
	rt_rc_pair_destroy(&p);
	CHECK(ibv_dereg_mr(md) == 0);
	CHECK(ibv_dereg_mr(ms) == 0);
	return 0;
}

int main(int argc, char **argv)
{
	struct ibv_context *ctx = rt_open_dev();
	struct ibv_pd *pd;

	if (argc < 3)
		rt_fail("usage: odp_inval rate RATE [SECS [both|mprotect|dontneed]] | cost PAGES [REPS]");
	CHECK((pd = ibv_alloc_pd(ctx)) != NULL);
	if (!strcmp(argv[1], "rate"))
		return rate_mode(pd, atof(argv[2]), argc > 3 ? atof(argv[3]) : 1,
				 argc > 4 ? argv[4][0] : 'b');
	if (!strcmp(argv[1], "cost"))
		return cost_mode(pd, strtoul(argv[2], NULL, 0), argc > 3 ? atoi(argv[3]) : 5);
	rt_fail("unknown mode %s", argv[1]);
}
