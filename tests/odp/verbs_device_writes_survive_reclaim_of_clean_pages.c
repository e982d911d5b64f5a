// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=rxe0 timeout=300 mem=768 smp=2 swap=256 numa=2
/*
 * What the device writes into an ODP MR survives reclaim even where the
 * CPU page table never learns of the write. After a page comes back from
 * swap by a CPU read, it is mapped writable but clean and keeps its swap
 * copy; the fault path finds it writable and faults nothing, so the PTE
 * stays clean while the device writes. When reclaim takes the page again
 * only the page's own dirty flag saves the device's data from being
 * thrown away in favour of the stale swap copy: the invalidation must set
 * it for every page it unmaps that was mapped writable. (The stock 7.2
 * driver does not, and the CPU reads back the old bytes.)
 *
 * The same for a MAP_SHARED memfd (shmem), and for a page the device
 * writes through an implicit MR. Each byte is checked after the second
 * page-out, and the pages are seen in swap after each page-out.
 */
#include <fcntl.h>
#include <sys/mman.h>

#include "rxe_test.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#define NP 32
#define LEN (NP * 4096)

static struct rt_rc_pair pair;
static struct ibv_mr *pinned;
static uint8_t *pinned_buf;

/* Pages of [p, p + LEN) now in swap (/proc/self/pagemap bit 62). */
static int swapped_pages(const uint8_t *p)
{
	int fd = open("/proc/self/pagemap", O_RDONLY), n = 0, i;
	uint64_t e[NP];

	CHECK(fd >= 0);
	CHECK(pread(fd, e, sizeof(e), (uintptr_t)p / 4096 * 8) == sizeof(e));
	close(fd);
	for (i = 0; i < NP; i++)
		n += !!(e[i] & (1ULL << 62));
	return n;
}

/*
 * Page the buffer out; for anonymous memory, check that most of it went
 * to swap (reclaim may keep a page it finds busy: that page is then
 * simply not part of the scenario, its bytes are checked all the same).
 * A page still being written to swap by the previous page-out is not
 * unmapped again until that write ends, and on a loaded host that takes
 * a while: the tries back off, up to about 13 s in all.
 */
static void page_out(uint8_t *p, bool anon, const char *what, const char *when)
{
	int tries, n = 0;

	for (tries = 1; tries <= 50; tries++) {
		CHECK(!madvise(p, LEN, MADV_PAGEOUT));
		if (!anon || (n = swapped_pages(p)) == NP)
			return;
		usleep(tries * 10000);
	}
	if (n < NP / 2)
		rt_fail("%s: %s: only %d of %d pages went to swap (%ld kB under writeback)",
			what, when, n, NP, rt_meminfo_kb("Writeback"));
	rt_note("%s: %s: %d of %d pages went to swap", what, when, n, NP);
}

/*
 * The scenario on buffer @p (registered as @mr): CPU writes, page-out,
 * CPU read (swap-in: writable, clean), RDMA WRITE, page-out, CPU check.
 */
static void writes_survive(const char *what, uint8_t *p, struct ibv_mr *mr, bool anon)
{
	volatile uint8_t sink = 0;
	enum ibv_wc_status st;
	long bad;
	int i;

	rt_fill(p, LEN, 10);
	page_out(p, anon, what, "first page-out");
	for (i = 0; i < LEN; i += 4096)
		sink += p[i];		/* back from swap by a read */
	(void)sink;
	rt_fill(pinned_buf, LEN, 20);
	st = rt_do(&pair, IBV_WR_RDMA_WRITE, pinned, pinned_buf, LEN, mr, p);
	if (st != IBV_WC_SUCCESS)
		rt_fail("%s: RDMA WRITE: %s", what, ibv_wc_status_str(st));
	page_out(p, anon, what, "second page-out");
	bad = rt_mismatch(p, LEN, 20);
	if (bad >= 0)
		rt_fail("%s: the device's write was lost to reclaim: byte %ld is %#x, "
			"the old data was %s", what, bad, p[bad],
			rt_mismatch(p, LEN, 10) < 0 ? "read back whole" : "partly back");
	rt_note("%s: the device's write survived two page-outs", what);
}

int main(void)
{
	struct ibv_context *ctx = rt_open_dev();
	struct ibv_device_attr_ex attr = {};
	int acc = IBV_ACCESS_LOCAL_WRITE | rt_rdma_opts.access;
	struct ibv_mr *odp, *shm_mr, *imr;
	uint8_t *anon, *shm, *ibuf;
	struct ibv_pd *pd;
	int mfd;

	rt_require_odp(ctx, IBV_ODP_SUPPORT_WRITE);
	if (rt_meminfo_kb("SwapTotal") <= 0)
		rt_skip("this guest has no swap");
	CHECK((pd = ibv_alloc_pd(ctx)) != NULL);
	pinned_buf = rt_map(LEN, 4096);
	pinned = ibv_reg_mr(pd, pinned_buf, LEN, acc);
	CHECK(pinned);
	rt_rc_pair(&pair, pd, &rt_rdma_opts);

	anon = rt_map(LEN, 4096);
	odp = rt_reg_odp(pd, anon, LEN, acc);
	writes_survive("anonymous memory", anon, odp, true);

	mfd = memfd_create("rxe-odp-reclaim", 0);
	CHECK(mfd >= 0 && ftruncate(mfd, LEN) == 0);
	shm = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	CHECK(shm != MAP_FAILED);
	shm_mr = rt_reg_odp(pd, shm, LEN, acc);
	writes_survive("shared memfd (shmem)", shm, shm_mr, false);

	CHECK(ibv_query_device_ex(ctx, NULL, &attr) == 0);
	if (attr.odp_caps.general_caps & IBV_ODP_SUPPORT_IMPLICIT) {
		imr = ibv_reg_mr(pd, NULL, SIZE_MAX, IBV_ACCESS_ON_DEMAND | acc);
		CHECK(imr);
		ibuf = rt_map(LEN, 4096);
		writes_survive("anonymous memory through the implicit MR", ibuf, imr, true);
		CHECK(!ibv_dereg_mr(imr));
	} else {
		rt_note("implicit MR: not run (the device has no implicit ODP)");
	}

	rt_rc_pair_destroy(&pair);
	CHECK(!ibv_dereg_mr(odp) && !ibv_dereg_mr(shm_mr) && !ibv_dereg_mr(pinned));
	CHECK(!ibv_dealloc_pd(pd));
	return 0;
}
