// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=rxe0 timeout=240
/*
 * ODP through verbs, ibv_advise_mr: a synchronous PREFETCH_WRITE makes
 * the pages present (counted) so the RDMA WRITE that follows faults
 * nothing; PREFETCH_NO_FAULT maps exactly what the CPU has touched and
 * faults nothing; bad arguments get their errno (unknown lkey, pinned MR,
 * range outside the MR: EINVAL; write prefetch of an MR without local
 * write: EPERM). Asynchronous prefetches of 64 MiB are raced with
 * deregistration of their MR, with the exit of their process and with
 * the removal of the device (rdma link delete). Needs a
 * provider with advise_mr: ours, or the distro's librxe from rdma-core 57 on.
 */
#include <sys/mman.h>
#include <sys/wait.h>

#include "rxe_test.h"

#define PG 4096
#define NP 64
#define BIG (64UL << 20)

static int advise(struct ibv_pd *pd, enum ibv_advise_mr_advice adv, uint32_t flags,
		  struct ibv_mr *mr, void *addr, uint32_t len)
{
	struct ibv_sge sge = { .addr = (uintptr_t)addr, .length = len, .lkey = mr->lkey };

	return ibv_advise_mr(pd, adv, flags, &sge, 1);
}

/*
 * In a forked child: its own device context, a 64 MiB ODP MR and an
 * asynchronous PREFETCH_WRITE of all of it; then exit at once, or (with
 * @notify_fd >= 0) say so on @notify_fd and stay 2 s while the parent
 * takes the device away. Exit status 0 if the advice was accepted.
 */
