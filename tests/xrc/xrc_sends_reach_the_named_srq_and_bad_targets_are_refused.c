// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=rxe0 timeout=120
/*
 * XRC in one process, looped back through the device: an XRC_SEND (INI)
 * QP connected to an XRC_RECV (TGT) QP of an XRC domain delivers each
 * SEND to the XRC SRQ it names, with the TGT QP's number in the receive
 * completion on that SRQ's CQ; RDMA WRITE, READ and fetch&add reach
 * memory of the named SRQ's PD; the ibv_qp_ex builders name SRQs too;
 * a TGT QP opened by number is the same QP. Refused: an SRQ number that
 * does not exist and an SRQ of another XRC domain (REM_INV_REQ_ERR), an
 * rkey of a PD other than the named SRQ's (REM_ACCESS_ERR). An SRQ
 * destroyed while a SEND to it is in RNR retries: the destroy returns,
 * the SEND fails (REM_INV_REQ_ERR). The provider refuses receives on
 * either QP and sends on the TGT QP.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/mman.h>

#include "rxe_test.h"

#define SLOT 16384		/* one message buffer */
#define NRECV 8			/* receives posted on each SRQ */
#define BIG (1 << 20)		/* a READ answered over several engine runs */
#define REMOTE (IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ | IBV_ACCESS_REMOTE_ATOMIC)

static struct ibv_context *ctx;
static struct ibv_pd *pd_ini, *pd_tgt;	/* the sender's; the SRQs' and their memory */
static struct ibv_xrcd *xrcd, *xrcd2;
static struct ibv_cq *cq_s, *cq[2];	/* send CQ; SRQ A's and B's */
static struct ibv_srq *srq[2], *srq_c;	/* A, B in xrcd; C in xrcd2 */
static uint32_t srqn[2], srqn_c;
static uint8_t *src, *rcv, *rmem;	/* sender's (pd_ini); receives, RDMA target (pd_tgt) */
static struct ibv_mr *src_mr, *rcv_mr, *rmem_mr;
static int next_recv[2];		/* next receive of A, B to be consumed */

static struct ibv_srq *new_srq(struct ibv_xrcd *x, struct ibv_cq *c, uint32_t *num)
{
	struct ibv_srq_init_attr_ex a = {
		.attr = { .max_wr = 2 * NRECV, .max_sge = 1 },
		.comp_mask = IBV_SRQ_INIT_ATTR_TYPE | IBV_SRQ_INIT_ATTR_PD |
			     IBV_SRQ_INIT_ATTR_XRCD | IBV_SRQ_INIT_ATTR_CQ,
		.srq_type = IBV_SRQT_XRC, .pd = pd_tgt, .xrcd = x, .cq = c,
	};
	struct ibv_srq *s = ibv_create_srq_ex(ctx, &a);

	CHECK(s != NULL);
	CHECK(ibv_get_srq_num(s, num) == 0);
	return s;
}

static void srq_recv(struct ibv_srq *s, uint64_t wr_id, void *p)
{
	struct ibv_sge sge = { .addr = (uintptr_t)p, .length = SLOT, .lkey = rcv_mr->lkey };
	struct ibv_recv_wr wr = { .wr_id = wr_id, .sg_list = &sge, .num_sge = 1 }, *bad;

	CHECK(ibv_post_srq_recv(s, &wr, &bad) == 0);
}

