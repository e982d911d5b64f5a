// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Recovery keeps data intact: with the driver's test hook dropping one packet
 * in N sent, at random (requests, responses and ACKs alike), multi-packet
 * WRITEs, READs, SENDs and atomics still complete with the right data,
 * through sequence-error NAKs and retransmission timeouts (counters
 * prove both happened). Then a SEND that meets no receive waits through
 * RNR NAKs until one is posted.
 */
#include "rxe_test.h"

#define LEN (64 * 1024)
#define ROUNDS 8

static void set_drop(unsigned int one_in)
{
	rt_sh("echo %u > /sys/module/rdma_rxe/parameters/drop_tx_one_in", one_in);
}

static void drop_off(void)
{
	set_drop(0);	/* never leave the hook armed for the next test */
}

static void fill(char *p, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (char)(i * 31 + seed * 7 + (i >> 9));
}

int main(void)
{
	struct ibv_context *ctx = rt_open_dev();
	const struct rt_rc_opts opts = {
		.access = IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ |
			  IBV_ACCESS_REMOTE_ATOMIC,
		.timeout = 12, .retry_cnt = 7, .rnr_retry = 7, .min_rnr_timer = 1,
	};
	uint64_t seq0, to0, rnr0, *counter;
	struct rt_rc_pair p;
	struct ibv_mr *lmr, *rmr;
	struct ibv_pd *pd;
	char *src, *dst, *back;
	int r, i;

	CHECK((pd = ibv_alloc_pd(ctx)) != NULL);
	CHECK((src = aligned_alloc(4096, 3 * LEN + 4096)) != NULL);
	dst = src + LEN;
	back = dst + LEN;
	counter = (uint64_t *)(back + LEN);
	CHECK((lmr = ibv_reg_mr(pd, src, 3 * LEN + 4096, IBV_ACCESS_LOCAL_WRITE |
				IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ |
				IBV_ACCESS_REMOTE_ATOMIC)) != NULL);
	rmr = lmr;
	rt_rc_pair(&p, pd, &opts);

	seq0 = rt_counter("rcvd_seq_err");
	to0 = rt_counter("retrans_timeout");
	*counter = 0;
	atexit(drop_off);
	set_drop(7);
	for (r = 0; r < ROUNDS; r++) {
		fill(src, LEN, r);
		memset(dst, 0, LEN);
		memset(back, 0, LEN);
		/* WRITE src -> dst, READ dst -> back, SEND src -> back2 */
		rt_post_send(p.qp[0], IBV_WR_RDMA_WRITE, 1, lmr->lkey, src, LEN, (uintptr_t)dst, rmr->rkey);
		rt_expect_wc(p.cq[0], IBV_WC_SUCCESS, 1);
		rt_post_send(p.qp[0], IBV_WR_RDMA_READ, 2, lmr->lkey, back, LEN, (uintptr_t)dst, rmr->rkey);
		rt_expect_wc(p.cq[0], IBV_WC_SUCCESS, 2);
		if (memcmp(src, back, LEN))
			rt_fail("round %d: data read back differs from data written", r);
		memset(back, 0, LEN);
		rt_post_recv(p.qp[1], 3, lmr->lkey, back, LEN);
		rt_post_send(p.qp[0], IBV_WR_SEND, 4, lmr->lkey, src, LEN, 0, 0);
		rt_expect_wc(p.cq[0], IBV_WC_SUCCESS, 4);
		{
			struct ibv_wc wc = rt_expect_wc(p.cq[1], IBV_WC_SUCCESS, 3);

			if (wc.byte_len != LEN)
				rt_fail("round %d: received %u bytes", r, wc.byte_len);
		}
		if (memcmp(src, back, LEN))
			rt_fail("round %d: data received differs from data sent", r);
		for (i = 0; i < 4; i++) {
			rt_post_send(p.qp[0], IBV_WR_ATOMIC_FETCH_AND_ADD, 10 + i, lmr->lkey, back, 8,
			     (uintptr_t)counter, rmr->rkey);
			rt_expect_wc(p.cq[0], IBV_WC_SUCCESS, 10 + i);
			if (*(uint64_t *)back != (uint64_t)(r * 4 + i))
				rt_fail("round %d: fetch&add returned %llu, want %d", r,
					(unsigned long long)*(uint64_t *)back, r * 4 + i);
		}
	}
	set_drop(0);
	if (*counter != ROUNDS * 4)
		rt_fail("fetch&add applied %llu times, want %d (a duplicate re-executed?)",
			(unsigned long long)*counter, ROUNDS * 4);
	rt_note("with one packet in 7 dropped: %d rounds of 64 KiB WRITE/READ/SEND and "
		"%d fetch&adds exact; seq NAKs %llu, timeouts %llu", ROUNDS, ROUNDS * 4,
		(unsigned long long)(rt_counter("rcvd_seq_err") - seq0),
		(unsigned long long)(rt_counter("retrans_timeout") - to0));
	if (rt_counter("rcvd_seq_err") == seq0 && rt_counter("retrans_timeout") == to0)
		rt_fail("no retransmission happened: the drop hook did not work");

	/* RNR: the SEND waits until a receive is posted, then lands */
	rnr0 = rt_counter("rcvd_rnr_err");
	fill(src, 4096, 99);
	rt_post_send(p.qp[0], IBV_WR_SEND, 20, lmr->lkey, src, 4096, 0, 0);
	usleep(300000);
	if (rt_counter("rcvd_rnr_err") == rnr0)
		rt_fail("no RNR NAK while no receive was posted");
	rt_post_recv(p.qp[1], 21, lmr->lkey, back, 4096);
	rt_expect_wc(p.cq[0], IBV_WC_SUCCESS, 20);
	rt_expect_wc(p.cq[1], IBV_WC_SUCCESS, 21);
	if (memcmp(src, back, 4096))
		rt_fail("data of the SEND delayed by RNR differs");
	rt_note("RNR: %llu RNR NAKs, then delivered intact",
		(unsigned long long)(rt_counter("rcvd_rnr_err") - rnr0));
	rt_rc_pair_destroy(&p);
	return 0;
}
