// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=rxe0 timeout=300
/*
 * Implicit ODP through verbs: ibv_reg_mr(pd, NULL, SIZE_MAX, ON_DEMAND)
 * gives one lkey/rkey for the whole address space. MPI style: registered
 * once, then RDMA WRITE/READ, SEND/RECV and atomics between buffers
 * allocated afterwards (heap, stack, fresh mmap, a MAP_SHARED file, a
 * mapping made again after munmap), each byte checked; an address with
 * nothing mapped completes with REM_ACCESS_ERR (remote) or LOC_PROT_ERR
 * (local). A synchronous prefetch through it leaves nothing to fault; a
 * shared receive queue's buffer is reached through it too. It coexists
 * with explicit ODP and pinned MRs in one PD; the device's max_mr_size
 * allows its SIZE_MAX length.
 * Three thousand mmap/RDMA/munmap cycles, while a second QP pair keeps
 * verified traffic going through the same MR, leave the number of live
 * children (table chunks of the implicit region, counted as created and
 * freed) bounded; a forked child does its own traffic.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "rxe_test.h"

#define CYCLES rt_scaled(3000)	/* a third on the debug kernel */

static struct rt_rc_pair pair;
static struct ibv_mr *imr;
static struct ibv_pd *pd;

/* WRITE src -> dst and READ dst -> src through the implicit MR, checked. */
static void write_read(void *src, void *dst, uint32_t len, uint32_t seed, const char *what)
{
	rt_fill(src, len, seed);
	if (rt_do(&pair, IBV_WR_RDMA_WRITE, imr, src, len, imr, dst) != IBV_WC_SUCCESS ||
	    rt_mismatch(dst, len, seed) >= 0)
		rt_fail("%s: RDMA WRITE through the implicit MR", what);
	rt_fill(dst, len, seed + 1);
	if (rt_do(&pair, IBV_WR_RDMA_READ, imr, src, len, imr, dst) != IBV_WC_SUCCESS ||
	    rt_mismatch(src, len, seed + 1) >= 0)
		rt_fail("%s: RDMA READ through the implicit MR", what);
}

static uint64_t children(void)
{
	return rt_counter("odp_implicit_children_added") -
	       rt_counter("odp_implicit_children_freed");
}

/* Background traffic through the implicit MR while mappings come and go. */
struct bg_traffic {
	struct rt_rc_pair pair;
	uint8_t *buf;		/* 64 KiB, mapped for the whole run */
	atomic_bool stop;
	unsigned long rounds;
};

static void *bg_traffic_run(void *arg)
{
	struct bg_traffic *bg = arg;
	uint32_t seed = 1000;

	while (!atomic_load(&bg->stop)) {
		rt_fill(bg->buf, 16384, seed);
		if (rt_do(&bg->pair, IBV_WR_RDMA_WRITE, imr, bg->buf, 16384, imr,
			  bg->buf + 32768) != IBV_WC_SUCCESS ||
		    rt_mismatch(bg->buf + 32768, 16384, seed) >= 0)
			rt_fail("background traffic round %lu", bg->rounds);
		seed++;
		bg->rounds++;
	}
	return NULL;
}