/* RESET -> INIT -> RTR, and on to RTS for the INI side; loopback over our IPv4 GID. */
static void xrc_connect(struct ibv_qp *qp, uint32_t dest_qpn)
{
	bool ini = qp->qp_type == IBV_QPT_XRC_SEND;
	union ibv_gid gid;
	int gidx = rt_ipv4_gid(ctx, &gid), ret, mask;
	struct ibv_qp_attr a = { .qp_state = IBV_QPS_INIT, .port_num = 1,
				 .qp_access_flags = ini ? 0 : REMOTE };

	ret = ibv_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT |
				    IBV_QP_ACCESS_FLAGS);
	if (ret)
		rt_fail("QP %u (type %d) to INIT: %s", qp->qp_num, qp->qp_type, strerror(ret));
	a = (struct ibv_qp_attr){
		.qp_state = IBV_QPS_RTR, .path_mtu = IBV_MTU_1024,
		.dest_qp_num = dest_qpn, .rq_psn = 0x1000,
		.max_dest_rd_atomic = 16, .min_rnr_timer = 1,
		.ah_attr = { .is_global = 1, .port_num = 1,
			     .grh = { .dgid = gid, .sgid_index = gidx, .hop_limit = 64 } },
	};
	/* an INI QP has no responder: no RDMA/atomic resources, no RNR timer */
	mask = IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU | IBV_QP_DEST_QPN | IBV_QP_RQ_PSN;
	if (!ini)
		mask |= IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER;
	ret = ibv_modify_qp(qp, &a, mask);
	if (ret)
		rt_fail("QP %u (type %d) to RTR: %s", qp->qp_num, qp->qp_type, strerror(ret));
	if (!ini)
		return;
	a = (struct ibv_qp_attr){ .qp_state = IBV_QPS_RTS, .sq_psn = 0x1000, .timeout = 14,
				  .retry_cnt = 7, .rnr_retry = 7, .max_rd_atomic = 16 };
	ret = ibv_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_SQ_PSN | IBV_QP_TIMEOUT |
				    IBV_QP_RETRY_CNT | IBV_QP_RNR_RETRY | IBV_QP_MAX_QP_RD_ATOMIC);
	if (ret)
		rt_fail("QP %u to RTS: %s", qp->qp_num, strerror(ret));
}

/* A fresh TGT QP in @x and a fresh INI QP (with @send_ops builders, if any), connected. */
static void xrc_pair(struct ibv_xrcd *x, uint64_t send_ops, struct ibv_qp **ini,
		     struct ibv_qp **tgt)
{
	struct ibv_qp_init_attr_ex t = { .qp_type = IBV_QPT_XRC_RECV,
					 .comp_mask = IBV_QP_INIT_ATTR_XRCD, .xrcd = x };
	struct ibv_qp_init_attr_ex i = {
		.qp_type = IBV_QPT_XRC_SEND, .comp_mask = IBV_QP_INIT_ATTR_PD,
		.pd = pd_ini, .send_cq = cq_s,
		.cap = { .max_send_wr = 32, .max_send_sge = 1, .max_inline_data = 64 },
	};

	if (send_ops) {
		i.comp_mask |= IBV_QP_INIT_ATTR_SEND_OPS_FLAGS;
		i.send_ops_flags = send_ops;
	}
	CHECK((*tgt = ibv_create_qp_ex(ctx, &t)) != NULL);
	CHECK((*ini = ibv_create_qp_ex(ctx, &i)) != NULL);
	xrc_connect(*tgt, (*ini)->qp_num);
	xrc_connect(*ini, (*tgt)->qp_num);
}

static void xrc_unpair(struct ibv_qp *ini, struct ibv_qp *tgt)
{
	CHECK(ibv_destroy_qp(ini) == 0);
	CHECK(ibv_destroy_qp(tgt) == 0);
}

/* Post one signaled WR naming SRQ @srq_num; atomics add 1. */
static void xpost(struct ibv_qp *qp, enum ibv_wr_opcode op, uint64_t wr_id, void *local,
		  uint32_t len, uint32_t srq_num, uint64_t raddr, uint32_t rkey, uint32_t imm)
{
	struct ibv_sge sge = { .addr = (uintptr_t)local, .length = len, .lkey = src_mr->lkey };
	struct ibv_send_wr wr = { .wr_id = wr_id, .opcode = op, .sg_list = &sge,
				  .num_sge = 1, .send_flags = IBV_SEND_SIGNALED,
				  .imm_data = htonl(imm) }, *bad;
	int ret;

	wr.qp_type.xrc.remote_srqn = srq_num;
	rt_wr_set_remote(&wr, raddr, rkey);
	ret = ibv_post_send(qp, &wr, &bad);
	if (ret)
		rt_fail("ibv_post_send (opcode %d to SRQ %#x): %s", op, srq_num, strerror(ret));
}

/*
 * A 1 MiB READ naming A: 1024 responses, more than one run of the
 * responder's engine sends, and each run checks the rkey in A's PD again.
 */
