// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=rxe0 timeout=300
/*
 * ODP through verbs, teardown with work in flight: child processes run
 * RDMA WRITE/READ loops (many WRs outstanding) between ODP MRs (explicit
 * ones, or one implicit MR for half of them) and are
 * SIGKILLed at varying moments, or exit() with the loop still running
 * (their mm goes before their verbs objects); afterwards every MR of
 * theirs is gone, the device still carries verified ODP traffic, and the
 * kernel log is clean (the harness checks it).
 */
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "rxe_test.h"

#define LEN (256 * 1024)

static int count_mrs(void)
{
	char line[256];
	int n = 0;
	FILE *f = popen("rdma resource show mr 2>/dev/null", "r");

	CHECK(f);
	while (fgets(line, sizeof(line), f))
		n += strstr(line, "mrn") != NULL;
	pclose(f);
	return n;
}

static void busy(int exit_after, int implicit)
{
	struct ibv_context *ctx = rt_open_dev();
	const struct rt_rc_opts opts = rt_rdma_opts;
	int acc = IBV_ACCESS_LOCAL_WRITE | opts.access, i, posted = 0;
	uint8_t *a = rt_map(LEN, 4096), *b = rt_map(LEN, 4096);
	struct ibv_pd *pd = ibv_alloc_pd(ctx);
	struct ibv_mr *ma, *mb;
	struct rt_rc_pair p;
	struct ibv_wc wc;

	CHECK(pd);
	if (implicit) {		/* one MR for everything */
		ma = mb = ibv_reg_mr(pd, NULL, SIZE_MAX, IBV_ACCESS_ON_DEMAND | acc);
		CHECK(ma);
	} else {
		ma = rt_reg_odp(pd, a, LEN, acc);
		mb = rt_reg_odp(pd, b, LEN, acc);
	}
	rt_rc_pair(&p, pd, &opts);
	for (i = 0;; i++) {
		while (posted < 32) {
			rt_post_send(p.qp[0], posted & 1 ? IBV_WR_RDMA_READ : IBV_WR_RDMA_WRITE, i,
				     ma->lkey, a, LEN / 4, (uintptr_t)b + (i % 4) * (LEN / 4), mb->rkey);
			posted++;
		}
		while (ibv_poll_cq(p.cq[0], 1, &wc) == 1)
			posted--;
		if (exit_after && i == exit_after)
			exit(0);	/* with 32 requests outstanding */
	}
}

int main(void)
{
	struct ibv_context *ctx = rt_open_dev();
	/* 12 children (4 on a checker kernel): every mix of end and MR kind */
	int i, status, base = count_mrs(), n = rt_scaled(12);

	rt_require_odp(ctx, IBV_ODP_SUPPORT_WRITE | IBV_ODP_SUPPORT_READ);
	for (i = 0; i < n; i++) {
		int killed = i & 1;
		pid_t pid = fork();

		CHECK(pid >= 0);
		if (pid == 0)
			busy(killed ? 0 : 50 + 20 * i, i % 4 >= 2);
		if (killed) {
			usleep(300000 + 100000 * (i % 4));
			kill(pid, SIGKILL);
		}
		CHECK(waitpid(pid, &status, 0) == pid);
		if (killed ? !WIFSIGNALED(status) : !WIFEXITED(status) || WEXITSTATUS(status))
			rt_fail("child %d ended with status %#x", i, status);
	}
	for (i = 0; i < 100 && count_mrs() != base; i++)
		usleep(100000);
	if (count_mrs() != base)
		rt_fail("%d MRs left behind (had %d)", count_mrs() - base, base);

	/* the device still works */
	{
		const struct rt_rc_opts opts = rt_rdma_opts;
		uint8_t *a = rt_map(LEN, 4096), *b = rt_map(LEN, 4096);
		struct ibv_pd *pd = ibv_alloc_pd(ctx);
		struct ibv_mr *ma, *mb;
		struct rt_rc_pair p;

		CHECK(pd);
		ma = rt_reg_odp(pd, a, LEN, IBV_ACCESS_LOCAL_WRITE | opts.access);
		mb = rt_reg_odp(pd, b, LEN, IBV_ACCESS_LOCAL_WRITE | opts.access);
		rt_rc_pair(&p, pd, &opts);
		rt_fill(a, LEN, 77);
		CHECK(rt_do(&p, IBV_WR_RDMA_WRITE, ma, a, LEN, mb, b) == IBV_WC_SUCCESS);
		CHECK(rt_mismatch(b, LEN, 77) < 0);
		rt_rc_pair_destroy(&p);
		CHECK(!ibv_dereg_mr(ma) && !ibv_dereg_mr(mb) && !ibv_dealloc_pd(pd));
	}
	rt_note("%d processes SIGKILLed and %d exited with 32 ODP requests in flight "
		"(half through an implicit MR); "
		"no MR left, device verified afterwards", n / 2, n - n / 2);
	return 0;
}
