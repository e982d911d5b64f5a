// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=rxe0 timeout=1200 mem=1024 smp=2 swap=3072 debug=off
/*
 * Overcommit, the point of ODP: in a guest with 1 GiB of RAM and swap, one
 * ODP MR covers 2 GiB of anonymous memory (a length that does not fit in
 * an int). Every MiB of it is written by RDMA WRITE, with its own pattern,
 * then read back by RDMA READ and checked: most of the region is on swap
 * in between, so the reads fault pages back in, and the writes had to
 * mark them dirty or the swapped copies would be stale. Pinning the same
 * 2 GiB is refused (under a 64 MiB memlock limit, without CAP_IPC_LOCK: a
 * pinned MR must lock what it covers, an ODP MR locks nothing).
 */
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rxe_test.h"

#define REGION (2ULL << 30)
#define CHUNK (1U << 20)

/* In a child without CAP_IPC_LOCK and with 64 MiB of memlock: pin @len. */
static void pinned_is_refused(void *p, size_t len)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	struct rlimit rl = { 64 << 20, 64 << 20 };
	int status;
	pid_t pid = fork();

	CHECK(pid >= 0);
	if (!pid) {
		struct ibv_context *ctx;
		struct ibv_pd *pd;
		struct ibv_mr *mr;

		if (syscall(SYS_capget, &h, d))
			_exit(2);
		d[CAP_IPC_LOCK / 32].effective &= ~(1U << (CAP_IPC_LOCK % 32));
		if (syscall(SYS_capset, &h, d) || setrlimit(RLIMIT_MEMLOCK, &rl))
			_exit(2);
		ctx = rt_open_dev();
		pd = ibv_alloc_pd(ctx);
		mr = ibv_reg_mr(pd, p, len, IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE);
		printf("# pinned 2 GiB: %s\n", mr ? "registered" : strerror(errno));
		fflush(stdout);
		_exit(mr ? 1 : 0);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		rt_fail("registering 2 GiB pinned was not refused (status %#x)", status);
}

int main(void)
{
	struct ibv_context *ctx = rt_open_dev();
	uint64_t faults, invalidated;
	struct ibv_mr *big, *lmr;
	struct rt_rc_pair p;
	struct ibv_pd *pd;
	uint8_t *region, *local;
	long bad;
	size_t i;

	rt_require_odp(ctx, IBV_ODP_SUPPORT_WRITE | IBV_ODP_SUPPORT_READ);
	CHECK((pd = ibv_alloc_pd(ctx)) != NULL);
	region = mmap(NULL, REGION, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	CHECK(region != MAP_FAILED);
	local = rt_map(CHUNK, 4096);
	pinned_is_refused(region, REGION);

	big = rt_reg_odp(pd, region, REGION, IBV_ACCESS_LOCAL_WRITE |
			 IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ);
	CHECK(big->length == REGION);
	CHECK((lmr = ibv_reg_mr(pd, local, CHUNK, IBV_ACCESS_LOCAL_WRITE)) != NULL);
	rt_rc_pair(&p, pd, &rt_rdma_opts);
	rt_note("2 GiB ODP MR registered in a guest of 1 GiB: lkey %#x", big->lkey);

	faults = rt_counter("odp_fault_pages");
	invalidated = rt_counter("odp_invalidated_pages");
	for (i = 0; i < REGION / CHUNK; i++) {
		rt_fill(local, CHUNK, (uint32_t)i);
		if (rt_do(&p, IBV_WR_RDMA_WRITE, lmr, local, CHUNK, big,
			  region + i * CHUNK) != IBV_WC_SUCCESS)
			rt_fail("RDMA WRITE of MiB %zu failed", i);
	}
	rt_note("2 GiB written: %llu pages faulted in, %llu invalidated so far",
		(unsigned long long)(rt_counter("odp_fault_pages") - faults),
		(unsigned long long)(rt_counter("odp_invalidated_pages") - invalidated));
	for (i = 0; i < REGION / CHUNK; i++) {
		memset(local, 0, CHUNK);
		if (rt_do(&p, IBV_WR_RDMA_READ, lmr, local, CHUNK, big,
			  region + i * CHUNK) != IBV_WC_SUCCESS)
			rt_fail("RDMA READ of MiB %zu failed", i);
		bad = rt_mismatch(local, CHUNK, (uint32_t)i);
		if (bad >= 0)
			rt_fail("MiB %zu: byte %ld read back differs", i, bad);
	}
	if (rt_counter("odp_invalidated_pages") - invalidated < 1000)
		rt_fail("the region never went out to swap (%llu pages invalidated)",
			(unsigned long long)(rt_counter("odp_invalidated_pages") - invalidated));
	rt_note("2 GiB read back and checked: %llu pages faulted in, %llu invalidated",
		(unsigned long long)(rt_counter("odp_fault_pages") - faults),
		(unsigned long long)(rt_counter("odp_invalidated_pages") - invalidated));

	rt_rc_pair_destroy(&p);
	CHECK(ibv_dereg_mr(lmr) == 0 && ibv_dereg_mr(big) == 0);
	CHECK(ibv_dealloc_pd(pd) == 0 && ibv_close_device(ctx) == 0);
	return 0;
}