static void big_read(struct ibv_qp *ini)
{
	uint8_t *l = rt_map(BIG, 4096), *r = rt_map(BIG, 4096);
	struct ibv_mr *lmr = ibv_reg_mr(pd_ini, l, BIG, IBV_ACCESS_LOCAL_WRITE);
	struct ibv_mr *rmr = ibv_reg_mr(pd_tgt, r, BIG, IBV_ACCESS_REMOTE_READ);
	struct ibv_sge sge = { .addr = (uintptr_t)l, .length = BIG };
	struct ibv_send_wr wr = { .wr_id = 203, .opcode = IBV_WR_RDMA_READ, .sg_list = &sge,
				  .num_sge = 1, .send_flags = IBV_SEND_SIGNALED }, *bad;

	CHECK(lmr && rmr);
	sge.lkey = lmr->lkey;
	rt_fill(r, BIG, 53);
	wr.qp_type.xrc.remote_srqn = srqn[0];
	rt_wr_set_remote(&wr, (uintptr_t)r, rmr->rkey);
	CHECK(ibv_post_send(ini, &wr, &bad) == 0);
	rt_expect_wc(cq_s, IBV_WC_SUCCESS, 203);
	CHECK(rt_mismatch(l, BIG, 53) < 0);
	CHECK(!ibv_dereg_mr(lmr) && !ibv_dereg_mr(rmr));
	munmap(l, BIG);
	munmap(r, BIG);
	rt_note("RDMA READ of 1 MiB through XRC (answered over several engine runs): data right");
}

/*
 * An XRC SRQ destroyed while a SEND naming it waits for a receive (RNR
 * NAKs, retried forever): the destroy does not wait for the peer, and
 * the SEND's next try finds no SRQ (REM_INV_REQ_ERR).
 */
static void srq_destroyed_under_rnr(void)
{
	uint64_t rnr = rt_counter("rcvd_rnr_err");
	struct ibv_qp *ini, *tgt;
	struct ibv_srq *d;
	struct ibv_cq *dcq;
	uint32_t num;
	int i;

	CHECK((dcq = ibv_create_cq(ctx, 4, NULL, NULL, 0)) != NULL);
	d = new_srq(xrcd, dcq, &num);		/* no receive posted */
	xrc_pair(xrcd, 0, &ini, &tgt);
	xpost(ini, IBV_WR_SEND, 300, src, 100, num, 0, 0, 0);
	for (i = 0; rt_counter("rcvd_rnr_err") < rnr + 2; i++) {
		if (i == 10000)
			rt_fail("a SEND to an SRQ without receives got no RNR NAKs in 10 s");
		usleep(1000);
	}
	CHECK(ibv_destroy_srq(d) == 0);
	rt_expect_wc(cq_s, IBV_WC_REM_INV_REQ_ERR, 300);
	xrc_unpair(ini, tgt);
	CHECK(ibv_destroy_cq(dcq) == 0);
	rt_note("XRC SRQ destroyed under a SEND in RNR retries: destroy returned, "
		"the SEND failed with a remote invalid request error (%llu RNR NAKs)",
		(unsigned long long)(rt_counter("rcvd_rnr_err") - rnr));
}

/* The next receive of SRQ @k: message @seed of @len bytes from TGT QP @qpn. */
static void expect_recv(int k, uint32_t qpn, uint32_t len, uint32_t seed, bool with_imm)
{
	int j = next_recv[k]++;
	struct ibv_wc wc = rt_expect_wc(cq[k], IBV_WC_SUCCESS, (uint64_t)k << 8 | j);
	long bad = rt_mismatch(rcv + (k * NRECV + j) * SLOT, len, seed);

	if (wc.opcode != IBV_WC_RECV || wc.byte_len != len || wc.qp_num != qpn)
		rt_fail("SRQ %c receive %d: opcode %d byte_len %u qp_num %#x; expected RECV %u %#x",
			'A' + k, j, wc.opcode, wc.byte_len, wc.qp_num, len, qpn);
	if (with_imm != !!(wc.wc_flags & IBV_WC_WITH_IMM) ||
	    (with_imm && wc.imm_data != htonl(seed)))
		rt_fail("SRQ %c receive %d: wc_flags %#x imm %#x", 'A' + k, j, wc.wc_flags,
			ntohl(wc.imm_data));
	if (bad >= 0)
		rt_fail("SRQ %c receive %d: byte %ld differs", 'A' + k, j, bad);
}

