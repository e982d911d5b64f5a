// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=rxe0 timeout=300 mem=768 smp=2 swap=256 numa=2
/*
 * ODP through verbs, the kernel moves the pages under the MRs: fork
 * (copy-on-write), MADV_PAGEOUT to swap, page migration to the other
 * NUMA node, THP collapse (MADV_COLLAPSE) and KSM merging. After each,
 * verified RDMA WRITE and READ rounds against the same MRs see the CPU's
 * view of the memory byte for byte, the event invalidated translations
 * (counted), and the other side of a COW keeps its own data. A phase the
 * kernel cannot do here is reported, and the test SKIPs if none ran.
 * Automatic NUMA balancing is switched off (it would invalidate at random
 * moments and blur which event invalidated what).
 */
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "rxe_test.h"

#define PG 4096
#define LEN (4UL << 20)		/* two huge pages */
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#define MPOL_MF_MOVE_ (1 << 1)

static struct rt_rc_pair pair;
static struct ibv_mr *msrc, *mdst, *mback;
static uint8_t *src, *dst, *back;
static uint32_t seed = 100;
static int phases;
static double t_mark;	/* when the last phase ended (guest ns) */

/*
 * WRITE a fresh pattern into dst and READ the CPU's next one back; twice
 * (once on a checker kernel): after the faults, with translations present.
 */
static void rounds(const char *what)
{
	int i, n = rt_scaled(2);

	for (i = 0; i < n; i++) {
		rt_fill(src, LEN, ++seed);
		if (rt_do(&pair, IBV_WR_RDMA_WRITE, msrc, src, LEN, mdst, dst) != IBV_WC_SUCCESS)
			rt_fail("%s: RDMA WRITE failed", what);
		if (rt_mismatch(dst, LEN, seed) >= 0)
			rt_fail("%s: the CPU sees byte %ld wrong after RDMA WRITE", what,
				rt_mismatch(dst, LEN, seed));
		rt_fill(dst, LEN, ++seed);
		if (rt_do(&pair, IBV_WR_RDMA_READ, mback, back, LEN, mdst, dst) != IBV_WC_SUCCESS)
			rt_fail("%s: RDMA READ failed", what);
		if (rt_mismatch(back, LEN, seed) >= 0)
			rt_fail("%s: RDMA READ returned byte %ld wrong", what,
				rt_mismatch(back, LEN, seed));
	}
}

/* Run @what's rounds and check the event invalidated something. */
static void after(const char *what, uint64_t inv0)
{
	uint64_t inv = rt_counter("odp_invalidated_pages") - inv0;

	if (!inv)
		rt_fail("%s: no translation was invalidated", what);
	rounds(what);
	rt_note("%s: %llu pages invalidated, data checked (%.1f s)", what,
		(unsigned long long)inv, (rt_now_ns() - t_mark) / 1e9);
	t_mark = rt_now_ns();
	phases++;
}

