// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=rxe0 timeout=300
/*
 * A page fault that gives up with -EBUSY, because invalidations kept
 * racing with it through all its retries, is transient, not an error
 * (the stock driver turns it into a remote access error that kills both
 * QPs). Real workloads reach it only under heavy memory pressure, so the
 * core's debugfs knob rdma_odp/fail_faults_busy makes the next N faults
 * give up that way. Then:
 *  - as the responder's target (WRITE first and middle packets, READ,
 *    atomic, SEND into an ODP receive buffer) the fault is answered with
 *    RNR NAK and the requester sends again;
 *  - as the requester's local SGE the requester pauses and goes on;
 *  - as a READ response landing the response is dropped and asked for
 *    again.
 * Every operation completes successfully, every byte is checked, and
 * the counters show each injected fault given up as busy and the RNR
 * NAKs it caused.
 */
#include <sys/mman.h>

#include "rxe_test.h"

#define KNOB "/sys/kernel/debug/rdma_odp/fail_faults_busy"
#define LEN (64 * 1024)
#define BUSY 3

static struct rt_rc_pair pair;
static struct ibv_mr *odp, *pinned;
static uint8_t *odp_buf, *pinned_buf;

static void inject(int n)
{
	FILE *f = fopen(KNOB, "w");

	CHECK(f && fprintf(f, "%d\n", n) > 0 && fclose(f) == 0);
}

static int injected_left(void)
{
	FILE *f = fopen(KNOB, "r");
	int n = -1;

	CHECK(f && fscanf(f, "%d", &n) == 1);
	fclose(f);
	return n;
}

/* Drop our translations of the ODP buffer, keeping its contents. */
static void drop_translations(void)
{
	CHECK(!mprotect(odp_buf, LEN, PROT_READ | PROT_WRITE | PROT_EXEC));
	CHECK(!mprotect(odp_buf, LEN, PROT_READ | PROT_WRITE));
}

/*
 * One case: @busy injected faults; @run does the operation and checks
 * its data. Each injected fault must have been used and counted, and
 * (where the responder faults) answered with an RNR NAK.
 */
static void busy_case(const char *what, bool responder, void (*run)(void))
{
	uint64_t busy0 = rt_counter("odp_faults_busy"), rnr0 = rt_counter("send_rnr_err");
	uint64_t busy, rnr;

	inject(BUSY);
	run();
	busy = rt_counter("odp_faults_busy") - busy0;
	rnr = rt_counter("send_rnr_err") - rnr0;
	rt_note("%s: %llu faults given up as busy, %llu RNR NAKs sent, completed and checked",
		what, (unsigned long long)busy, (unsigned long long)rnr);
	if (injected_left() != 0 || busy != BUSY)
		rt_fail("%s: %d injected faults left, %llu counted busy (expected all %d used)",
			what, injected_left(), (unsigned long long)busy, BUSY);
	if (responder && rnr < BUSY)
		rt_fail("%s: %llu RNR NAKs for %d busy faults", what, (unsigned long long)rnr,
			BUSY);
	drop_translations();
}

static void expect_ok(enum ibv_wc_status st, const char *what)
{
	if (st != IBV_WC_SUCCESS)
		rt_fail("%s: %s", what, ibv_wc_status_str(st));
}

static void write_into_odp(void)
{
	rt_fill(pinned_buf, LEN, 1);
	expect_ok(rt_do(&pair, IBV_WR_RDMA_WRITE, pinned, pinned_buf, LEN, odp, odp_buf),
		  "WRITE into the ODP MR");
	CHECK(rt_mismatch(odp_buf, LEN, 1) < 0);
}

/* The first page already translated: the fault comes with a middle packet. */
static void write_middle_into_odp(void)
{
	rt_fill(pinned_buf, LEN, 2);
	inject(0);
	expect_ok(rt_do(&pair, IBV_WR_RDMA_WRITE, pinned, pinned_buf, 4096, odp, odp_buf),
		  "WRITE of the first page");
	inject(BUSY);
	expect_ok(rt_do(&pair, IBV_WR_RDMA_WRITE, pinned, pinned_buf, LEN, odp, odp_buf),
		  "WRITE whose middle packet faults");
	CHECK(rt_mismatch(odp_buf, LEN, 2) < 0);
}

