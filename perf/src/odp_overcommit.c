// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * odp_overcommit - a full write and read-verify pass over an ODP MR larger
 * than the guest's RAM, for perf/.
 *
 *   odp_overcommit MIB
 *
 * The target is MIB MiB of never-touched anonymous memory (MAP_NORESERVE)
 * registered as one explicit ODP MR; the guest has swap. One RC QP pair
 * RDMA-WRITEs it whole in 64 KiB messages, 16 outstanding, each message
 * filled with its own pattern in one of 16 pinned slots just before it is
 * posted; then RDMA-READs it back into the slots and checks every message
 * on its completion. Pages go to swap and come back through the fault
 * path on the way. Prints "write_mibs", "read_verify_mibs" (guest MiB/s),
 * "mismatches" (messages read back wrong) and the swap in use after the
 * passes ("swap_mib"); exit status 3 if a message came back wrong, 2 if
 * the driver refuses the MR.
 */
#include <sys/mman.h>

#include "rxe_test.h"

#define MSG 65536
#define SLOTS 16

/* One pass of @n messages of @op; a READ checks each message it brings. */
static double pass(struct rt_rc_pair *p, enum ibv_wr_opcode op, struct ibv_mr *ms,
		   uint8_t *slots, struct ibv_mr *md, uint8_t *dst, size_t n, long *bad)
{
	size_t posted = 0, done = 0;
	double t0 = rt_now_ns();
	struct ibv_wc wc[SLOTS];

	while (done < n) {
		int k, i;

		while (posted < n && posted - done < SLOTS) {
			uint8_t *slot = slots + (posted % SLOTS) * MSG;

			if (op == IBV_WR_RDMA_WRITE)
				rt_fill(slot, MSG, posted);
			rt_post_send(p->qp[0], op, posted, ms->lkey, slot, MSG,
				     (uintptr_t)dst + posted * MSG, md->rkey);
			posted++;
		}
		k = ibv_poll_cq(p->cq[0], SLOTS, wc);
		CHECK(k >= 0);
		for (i = 0; i < k; i++) {
			if (wc[i].status != IBV_WC_SUCCESS)
				rt_fail("message %llu: %s", (unsigned long long)wc[i].wr_id,
					ibv_wc_status_str(wc[i].status));
			if (op == IBV_WR_RDMA_READ &&
			    rt_mismatch(slots + (wc[i].wr_id % SLOTS) * MSG, MSG, wc[i].wr_id) >= 0)
				(*bad)++;
		}
		done += k;
	}
	return rt_now_ns() - t0;
}

int main(int argc, char **argv)
{
	size_t len = (size_t)(argc > 1 ? atol(argv[1]) : 2048) << 20, n = len / MSG;
	int acc = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ;
	struct ibv_context *ctx = rt_open_dev();
	uint8_t *slots, *dst;
	struct ibv_mr *ms, *md;
	struct rt_rc_pair p;
	struct ibv_pd *pd;
	double w, r;
	long bad = 0, swap0;

	CHECK((pd = ibv_alloc_pd(ctx)) != NULL);
	CHECK((slots = calloc(SLOTS, MSG)) != NULL);
	CHECK((ms = ibv_reg_mr(pd, slots, SLOTS * MSG, acc)) != NULL);
	dst = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	CHECK(dst != MAP_FAILED);
	md = ibv_reg_mr(pd, dst, len, IBV_ACCESS_ON_DEMAND | acc);
	if (!md) {
		printf("refused %s\n", strerror(errno));
		return 2;
	}
	rt_rc_pair(&p, pd, &rt_rdma_opts);
	swap0 = rt_meminfo_kb("SwapFree");
	w = pass(&p, IBV_WR_RDMA_WRITE, ms, slots, md, dst, n, &bad);
	r = pass(&p, IBV_WR_RDMA_READ, ms, slots, md, dst, n, &bad);
	printf("write_mibs %.2f\nread_verify_mibs %.2f\nmismatches %ld\nswap_mib %ld\n",
	       len / (w / 1e9) / (1 << 20), len / (r / 1e9) / (1 << 20), bad,
	       (swap0 - rt_meminfo_kb("SwapFree")) / 1024);
	if (bad) {
		printf("%ld of %zu messages read back wrong\n", bad, n);
		return 3;
	}
	rt_rc_pair_destroy(&p);
	CHECK(ibv_dereg_mr(md) == 0);
	CHECK(ibv_dereg_mr(ms) == 0);
	return 0;
}