static void expect_no_recv(const char *after)
{
	struct ibv_wc wc;

	if (ibv_poll_cq(cq[0], 1, &wc) || ibv_poll_cq(cq[1], 1, &wc))
		rt_fail("%s: a receive completed (wr_id %#llx status %d)", after,
			(unsigned long long)wc.wr_id, wc.status);
}

/* A fresh pair; one WR must fail with @status, the one after it is flushed. */
static void refused(const char *what, struct ibv_xrcd *x, enum ibv_wr_opcode op,
		    uint32_t srq_num, uint64_t raddr, uint32_t rkey, enum ibv_wc_status status)
{
	struct ibv_qp *ini, *tgt;
	struct ibv_qp_attr a;
	struct ibv_qp_init_attr init;

	xrc_pair(x, 0, &ini, &tgt);
	xpost(ini, op, 1, src, 64, srq_num, raddr, rkey, 0);
	xpost(ini, IBV_WR_SEND, 2, src, 64, srqn[0], 0, 0, 0);
	rt_expect_wc(cq_s, status, 1);
	rt_expect_wc(cq_s, IBV_WC_WR_FLUSH_ERR, 2);
	CHECK(ibv_query_qp(ini, &a, IBV_QP_STATE, &init) == 0);
	if (a.qp_state != IBV_QPS_ERR)
		rt_fail("%s: INI QP in state %d after the error", what, a.qp_state);
	expect_no_recv(what);
	rt_note("%s: %s, INI QP in ERR", what, ibv_wc_status_str(status));
	xrc_unpair(ini, tgt);
}