static void phase_fork(void)
{
	uint64_t inv0 = rt_counter("odp_invalidated_pages");
	uint32_t old = seed;
	int fds[2], status;
	pid_t pid;
	char c;

	CHECK(pipe(fds) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		if (read(fds[0], &c, 1) != 1)
			_exit(2);
		_exit(rt_mismatch(dst, LEN, old) < 0 ? 0 : 1);
	}
	after("fork", inv0);
	CHECK(write(fds[1], "x", 1) == 1);
	CHECK(waitpid(pid, &status, 0) == pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		rt_fail("fork: the child's copy changed (status %#x)", status);
	close(fds[0]);
	close(fds[1]);
}

static void phase_pageout(void)
{
	uint64_t inv0 = rt_counter("odp_invalidated_pages");

	if (rt_meminfo_kb("SwapTotal") <= 0) {
		rt_note("pageout: not run (no swap in this guest)");
		return;
	}
	if (madvise(dst, LEN, MADV_PAGEOUT) || madvise(src, LEN, MADV_PAGEOUT)) {
		rt_note("pageout: not run (MADV_PAGEOUT: %s)", strerror(errno));
		return;
	}
	after("pageout", inv0);
}

static void phase_migrate(void)
{
	static void *pages[LEN / PG];
	static int nodes[LEN / PG], before[LEN / PG], st[LEN / PG];
	uint64_t inv0 = rt_counter("odp_invalidated_pages");
	size_t i, moved = 0, on1 = 0;
	int target;

	if (access("/sys/devices/system/node/node1", F_OK)) {
		rt_note("migrate: not run (one NUMA node)");
		return;
	}
	for (i = 0; i < LEN / PG; i++)
		pages[i] = dst + i * PG;
	CHECK(syscall(SYS_move_pages, 0, LEN / PG, pages, NULL, before, 0) == 0);
	for (i = 0; i < LEN / PG; i++)
		on1 += before[i] == 1;
	target = on1 > LEN / PG / 2 ? 0 : 1;	/* where most pages are not */
	for (i = 0; i < LEN / PG; i++)
		nodes[i] = target;
	CHECK(syscall(SYS_move_pages, 0, LEN / PG, pages, nodes, st, MPOL_MF_MOVE_) >= 0);
	CHECK(syscall(SYS_move_pages, 0, LEN / PG, pages, NULL, st, 0) == 0);
	for (i = 0; i < LEN / PG; i++)
		moved += before[i] != target && st[i] == target;
	if (!moved)
		rt_fail("migrate: no page moved to node %d", target);
	rt_note("migrate: %zu of %lu pages moved to node %d", moved, LEN / PG, target);
	after("migrate", inv0);
}

static void phase_thp_collapse(void)
{
	uint64_t inv0;

	if (madvise(dst, LEN, MADV_HUGEPAGE)) {
		rt_note("THP collapse: not run (MADV_HUGEPAGE: %s)", strerror(errno));
		return;
	}
	inv0 = rt_counter("odp_invalidated_pages");
	if (madvise(dst, LEN, MADV_COLLAPSE)) {
		rt_note("THP collapse: not run (MADV_COLLAPSE: %s)", strerror(errno));
		return;
	}
	after("THP collapse", inv0);
}

static int ksm_shared(void)
{
	FILE *f = fopen("/sys/kernel/mm/ksm/pages_shared", "r");
	int n = 0;

	if (f) {
		if (fscanf(f, "%d", &n) != 1)
			n = 0;
		fclose(f);
	}
	return n;
}

static void phase_ksm(void)
{
	uint8_t *twin = rt_map(LEN, PG);
	uint64_t inv0 = rt_counter("odp_invalidated_pages");
	uint32_t old;
	int i;

	if (access("/sys/kernel/mm/ksm/run", W_OK)) {
		rt_note("KSM: not run (no /sys/kernel/mm/ksm)");
		return;
	}
	old = ++seed;
	rt_fill(dst, LEN, old);
	memcpy(twin, dst, LEN);
	/* translations of dst present again when KSM comes */
	if (rt_do(&pair, IBV_WR_RDMA_READ, mback, back, LEN, mdst, dst) != IBV_WC_SUCCESS)
		rt_fail("KSM: RDMA READ before merging");
	inv0 = rt_counter("odp_invalidated_pages");
	if (madvise(dst, LEN, MADV_MERGEABLE) || madvise(twin, LEN, MADV_MERGEABLE)) {
		rt_note("KSM: not run (MADV_MERGEABLE: %s)", strerror(errno));
		return;
	}
	rt_sh("echo 10000 > /sys/kernel/mm/ksm/pages_to_scan; "
	      "echo 10 > /sys/kernel/mm/ksm/sleep_millisecs; echo 1 > /sys/kernel/mm/ksm/run");
	/*
	 * Until KSM has reached dst too: it may merge other pages first (on
	 * the debug kernel, 135 were shared before dst's first invalidation).
	 */
	for (i = 0; i < 600 && (ksm_shared() < 16 ||
				rt_counter("odp_invalidated_pages") == inv0); i++)
		usleep(100000);
	if (ksm_shared() < 16) {
		rt_sh("echo 2 > /sys/kernel/mm/ksm/run");
		rt_fail("KSM: only %d pages merged after 60 s", ksm_shared());
	}
	rt_note("KSM: %d pages shared", ksm_shared());
	after("KSM", inv0);
	if (rt_mismatch(twin, LEN, old) >= 0)
		rt_fail("KSM: the twin of the merged pages changed");
	rt_sh("echo 2 > /sys/kernel/mm/ksm/run");
}

int main(void)
{
	struct ibv_context *ctx = rt_open_dev();
	const struct rt_rc_opts opts = rt_rdma_opts;
	int acc = IBV_ACCESS_LOCAL_WRITE | opts.access;
	struct ibv_pd *pd;

	rt_require_odp(ctx, IBV_ODP_SUPPORT_WRITE | IBV_ODP_SUPPORT_READ);
	/* automatic NUMA balancing invalidates too, at its own pace: off, so
	 * each phase's invalidations are its own */
	system("{ echo 0 > /proc/sys/kernel/numa_balancing; } 2>/dev/null");
	CHECK((pd = ibv_alloc_pd(ctx)) != NULL);
	src = rt_map(LEN, 2 << 20);
	dst = rt_map(LEN, 2 << 20);
	back = rt_map(LEN, 2 << 20);
	madvise(dst, LEN, MADV_NOHUGEPAGE);	/* small pages until the collapse phase */
	msrc = rt_reg_odp(pd, src, LEN, acc);
	mdst = rt_reg_odp(pd, dst, LEN, acc);
	mback = rt_reg_odp(pd, back, LEN, acc);
	rt_rc_pair(&pair, pd, &opts);
	rounds("first touch");
	t_mark = rt_now_ns();

	phase_fork();
	phase_pageout();
	phase_migrate();
	phase_thp_collapse();
	phase_ksm();

	rt_rc_pair_destroy(&pair);
	CHECK(!ibv_dereg_mr(msrc) && !ibv_dereg_mr(mdst) && !ibv_dereg_mr(mback));
	CHECK(!ibv_dealloc_pd(pd));
	if (!phases)
		rt_skip("no page-moving event could be run in this guest");
	rt_note("%d of 5 events run, data intact after each", phases);
	return 0;
}