static void read_from_odp(void)
{
	rt_fill(odp_buf, LEN, 3);
	drop_translations();
	memset(pinned_buf, 0, LEN);
	expect_ok(rt_do(&pair, IBV_WR_RDMA_READ, pinned, pinned_buf, LEN, odp, odp_buf),
		  "READ from the ODP MR");
	CHECK(rt_mismatch(pinned_buf, LEN, 3) < 0);
}

static void atomic_on_odp(void)
{
	uint64_t *word = (uint64_t *)(odp_buf + 8192);

	*word = 41;
	drop_translations();
	expect_ok(rt_do(&pair, IBV_WR_ATOMIC_FETCH_AND_ADD, pinned, pinned_buf, 8, odp, word),
		  "fetch and add on the ODP MR");
	CHECK(*(uint64_t *)pinned_buf == 41 && *word == 42);
}

static void send_into_odp(void)
{
	rt_post_recv(pair.qp[1], 77, odp->lkey, odp_buf, LEN);
	rt_fill(pinned_buf, LEN, 4);
	expect_ok(rt_do(&pair, IBV_WR_SEND, pinned, pinned_buf, LEN, NULL, NULL),
		  "SEND into an ODP receive buffer");
	CHECK(rt_expect_wc(pair.cq[1], IBV_WC_SUCCESS, 77).byte_len == LEN);
	CHECK(rt_mismatch(odp_buf, LEN, 4) < 0);
}

static void write_from_odp(void)
{
	rt_fill(odp_buf, LEN, 5);
	drop_translations();
	memset(pinned_buf, 0, LEN);
	expect_ok(rt_do(&pair, IBV_WR_RDMA_WRITE, odp, odp_buf, LEN, pinned, pinned_buf),
		  "WRITE from the ODP MR");
	CHECK(rt_mismatch(pinned_buf, LEN, 5) < 0);
}

static void read_into_odp(void)
{
	rt_fill(pinned_buf, LEN, 6);
	expect_ok(rt_do(&pair, IBV_WR_RDMA_READ, odp, odp_buf, LEN, pinned, pinned_buf),
		  "READ landing in the ODP MR");
	CHECK(rt_mismatch(odp_buf, LEN, 6) < 0);
}

int main(void)
{
	struct ibv_context *ctx = rt_open_dev();
	struct ibv_pd *pd;

	rt_require_odp(ctx, IBV_ODP_SUPPORT_WRITE | IBV_ODP_SUPPORT_READ |
		       IBV_ODP_SUPPORT_ATOMIC | IBV_ODP_SUPPORT_RECV);
	if (access(KNOB, W_OK))
		rt_skip("no %s (debugfs not mounted, or not our rdma_odp core)", KNOB);
	odp_buf = rt_map(LEN, 4096);
	pinned_buf = rt_map(LEN, 4096);
	CHECK((pd = ibv_alloc_pd(ctx)) != NULL);
	odp = rt_reg_odp(pd, odp_buf, LEN, IBV_ACCESS_LOCAL_WRITE | rt_rdma_opts.access);
	pinned = ibv_reg_mr(pd, pinned_buf, LEN, IBV_ACCESS_LOCAL_WRITE | rt_rdma_opts.access);
	CHECK(pinned);
	rt_rc_pair(&pair, pd, &rt_rdma_opts);

	busy_case("WRITE into never-touched ODP memory", true, write_into_odp);
	busy_case("WRITE faulting in a middle packet", true, write_middle_into_odp);
	busy_case("READ from the ODP MR", true, read_from_odp);
	busy_case("atomic on the ODP MR", true, atomic_on_odp);
	busy_case("SEND into an ODP receive buffer", true, send_into_odp);
	busy_case("WRITE from an ODP local SGE", false, write_from_odp);
	busy_case("READ response landing in the ODP MR", false, read_into_odp);

	inject(0);
	rt_rc_pair_destroy(&pair);
	CHECK(!ibv_dereg_mr(odp) && !ibv_dereg_mr(pinned) && !ibv_dealloc_pd(pd));
	return 0;
}