int main(void)
{
	struct ibv_context *ctx = rt_open_dev();
	struct ibv_device_attr_ex attr = {};
	uint8_t stack_buf[8192], *heap, *fresh, *fmap, *pinned_buf, *odp_buf;
	struct ibv_mr *pinned, *explicit_odp;
	uint64_t *word, c0, cmax = 0, add0, free0;
	static struct bg_traffic bg;
	pthread_t bg_thread;
	int mfd, i, status;
	struct ibv_wc wc;
	pid_t pid;

	CHECK(ibv_query_device_ex(ctx, NULL, &attr) == 0);
	if (!(attr.odp_caps.general_caps & IBV_ODP_SUPPORT_IMPLICIT))
		rt_skip("the device does not report implicit ODP");
	/* an implicit MR is SIZE_MAX long: the device must allow that size */
	if (attr.orig_attr.max_mr_size != UINT64_MAX)
		rt_fail("max_mr_size %#llx: an implicit MR needs UINT64_MAX",
			(unsigned long long)attr.orig_attr.max_mr_size);
	CHECK((pd = ibv_alloc_pd(ctx)) != NULL);
	imr = ibv_reg_mr(pd, NULL, SIZE_MAX, IBV_ACCESS_ON_DEMAND | IBV_ACCESS_LOCAL_WRITE |
			 rt_rdma_opts.access);
	if (!imr)
		rt_fail("implicit ibv_reg_mr: %s", strerror(errno));
	rt_note("implicit MR: lkey %#x rkey %#x length %#zx", imr->lkey, imr->rkey, imr->length);
	rt_rc_pair(&pair, pd, &rt_rdma_opts);

	/* buffers allocated after the registration */
	heap = malloc(65536);
	CHECK(heap);
	write_read(heap, heap + 32768, 32768, 1, "heap to heap");
	write_read(stack_buf, heap, sizeof(stack_buf), 3, "stack to heap");
	fresh = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(fresh != MAP_FAILED);
	write_read(heap, fresh + 100, 65000 - 32768, 5, "heap to fresh mmap");
	mfd = memfd_create("rxe-odp-implicit", 0);
	CHECK(mfd >= 0 && ftruncate(mfd, 65536) == 0);
	fmap = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	CHECK(fmap != MAP_FAILED);
	write_read(fresh, fmap, 65536, 7, "fresh mmap to file mapping");
	{
		uint8_t tmp[64];

		CHECK(pread(mfd, tmp, sizeof(tmp), 64) == sizeof(tmp));
		CHECK(!memcmp(tmp, fmap + 64, sizeof(tmp)));
	}

	/* a synchronous prefetch through it: the WRITE that follows faults nothing */
	{
		uint8_t *pf = rt_map(64 * 4096, 4096);
		struct ibv_sge sge = { (uintptr_t)pf, 64 * 4096, imr->lkey };
		uint64_t faults;
		int err = ibv_advise_mr(pd, IBV_ADVISE_MR_ADVICE_PREFETCH_WRITE,
					IBV_ADVISE_MR_FLAG_FLUSH, &sge, 1);

		if (err == EOPNOTSUPP || err == ENOSYS) {
			rt_note("prefetch: not run (this provider has no ibv_advise_mr)");
		} else {
			CHECK(err == 0);
			faults = rt_counter("odp_page_faults");
			write_read(heap, pf, 32768, 9, "heap to prefetched mmap");
			CHECK(rt_counter("odp_page_faults") == faults);
			rt_note("prefetch through the implicit MR: the WRITE into it faulted nothing");
		}
	}

	/* SEND into a shared receive queue's buffer through it */
	{
		struct ibv_srq_init_attr sa = { .attr = { .max_wr = 4, .max_sge = 1 } };
		struct rt_rc_opts o = rt_rdma_opts;
		struct rt_rc_pair sp;
		struct ibv_recv_wr rwr = { .wr_id = 6, .num_sge = 1 }, *bad;
		struct ibv_sge rsge = { (uintptr_t)(fresh + 400000), 8192, imr->lkey };
		struct ibv_srq *srq = ibv_create_srq(pd, &sa);

		CHECK(srq);
		o.srq = srq;
		rt_rc_pair(&sp, pd, &o);
		rwr.sg_list = &rsge;
		CHECK(ibv_post_srq_recv(srq, &rwr, &bad) == 0);
		rt_fill(heap, 8192, 23);
		CHECK(rt_do(&sp, IBV_WR_SEND, imr, heap, 8192, NULL, NULL) == IBV_WC_SUCCESS);
		wc = rt_expect_wc(sp.cq[1], IBV_WC_SUCCESS, 6);
		CHECK(wc.byte_len == 8192 && rt_mismatch(fresh + 400000, 8192, 23) < 0);
		rt_rc_pair_destroy(&sp);
		CHECK(ibv_destroy_srq(srq) == 0);
		rt_note("SEND into an SRQ receive buffer through the implicit MR");
	}

	/* SEND/RECV and atomics */
	rt_post_recv(pair.qp[1], 5, imr->lkey, fresh + 200000, 8192);
	rt_fill(heap, 8192, 11);
	CHECK(rt_do(&pair, IBV_WR_SEND, imr, heap, 8192, NULL, NULL) == IBV_WC_SUCCESS);
	wc = rt_expect_wc(pair.cq[1], IBV_WC_SUCCESS, 5);
	CHECK(wc.byte_len == 8192 && rt_mismatch(fresh + 200000, 8192, 11) < 0);
	word = (uint64_t *)(fresh + 300000);
	CHECK(rt_do(&pair, IBV_WR_ATOMIC_FETCH_AND_ADD, imr, heap, 8, imr, word) == IBV_WC_SUCCESS);
	CHECK(*(uint64_t *)heap == 0 && *word == 1);

	/* after munmap: errors; after mapping again: works */
	CHECK(munmap(fresh, 1 << 20) == 0);
	CHECK(rt_do(&pair, IBV_WR_RDMA_WRITE, imr, heap, 64, imr, fresh + 4096) ==
	      IBV_WC_REM_ACCESS_ERR);
	rt_rc_pair_destroy(&pair);
	rt_rc_pair(&pair, pd, &rt_rdma_opts);
	CHECK(rt_do(&pair, IBV_WR_RDMA_WRITE, imr, fresh + 4096, 64, imr, heap) ==
	      IBV_WC_LOC_PROT_ERR);
	rt_rc_pair_destroy(&pair);
	rt_rc_pair(&pair, pd, &rt_rdma_opts);
	CHECK(mmap(fresh, 1 << 20, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == fresh);
	write_read(heap, fresh + 4096, 16384, 13, "mapping made again");

	/* together with explicit ODP and pinned MRs of the same PD */
	pinned_buf = malloc(16384);
	odp_buf = mmap(NULL, 16384, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(pinned_buf && odp_buf != MAP_FAILED);
	pinned = ibv_reg_mr(pd, pinned_buf, 16384, IBV_ACCESS_LOCAL_WRITE | rt_rdma_opts.access);
	explicit_odp = rt_reg_odp(pd, odp_buf, 16384, IBV_ACCESS_LOCAL_WRITE | rt_rdma_opts.access);
	CHECK(pinned);
	rt_fill(pinned_buf, 16384, 15);
	CHECK(rt_do(&pair, IBV_WR_RDMA_WRITE, pinned, pinned_buf, 16384, imr, heap) ==
	      IBV_WC_SUCCESS);
	CHECK(rt_do(&pair, IBV_WR_RDMA_WRITE, imr, heap, 16384, explicit_odp, odp_buf) ==
	      IBV_WC_SUCCESS);
	CHECK(rt_mismatch(odp_buf, 16384, 15) < 0);
	CHECK(rt_do(&pair, IBV_WR_RDMA_READ, explicit_odp, odp_buf, 16384, imr, fresh + 8192) ==
	      IBV_WC_SUCCESS);
	CHECK(!ibv_dereg_mr(pinned) && !ibv_dereg_mr(explicit_odp));

	/* map, RDMA, unmap with traffic running: the children stay bounded */
	bg.buf = malloc(65536);
	CHECK(bg.buf);
	rt_rc_pair(&bg.pair, pd, &rt_rdma_opts);
	CHECK(pthread_create(&bg_thread, NULL, bg_traffic_run, &bg) == 0);
	c0 = children();
	add0 = rt_counter("odp_implicit_children_added");
	free0 = rt_counter("odp_implicit_children_freed");
	for (i = 0; i < CYCLES; i++) {
		/* a 2 MiB block of its own inside a 4 MiB mapping */
		uint8_t *m = mmap(NULL, 4 << 20, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *p;

		CHECK(m != MAP_FAILED);
		p = (uint8_t *)(((uintptr_t)m + (2 << 20) - 1) & ~(uintptr_t)((2 << 20) - 1));
		rt_fill(heap, 4096, i);
		if (rt_do(&pair, IBV_WR_RDMA_WRITE, imr, heap, 4096, imr, p + (i % 500) * 4096) !=
		    IBV_WC_SUCCESS || rt_mismatch(p + (i % 500) * 4096, 4096, i) >= 0)
			rt_fail("cycle %d: RDMA WRITE into a fresh mapping", i);
		if (i % 100 == 0 && children() > cmax)
			cmax = children();
		CHECK(munmap(m, 4 << 20) == 0);
	}
	atomic_store(&bg.stop, true);
	CHECK(pthread_join(bg_thread, NULL) == 0);
	rt_rc_pair_destroy(&bg.pair);
	rt_note("%d mmap/RDMA/munmap cycles beside %lu verified background rounds: "
		"children created %llu, freed %llu; live %llu -> %llu (most %llu)",
		CYCLES, bg.rounds,
		(unsigned long long)(rt_counter("odp_implicit_children_added") - add0),
		(unsigned long long)(rt_counter("odp_implicit_children_freed") - free0),
		(unsigned long long)c0, (unsigned long long)children(),
		(unsigned long long)cmax);
	CHECK(bg.rounds > 0);
	CHECK(rt_counter("odp_implicit_children_added") - add0 >= (uint64_t)CYCLES);
	CHECK(rt_counter("odp_implicit_children_freed") - free0 >= (uint64_t)CYCLES);
	CHECK(children() <= c0 + 2 && cmax <= c0 + 4);

	/* a forked child: its own MR and traffic; the parent's keeps working */
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		struct ibv_context *c = rt_open_dev();
		struct ibv_pd *cpd = ibv_alloc_pd(c);
		uint8_t *b = malloc(65536);

		if (!cpd || !b)
			_exit(2);
		pd = cpd;
		imr = ibv_reg_mr(cpd, NULL, SIZE_MAX, IBV_ACCESS_ON_DEMAND |
				 IBV_ACCESS_LOCAL_WRITE | rt_rdma_opts.access);
		if (!imr)
			_exit(3);
		rt_rc_pair(&pair, cpd, &rt_rdma_opts);
		write_read(b, b + 32768, 32768, 17, "child");
		_exit(0);
	}
	write_read(heap, fresh, 32768, 19, "parent while the child runs");
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status));
	write_read(heap, fresh, 32768, 21, "parent after the child");

	rt_rc_pair_destroy(&pair);
	CHECK(!ibv_dereg_mr(imr) && !ibv_dealloc_pd(pd));
	rt_note("one implicit MR served heap, stack, fresh and file mappings, remaps, "
		"SEND/RECV, atomics, next to explicit and pinned MRs");
	return 0;
}