int main(void)
{
	static const struct { int srq; uint32_t len; bool imm; } msg[] = {
		{ 0, 100, false }, { 1, 10000, false }, { 0, 10000, true },
		{ 1, 1, false }, { 0, 4097, false }, { 1, 2048, true },
	};
	struct ibv_xrcd_init_attr xa = { .comp_mask = IBV_XRCD_INIT_ATTR_FD |
						      IBV_XRCD_INIT_ATTR_OFLAGS,
					 .fd = -1, .oflags = O_CREAT };
	struct ibv_device_attr dev;
	struct ibv_qp *ini, *tgt, *opened;
	struct ibv_qp_open_attr oa;
	struct ibv_qp_attr qa;
	struct ibv_qp_init_attr qi;
	struct ibv_qp_ex *qx;
	struct ibv_send_wr swr = {}, *sbad;
	struct ibv_recv_wr rwr = {}, *rbad;
	uint64_t *counter;
	int i, k;

	ctx = rt_open_dev();
	CHECK(ibv_query_device(ctx, &dev) == 0);
	if (!(dev.device_cap_flags & IBV_DEVICE_XRC))
		rt_skip("%s does not report IBV_DEVICE_XRC", rt_dev_name());
	xrcd = ibv_open_xrcd(ctx, &xa);
	if (!xrcd && (errno == EOPNOTSUPP || errno == ENOSYS))
		rt_skip("ibv_open_xrcd: %s (a provider without XRC)", strerror(errno));
	CHECK(xrcd != NULL);
	CHECK((xrcd2 = ibv_open_xrcd(ctx, &xa)) != NULL);
	CHECK((pd_ini = ibv_alloc_pd(ctx)) != NULL);
	CHECK((pd_tgt = ibv_alloc_pd(ctx)) != NULL);
	CHECK((cq_s = ibv_create_cq(ctx, 64, NULL, NULL, 0)) != NULL);
	for (k = 0; k < 2; k++) {
		CHECK((cq[k] = ibv_create_cq(ctx, 64, NULL, NULL, 0)) != NULL);
		srq[k] = new_srq(xrcd, cq[k], &srqn[k]);
	}
	srq_c = new_srq(xrcd2, cq[1], &srqn_c);
	rt_note("XRC SRQs A %#x, B %#x; C %#x in a second XRCD", srqn[0], srqn[1], srqn_c);
	CHECK((src = rt_map(8 * SLOT, 4096)) && (rcv = rt_map(2 * NRECV * SLOT, 4096)) &&
	      (rmem = rt_map(SLOT, 4096)));
	CHECK((src_mr = ibv_reg_mr(pd_ini, src, 8 * SLOT,
				   IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE)) != NULL);
	CHECK((rcv_mr = ibv_reg_mr(pd_tgt, rcv, 2 * NRECV * SLOT, IBV_ACCESS_LOCAL_WRITE)) != NULL);
	CHECK((rmem_mr = ibv_reg_mr(pd_tgt, rmem, SLOT, IBV_ACCESS_LOCAL_WRITE | REMOTE)) != NULL);
	for (k = 0; k < 2; k++)
		for (i = 0; i < NRECV; i++)
			srq_recv(srq[k], (uint64_t)k << 8 | i, rcv + (k * NRECV + i) * SLOT);
	srq_recv(srq_c, 0xc00, rcv);	/* never consumed: no SEND may reach C */

	/* SENDs to A and B, mixed; each lands in the next receive of its SRQ */
	xrc_pair(xrcd, 0, &ini, &tgt);
	for (i = 0; i < (int)(sizeof(msg) / sizeof(msg[0])); i++) {
		rt_fill(src + i * SLOT, msg[i].len, i + 1);
		xpost(ini, msg[i].imm ? IBV_WR_SEND_WITH_IMM : IBV_WR_SEND, 100 + i,
		      src + i * SLOT, msg[i].len, srqn[msg[i].srq], 0, 0, i + 1);
	}
	for (i = 0; i < (int)(sizeof(msg) / sizeof(msg[0])); i++)
		rt_expect_wc(cq_s, IBV_WC_SUCCESS, 100 + i);
	for (i = 0; i < (int)(sizeof(msg) / sizeof(msg[0])); i++)
		expect_recv(msg[i].srq, tgt->qp_num, msg[i].len, i + 1, msg[i].imm);
	expect_no_recv("after the SENDs");
	rt_note("%zu SENDs (1 to 10000 bytes, 2 with immediate) landed in SRQ A/B as named, "
		"qp_num %#x", sizeof(msg) / sizeof(msg[0]), tgt->qp_num);

	/* RDMA into the memory of the SRQs' PD, naming A */
	rt_fill(src, 3000, 50);
	xpost(ini, IBV_WR_RDMA_WRITE, 200, src, 3000, srqn[0], (uintptr_t)rmem, rmem_mr->rkey, 0);
	rt_expect_wc(cq_s, IBV_WC_SUCCESS, 200);
	CHECK(rt_mismatch(rmem, 3000, 50) < 0);
	rt_fill(rmem + 4096, 2000, 51);
	xpost(ini, IBV_WR_RDMA_READ, 201, src + SLOT, 2000, srqn[0], (uintptr_t)rmem + 4096,
	      rmem_mr->rkey, 0);
	rt_expect_wc(cq_s, IBV_WC_SUCCESS, 201);
	CHECK(rt_mismatch(src + SLOT, 2000, 51) < 0);
	counter = (uint64_t *)(rmem + 8192);
	*counter = 41;
	xpost(ini, IBV_WR_ATOMIC_FETCH_AND_ADD, 202, src + 2 * SLOT, 8, srqn[0],
	      (uintptr_t)counter, rmem_mr->rkey, 0);
	rt_expect_wc(cq_s, IBV_WC_SUCCESS, 202);
	CHECK(*(uint64_t *)(src + 2 * SLOT) == 41 && *counter == 42);
	expect_no_recv("after RDMA");
	rt_note("RDMA WRITE 3000 B, READ 2000 B, FETCH_AND_ADD through XRC: data right");
	big_read(ini);

	/* what the provider refuses at once */
	rwr.num_sge = 0;
	CHECK(ibv_post_recv(ini, &rwr, &rbad) == EINVAL);
	CHECK(ibv_post_recv(tgt, &rwr, &rbad) == EINVAL);
	swr.opcode = IBV_WR_SEND;
	CHECK(ibv_post_send(tgt, &swr, &sbad) == EINVAL);

	/* the TGT QP opened by number is the same QP */
	oa = (struct ibv_qp_open_attr){ .comp_mask = IBV_QP_OPEN_ATTR_NUM | IBV_QP_OPEN_ATTR_XRCD |
						     IBV_QP_OPEN_ATTR_TYPE,
					.qp_num = tgt->qp_num, .xrcd = xrcd,
					.qp_type = IBV_QPT_XRC_RECV };
	CHECK((opened = ibv_open_qp(ctx, &oa)) != NULL);
	CHECK(ibv_query_qp(opened, &qa, IBV_QP_STATE | IBV_QP_DEST_QPN, &qi) == 0);
	CHECK(qa.qp_state == IBV_QPS_RTR && qa.dest_qp_num == ini->qp_num);
	CHECK(ibv_post_send(opened, &swr, &sbad) == EINVAL);
	CHECK(ibv_destroy_qp(opened) == 0);
	rt_note("post_recv on INI and TGT, post_send on TGT: EINVAL; ibv_open_qp of the TGT: "
		"RTR, same peer");
	xrc_unpair(ini, tgt);

	/* the ibv_qp_ex builders, naming B */
	xrc_pair(xrcd, IBV_QP_EX_WITH_SEND, &ini, &tgt);
	CHECK((qx = ibv_qp_to_qp_ex(ini)) != NULL);
	rt_fill(src + 3 * SLOT, 5000, 60);
	ibv_wr_start(qx);
	qx->wr_id = 300;
	qx->wr_flags = IBV_SEND_SIGNALED;
	ibv_wr_send(qx);
	ibv_wr_set_xrc_srqn(qx, srqn[1]);
	ibv_wr_set_sge(qx, src_mr->lkey, (uintptr_t)(src + 3 * SLOT), 5000);
	CHECK(ibv_wr_complete(qx) == 0);
	rt_expect_wc(cq_s, IBV_WC_SUCCESS, 300);
	expect_recv(1, tgt->qp_num, 5000, 60, false);
	rt_note("ibv_wr_send + ibv_wr_set_xrc_srqn: 5000 B landed in SRQ B");
	xrc_unpair(ini, tgt);

	refused("SEND to SRQ number A + 1000", xrcd, IBV_WR_SEND, srqn[0] + 1000, 0, 0,
		IBV_WC_REM_INV_REQ_ERR);
	refused("SEND to SRQ number 0xffffff", xrcd, IBV_WR_SEND, 0xffffff, 0, 0,
		IBV_WC_REM_INV_REQ_ERR);
	refused("SEND to an SRQ of another XRCD", xrcd, IBV_WR_SEND, srqn_c, 0, 0,
		IBV_WC_REM_INV_REQ_ERR);
	rt_fill(src + 4 * SLOT, 64, 70);
	refused("WRITE with an rkey of another PD than SRQ A's", xrcd, IBV_WR_RDMA_WRITE,
		srqn[0], (uintptr_t)(src + 4 * SLOT), src_mr->rkey, IBV_WC_REM_ACCESS_ERR);
	CHECK(rt_mismatch(src + 4 * SLOT, 64, 70) < 0);
	srq_destroyed_under_rnr();

	CHECK(ibv_dereg_mr(src_mr) == 0 && ibv_dereg_mr(rcv_mr) == 0 && ibv_dereg_mr(rmem_mr) == 0);
	CHECK(ibv_destroy_srq(srq_c) == 0);
	for (k = 0; k < 2; k++)
		CHECK(ibv_destroy_srq(srq[k]) == 0 && ibv_destroy_cq(cq[k]) == 0);
	CHECK(ibv_destroy_cq(cq_s) == 0);
	CHECK(ibv_close_xrcd(xrcd2) == 0 && ibv_close_xrcd(xrcd) == 0);
	CHECK(ibv_dealloc_pd(pd_ini) == 0 && ibv_dealloc_pd(pd_tgt) == 0);
	CHECK(ibv_close_device(ctx) == 0);
	return 0;
}