static void __attribute__((noreturn)) child_prefetch(int acc, int notify_fd)
{
	struct ibv_context *c = rt_open_dev();
	struct ibv_pd *cpd = ibv_alloc_pd(c);
	uint8_t *b = mmap(NULL, BIG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct ibv_mr *m;

	if (!cpd || b == MAP_FAILED)
		_exit(2);
	m = rt_reg_odp(cpd, b, BIG, acc);
	if (advise(cpd, IBV_ADVISE_MR_ADVICE_PREFETCH_WRITE, 0, m, b, BIG))
		_exit(3);
	if (notify_fd >= 0) {
		if (write(notify_fd, "x", 1) != 1)
			_exit(4);
		sleep(2);	/* the device goes away under the prefetch */
	}
	_exit(0);
}

int main(void)
{
	struct ibv_context *ctx = rt_open_dev();
	const struct rt_rc_opts opts = rt_rdma_opts;
	int acc = IBV_ACCESS_LOCAL_WRITE | opts.access, i, err, status;
	uint8_t *src, *dst, *snap, *big;
	struct ibv_mr *msrc, *mdst, *msnap, *mro, *mpin, *mbig;
	uint64_t f0, p0;
	struct rt_rc_pair p;
	struct ibv_pd *pd;
	pid_t pid;

	rt_require_odp(ctx, IBV_ODP_SUPPORT_WRITE);
	CHECK((pd = ibv_alloc_pd(ctx)) != NULL);
	src = rt_map(NP * PG, PG);
	dst = rt_map(NP * PG, PG);
	snap = rt_map(NP * PG, PG);
	msrc = rt_reg_odp(pd, src, NP * PG, acc);
	mdst = rt_reg_odp(pd, dst, NP * PG, acc);
	msnap = rt_reg_odp(pd, snap, NP * PG, acc);
	err = advise(pd, IBV_ADVISE_MR_ADVICE_PREFETCH_WRITE, IBV_ADVISE_MR_FLAG_FLUSH,
		     mdst, dst, NP * PG);
	if ((err == EOPNOTSUPP || err == ENOSYS) && getenv("RXE_PROVIDER") &&
	    !strcmp(getenv("RXE_PROVIDER"), "stock"))
		rt_skip("the distro's provider has no ibv_advise_mr (librxe before rdma-core 57)");
	CHECK(err == 0);
	rt_fill(src, NP * PG, 3);		/* the CPU faults src itself */
	CHECK(advise(pd, IBV_ADVISE_MR_ADVICE_PREFETCH, IBV_ADVISE_MR_FLAG_FLUSH,
		     msrc, src, NP * PG) == 0);
	f0 = rt_counter("odp_fault_pages");
	rt_rc_pair(&p, pd, &opts);
	CHECK(rt_do(&p, IBV_WR_RDMA_WRITE, msrc, src, NP * PG, mdst, dst) == IBV_WC_SUCCESS);
	CHECK(rt_mismatch(dst, NP * PG, 3) < 0);
	CHECK(rt_counter("odp_fault_pages") == f0);	/* all present beforehand */
	rt_rc_pair_destroy(&p);

	/* no-fault prefetch: exactly the pages the CPU touched */
	for (i = 0; i < NP; i += 4)
		snap[i * PG] = 1;
	f0 = rt_counter("odp_page_faults");
	p0 = rt_counter("odp_prefetch_pages");
	CHECK(advise(pd, IBV_ADVISE_MR_ADVICE_PREFETCH_NO_FAULT, IBV_ADVISE_MR_FLAG_FLUSH,
		     msnap, snap, NP * PG) == 0);
	CHECK(rt_counter("odp_page_faults") == f0);
	CHECK(rt_counter("odp_prefetch_pages") - p0 == NP / 4);

	/* errors */
	CHECK((mro = rt_reg_odp(pd, snap, NP * PG, IBV_ACCESS_REMOTE_READ)) != NULL);
	CHECK((mpin = ibv_reg_mr(pd, src, PG, IBV_ACCESS_LOCAL_WRITE)) != NULL);
	{
		struct ibv_sge bad = { .addr = (uintptr_t)src, .length = PG, .lkey = msrc->lkey ^ 0x3300 };

		CHECK(ibv_advise_mr(pd, IBV_ADVISE_MR_ADVICE_PREFETCH, IBV_ADVISE_MR_FLAG_FLUSH,
				    &bad, 1) == EINVAL);
	}
	CHECK(advise(pd, IBV_ADVISE_MR_ADVICE_PREFETCH, IBV_ADVISE_MR_FLAG_FLUSH, mpin, src, PG) ==
	      EINVAL);
	CHECK(advise(pd, IBV_ADVISE_MR_ADVICE_PREFETCH, IBV_ADVISE_MR_FLAG_FLUSH, msrc,
		     src + (NP - 1) * PG, 2 * PG) == EINVAL);
	CHECK(advise(pd, IBV_ADVISE_MR_ADVICE_PREFETCH_WRITE, IBV_ADVISE_MR_FLAG_FLUSH, mro,
		     snap, PG) == EPERM);
	CHECK(!ibv_dereg_mr(mro) && !ibv_dereg_mr(mpin));

	/* asynchronous prefetches raced with deregistration */
	for (i = 0; i < 5; i++) {
		big = mmap(NULL, BIG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		CHECK(big != MAP_FAILED);
		mbig = rt_reg_odp(pd, big, BIG, acc);
		CHECK(advise(pd, IBV_ADVISE_MR_ADVICE_PREFETCH_WRITE, 0, mbig, big, BIG) == 0);
		usleep(i * 20000);
		CHECK(ibv_dereg_mr(mbig) == 0);
		CHECK(munmap(big, BIG) == 0);
	}
	/* ... and with the exit of the process that asked */
	for (i = 0; i < 5; i++) {
		pid = fork();
		CHECK(pid >= 0);
		if (pid == 0)
			child_prefetch(acc, -1);
		CHECK(waitpid(pid, &status, 0) == pid);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	rt_note("sync prefetch made the WRITE fault-free; no-fault prefetch mapped %d touched "
		"pages; errno checks; 10 async prefetches of 64 MiB raced with dereg and exit",
		NP / 4);
	CHECK(!ibv_dereg_mr(msrc) && !ibv_dereg_mr(mdst) && !ibv_dereg_mr(msnap));
	CHECK(!ibv_dealloc_pd(pd));
	CHECK(!ibv_close_device(ctx));

	/* ... and with the removal of the device (the next test's setup adds it again) */
	{
		int fds[2];
		char c;

		CHECK(pipe(fds) == 0);
		pid = fork();
		CHECK(pid >= 0);
		if (pid == 0)
			child_prefetch(acc, fds[1]);
		CHECK(read(fds[0], &c, 1) == 1);
		rt_sh("rdma link delete %s", rt_dev_name());
		CHECK(waitpid(pid, &status, 0) == pid);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		rt_note("an async prefetch of 64 MiB raced with rdma link delete");
	}
	return 0;
}
