// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * soak_worker SECONDS QPS SEED - one process of the soak (soak.sh): QPS
 * RC pairs and one UD pair on the device under test, all their buffers in
 * ODP MRs, run random verified operations until SECONDS have passed or
 * SIGTERM comes, while a thread storms those buffers with invalidations
 * that keep their contents.
 *
 * Operations, each checked to the byte: RDMA WRITE, RDMA READ, SEND into
 * a receive buffer, atomic fetch-and-add on a counter only this pair
 * touches, UD datagram. Its last line:
 *   soak-worker ops=N mismatches=M errors=E storm=A/B/C/D
 * Exit 0 only with no mismatch and no failed completion.
 */
#include <signal.h>
#include <sys/mman.h>

#include "rxe_test.h"

#define PG 4096
#define NP 32			/* pages per pair and side */
#define UD_QKEY 0x50a6
#define UD_LEN 1024
#define GRH 40

static volatile sig_atomic_t stop;
static unsigned long ops, mismatches, errors;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

struct ud_side {
	struct ibv_cq *cq;
	struct ibv_qp *qp;
};

static void ud_side_up(struct ibv_pd *pd, struct ud_side *u)
{
	struct ibv_qp_init_attr init = {
		.qp_type = IBV_QPT_UD,
		.cap = { .max_send_wr = 4, .max_recv_wr = 4, .max_send_sge = 1,
			 .max_recv_sge = 1 },
	};
	struct ibv_qp_attr a = { .qp_state = IBV_QPS_INIT, .port_num = 1, .qkey = UD_QKEY };

	CHECK((u->cq = ibv_create_cq(pd->context, 8, NULL, NULL, 0)) != NULL);
	init.send_cq = init.recv_cq = u->cq;
	CHECK((u->qp = ibv_create_qp(pd, &init)) != NULL);
	CHECK(!ibv_modify_qp(u->qp, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT |
			     IBV_QP_QKEY));
	a.qp_state = IBV_QPS_RTR;
	CHECK(!ibv_modify_qp(u->qp, &a, IBV_QP_STATE));
	a.qp_state = IBV_QPS_RTS;
	CHECK(!ibv_modify_qp(u->qp, &a, IBV_QP_STATE | IBV_QP_SQ_PSN));
}

static void count(enum ibv_wc_status s, const char *what)
{
	if (s == IBV_WC_SUCCESS)
		return;
	errors++;
	printf("# %s: %s\n", what, ibv_wc_status_str(s));
}

/* One UD datagram from @src to the other side's @dst, checked. */
static void ud_round(struct ud_side u[2], struct ibv_ah *ah, struct ibv_mr *smr, uint8_t *src,
		     struct ibv_mr *dmr, uint8_t *dst, uint32_t seq)
{
	struct ibv_sge sge = { .addr = (uintptr_t)src, .length = UD_LEN, .lkey = smr->lkey };
	struct ibv_send_wr wr = {
		.wr_id = seq, .opcode = IBV_WR_SEND, .sg_list = &sge, .num_sge = 1,
		.send_flags = IBV_SEND_SIGNALED,
		.wr.ud = { .ah = ah, .remote_qpn = u[1].qp->qp_num, .remote_qkey = UD_QKEY },
	}, *bad;
	struct ibv_wc wc;

	rt_fill(src, UD_LEN, seq);
	rt_post_recv(u[1].qp, seq, dmr->lkey, dst, GRH + UD_LEN);
	CHECK(!ibv_post_send(u[0].qp, &wr, &bad));
	wc = rt_wait_wc(u[0].cq, 30);
	count(wc.status, "UD send");
	wc = rt_wait_wc(u[1].cq, 30);
	count(wc.status, "UD receive");
	if (wc.status == IBV_WC_SUCCESS)
		mismatches += rt_mismatch(dst + GRH, UD_LEN, seq) >= 0;
	ops++;
}

/* One random verified RC operation on pair @p with its slices @l and @r. */
static void rc_round(struct rt_rc_pair *p, struct ibv_mr *lmr, uint8_t *l, struct ibv_mr *rmr,
		     uint8_t *r, uint64_t *expect, uint32_t seq, unsigned int *rs)
{
	uint8_t *la = l + (rand_r(rs) % NP) * PG, *rb = r + (rand_r(rs) % (NP - 1)) * PG;
	uint64_t *counter = (uint64_t *)(r + (NP - 1) * PG);
	enum ibv_wc_status s;
	struct ibv_wc wc;

	switch (rand_r(rs) % 4) {
	case 0:
		rt_fill(la, PG, seq);
		count(s = rt_do(p, IBV_WR_RDMA_WRITE, lmr, la, PG, rmr, rb), "WRITE");
		if (s == IBV_WC_SUCCESS)
			mismatches += rt_mismatch(rb, PG, seq) >= 0;
		break;
	case 1:
		rt_fill(rb, PG, seq);
		count(s = rt_do(p, IBV_WR_RDMA_READ, lmr, la, PG, rmr, rb), "READ");
		if (s == IBV_WC_SUCCESS)
			mismatches += rt_mismatch(la, PG, seq) >= 0;
		break;
	case 2:
		rt_fill(la, PG, seq);
		rt_post_recv(p->qp[1], seq, rmr->lkey, rb, PG);
		count(rt_do(p, IBV_WR_SEND, lmr, la, PG, NULL, NULL), "SEND");
		wc = rt_wait_wc(p->cq[1], 30);
		count(wc.status, "RECV");
		if (wc.status == IBV_WC_SUCCESS)
			mismatches += rt_mismatch(rb, PG, seq) >= 0;
		break;
	case 3:
		count(s = rt_do(p, IBV_WR_ATOMIC_FETCH_AND_ADD, lmr, la, 8, rmr, counter),
		      "FETCH_ADD");
		if (s == IBV_WC_SUCCESS) {
			mismatches += *(uint64_t *)la != *expect || *counter != *expect + 1;
			(*expect)++;
		}
		break;
	}
	ops++;
}

int main(int argc, char **argv)
{
	int acc = IBV_ACCESS_LOCAL_WRITE | rt_rdma_opts.access, qps, q;
	struct ibv_ah_attr aa = { .is_global = 1, .port_num = 1 };
	struct ibv_context *ctx;
	struct rt_rc_pair *pairs;
	struct rt_storm storm;
	struct ud_side ud[2];
	struct ibv_mr *mr[2];
	struct ibv_ah *ah;
	struct ibv_pd *pd;
	uint8_t *bufs[2];
	uint64_t *expect;
	unsigned int rs;
	uint32_t seq = 1;
	size_t len;
	time_t end;

	if (argc != 4)
		rt_fail("usage: soak_worker SECONDS QPS SEED");
	end = time(NULL) + atoi(argv[1]);
	qps = atoi(argv[2]);
	rs = (unsigned int)strtoul(argv[3], NULL, 0);
	signal(SIGTERM, on_term);

	ctx = rt_open_dev();
	CHECK((pd = ibv_alloc_pd(ctx)) != NULL);
	/* per pair NP pages a side; then one page a side for UD */
	len = ((size_t)qps * NP + 1) * PG;
	bufs[0] = rt_map(len, PG);
	bufs[1] = rt_map(len, PG);
	mr[0] = rt_reg_odp(pd, bufs[0], len, acc);
	mr[1] = rt_reg_odp(pd, bufs[1], len, acc);
	CHECK((pairs = calloc(qps, sizeof(*pairs))) != NULL);
	CHECK((expect = calloc(qps, sizeof(*expect))) != NULL);
	for (q = 0; q < qps; q++)
		rt_rc_pair(&pairs[q], pd, &rt_rdma_opts);
	ud_side_up(pd, &ud[0]);
	ud_side_up(pd, &ud[1]);
	aa.grh.sgid_index = rt_ipv4_gid(ctx, &aa.grh.dgid);
	aa.grh.hop_limit = 64;
	CHECK((ah = ibv_create_ah(pd, &aa)) != NULL);

	rt_storm_start(&storm, bufs, 2, len, rs);
	while (!stop && time(NULL) < end) {
		q = rand_r(&rs) % (qps + 1);
		if (q == qps)
			ud_round(ud, ah, mr[0], bufs[0] + len - PG, mr[1], bufs[1] + len - PG, seq);
		else
			rc_round(&pairs[q], mr[0], bufs[0] + (size_t)q * NP * PG, mr[1],
				 bufs[1] + (size_t)q * NP * PG, &expect[q], seq, &rs);
		seq++;
	}
	rt_storm_stop(&storm);

	CHECK(!ibv_destroy_ah(ah));
	for (q = 0; q < 2; q++)
		CHECK(!ibv_destroy_qp(ud[q].qp) && !ibv_destroy_cq(ud[q].cq));
	for (q = 0; q < qps; q++)
		rt_rc_pair_destroy(&pairs[q]);
	CHECK(!ibv_dereg_mr(mr[0]) && !ibv_dereg_mr(mr[1]) && !ibv_dealloc_pd(pd));
	CHECK(!ibv_close_device(ctx));
	printf("soak-worker ops=%lu mismatches=%lu errors=%lu storm=%lu/%lu/%lu/%lu\n", ops,
	       mismatches, errors, storm.ops[0], storm.ops[1], storm.ops[2], storm.ops[3]);
	return mismatches || errors;
}
