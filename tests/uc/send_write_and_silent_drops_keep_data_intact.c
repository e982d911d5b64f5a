// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=rxe0 timeout=300
/*
 * UC between two QPs of one device. Multi-packet SEND, SEND with
 * immediate, RDMA WRITE and WRITE with immediate arrive whole and checked.
 * Then what UC drops silently (the sender completes successfully, the
 * receiver sees nothing, the QP keeps working): a SEND with no receive
 * posted, a WRITE to a bad R_Key (target memory untouched), and messages
 * that lost a packet on the wire (the drop_tx_one_in hook): every message
 * that completes is whole and correct, and the receive WQEs are taken in
 * order with none skipped, since a cut message does not use one up. A
 * receive too small for a SEND is the responder's own error: it
 * completes with a local length error and the QP goes to error. The four
 * whole messages run again over an ODP MR of never-touched memory (the
 * device reports UC SEND, RECV and WRITE over ODP).
 */
#include <arpa/inet.h>
#include <sys/mman.h>

#include "rxe_test.h"

#define MSG	(3 * 1024 + 100)	/* four packets at MTU 1024 */
#define NLOSSY	60

static struct ibv_pd *pd;
static struct ibv_cq *cq[2];
static struct ibv_qp *qp[2];
static struct ibv_mr *mr;
static uint8_t *buf;		/* [0, MSG): send; then NLOSSY receive slots */

static uint8_t *slot(int i) { return buf + (size_t)(i + 1) * MSG; }

static struct ibv_qp *uc_qp(struct ibv_cq *c)
{
	struct ibv_qp_init_attr init = {
		.send_cq = c, .recv_cq = c, .qp_type = IBV_QPT_UC,
		.cap = { .max_send_wr = 64, .max_recv_wr = NLOSSY + 4,
			 .max_send_sge = 1, .max_recv_sge = 1 },
	};
	struct ibv_qp *q;

	CHECK((q = ibv_create_qp(pd, &init)) != NULL);
	return q;
}

static void uc_connect(struct ibv_qp *q, uint32_t dest)
{
	union ibv_gid gid;
	int gidx = rt_ipv4_gid(q->context, &gid);
	struct ibv_qp_attr a = {
		.qp_state = IBV_QPS_INIT, .port_num = 1,
		.qp_access_flags = IBV_ACCESS_REMOTE_WRITE,
	};

	CHECK(ibv_modify_qp(q, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT |
			    IBV_QP_ACCESS_FLAGS) == 0);
	a = (struct ibv_qp_attr){
		.qp_state = IBV_QPS_RTR, .path_mtu = IBV_MTU_1024,
		.dest_qp_num = dest, .rq_psn = 0x2000,
		.ah_attr = { .is_global = 1, .port_num = 1,
			     .grh = { .dgid = gid, .sgid_index = gidx, .hop_limit = 64 } },
	};
	CHECK(ibv_modify_qp(q, &a, IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU |
			    IBV_QP_DEST_QPN | IBV_QP_RQ_PSN) == 0);
	a = (struct ibv_qp_attr){ .qp_state = IBV_QPS_RTS, .sq_psn = 0x2000 };
	CHECK(ibv_modify_qp(q, &a, IBV_QP_STATE | IBV_QP_SQ_PSN) == 0);
}

static void post(enum ibv_wr_opcode op, uint64_t wr_id, uint32_t len, uint32_t imm,
		 void *raddr, uint32_t rkey)
{
	struct ibv_sge sge = { (uintptr_t)buf, len, mr->lkey };
	struct ibv_send_wr wr = {
		.wr_id = wr_id, .sg_list = &sge, .num_sge = 1, .opcode = op,
		.send_flags = IBV_SEND_SIGNALED, .imm_data = htonl(imm),
		.wr.rdma = { (uintptr_t)raddr, rkey },
	}, *bad;

	CHECK(ibv_post_send(qp[0], &wr, &bad) == 0);
}

static void recv_into(int i, uint32_t len)
{
	rt_post_recv(qp[1], i, mr->lkey, slot(i), len);
}

static void nothing_arrives(const char *what)
{
	struct ibv_wc wc;

	usleep(200 * 1000);
	if (ibv_poll_cq(cq[1], 1, &wc))
		rt_fail("%s: the receiver got a completion (wr_id %llu, %s)", what,
			(unsigned long long)wc.wr_id, ibv_wc_status_str(wc.status));
}

static void check_slot(int i, uint32_t seed, const char *what)
{
	long bad = rt_mismatch(slot(i), MSG, seed);

	if (bad >= 0)
		rt_fail("%s: byte %ld of %d differs", what, bad, MSG);
}

/* SEND, SEND with immediate, WRITE, WRITE with immediate: whole, checked. */
static void whole_messages(void)
{
	struct ibv_wc wc;

	rt_fill(buf, MSG, 1);
	recv_into(0, MSG);
	post(IBV_WR_SEND, 1, MSG, 0, NULL, 0);
	rt_expect_wc(cq[0], IBV_WC_SUCCESS, 1);
	wc = rt_expect_wc(cq[1], IBV_WC_SUCCESS, 0);
	CHECK(wc.opcode == IBV_WC_RECV && wc.byte_len == MSG && !(wc.wc_flags & IBV_WC_WITH_IMM));
	check_slot(0, 1, "SEND");

	rt_fill(buf, MSG, 2);
	recv_into(1, MSG);
	post(IBV_WR_SEND_WITH_IMM, 2, MSG, 0xabc, NULL, 0);
	rt_expect_wc(cq[0], IBV_WC_SUCCESS, 2);
	wc = rt_expect_wc(cq[1], IBV_WC_SUCCESS, 1);
	CHECK(wc.byte_len == MSG && (wc.wc_flags & IBV_WC_WITH_IMM) && ntohl(wc.imm_data) == 0xabc);
	check_slot(1, 2, "SEND with immediate");

	rt_fill(buf, MSG, 3);
	post(IBV_WR_RDMA_WRITE, 3, MSG, 0, slot(2), mr->rkey);
	rt_expect_wc(cq[0], IBV_WC_SUCCESS, 3);
	usleep(100 * 1000);	/* no ACK: give the responder its time */
	check_slot(2, 3, "RDMA WRITE");

	rt_fill(buf, MSG, 4);
	recv_into(3, 0);
	post(IBV_WR_RDMA_WRITE_WITH_IMM, 4, MSG, 0xdef, slot(4), mr->rkey);
	rt_expect_wc(cq[0], IBV_WC_SUCCESS, 4);
	wc = rt_expect_wc(cq[1], IBV_WC_SUCCESS, 3);
	CHECK(wc.opcode == IBV_WC_RECV_RDMA_WITH_IMM && wc.byte_len == MSG &&
	      ntohl(wc.imm_data) == 0xdef);
	check_slot(4, 4, "RDMA WRITE with immediate");
	nothing_arrives("after the four messages");
	rt_note("SEND, SEND/imm, WRITE, WRITE/imm of %d bytes (4 packets): whole, checked", MSG);
}

/* whole_messages() again with the buffer an ODP MR of never-touched memory. */
static void whole_messages_over_odp(struct ibv_context *ctx)
{
	const uint32_t need = IBV_ODP_SUPPORT_SEND | IBV_ODP_SUPPORT_RECV |
			      IBV_ODP_SUPPORT_WRITE;
	size_t len = (size_t)(NLOSSY + 1) * MSG;
	struct ibv_device_attr_ex attr = {};
	uint8_t *pinned_buf = buf;
	struct ibv_mr *pinned = mr;

	CHECK(ibv_query_device_ex(ctx, NULL, &attr) == 0);
	if ((attr.odp_caps.per_transport_caps.uc_odp_caps & need) != need)
		rt_fail("the device reports no UC SEND/RECV/WRITE over ODP (caps %#x)",
			attr.odp_caps.per_transport_caps.uc_odp_caps);
	buf = rt_map(len, 4096);
	mr = rt_reg_odp(pd, buf, len, IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE);
	whole_messages();
	rt_note("the same over an ODP MR of never-touched memory");
	CHECK(ibv_dereg_mr(mr) == 0);
	CHECK(munmap(buf, len) == 0);
	buf = pinned_buf;
	mr = pinned;
}

/* Dropped without a word: no receive WQE, a bad R_Key. */
static void silent_drops(void)
{
	uint64_t noqp = rt_counter("rcvd_no_qp");
	struct ibv_wc wc;

	rt_fill(buf, MSG, 5);
	post(IBV_WR_SEND, 5, MSG, 0, NULL, 0);
	rt_expect_wc(cq[0], IBV_WC_SUCCESS, 5);
	nothing_arrives("SEND with no receive posted");

	rt_fill(slot(6), MSG, 6);
	rt_fill(buf, MSG, 7);
	post(IBV_WR_RDMA_WRITE, 7, MSG, 0, slot(6), mr->rkey ^ 0x80);
	rt_expect_wc(cq[0], IBV_WC_SUCCESS, 7);
	nothing_arrives("WRITE to a bad R_Key");
	check_slot(6, 6, "memory behind a WRITE to a bad R_Key");
	if (rt_counter("rcvd_no_qp") - noqp < 2)
		rt_fail("the two dropped messages counted %llu drops",
			(unsigned long long)(rt_counter("rcvd_no_qp") - noqp));

	/* the QP is fine: the next SEND arrives */
	rt_fill(buf, MSG, 8);
	recv_into(7, MSG);
	post(IBV_WR_SEND, 8, MSG, 0, NULL, 0);
	rt_expect_wc(cq[0], IBV_WC_SUCCESS, 8);
	wc = rt_expect_wc(cq[1], IBV_WC_SUCCESS, 7);
	CHECK(wc.byte_len == MSG);
	check_slot(7, 8, "SEND after the drops");
	rt_note("SEND without a receive and WRITE to a bad R_Key: dropped silently, QP fine");
}

/* Lost packets: whole messages or none, receive WQEs never skipped. */
static void lossy_wire(void)
{
	uint64_t dropped = rt_counter("test_dropped");
	int i, got = 0, next_seed = 0;
	struct ibv_wc wc;

	for (i = 0; i < NLOSSY; i++)
		recv_into(i, MSG);
	rt_sh("echo 7 > /sys/module/rdma_rxe/parameters/drop_tx_one_in");
	for (i = 0; i < NLOSSY; i++) {
		rt_fill(buf, MSG, 1000 + i);
		post(IBV_WR_SEND_WITH_IMM, 100 + i, MSG, 1000 + i, NULL, 0);
		rt_expect_wc(cq[0], IBV_WC_SUCCESS, 100 + i);
	}
	rt_sh("echo 0 > /sys/module/rdma_rxe/parameters/drop_tx_one_in");
	usleep(300 * 1000);
	while (ibv_poll_cq(cq[1], 1, &wc) == 1) {
		uint32_t seed = ntohl(wc.imm_data);

		if (wc.status != IBV_WC_SUCCESS || wc.wr_id != (uint64_t)got)
			rt_fail("lossy: completion %d is wr_id %llu, %s (want wr_id %d, success)",
				got, (unsigned long long)wc.wr_id, ibv_wc_status_str(wc.status), got);
		if (wc.byte_len != MSG || (int)seed < 1000 + next_seed || seed >= 1000 + NLOSSY)
			rt_fail("lossy: completion %d: %u bytes, message %u", got, wc.byte_len, seed);
		check_slot(got, seed, "a message that came through a lossy wire");
		next_seed = seed - 1000 + 1;
		got++;
	}
	if (rt_counter("test_dropped") == dropped)
		rt_fail("lossy: the hook dropped no packet");
	if (got == 0 || got == NLOSSY)
		rt_fail("lossy: %d of %d messages arrived (want some, not all)", got, NLOSSY);
	rt_note("lossy wire: %llu packets lost, %d of %d messages arrived whole, in order, "
		"into consecutive receive WQEs", (unsigned long long)(rt_counter("test_dropped") - dropped),
		got, NLOSSY);
	/* flush what is left: the QPs are torn down after the next step */
}

/* A receive too small: local length error, the QP in error. */
static void short_receive(void)
{
	struct ibv_qp_attr a;
	struct ibv_qp_init_attr ia;
	struct ibv_wc wc;

	rt_fill(buf, MSG, 9);
	post(IBV_WR_SEND, 9, MSG, 0, NULL, 0);
	rt_expect_wc(cq[0], IBV_WC_SUCCESS, 9);
	wc = rt_wait_wc(cq[1], 10);
	if (wc.status != IBV_WC_LOC_LEN_ERR)
		rt_fail("SEND into a receive of %d bytes: %s, not a local length error",
			MSG / 2, ibv_wc_status_str(wc.status));
	CHECK(ibv_query_qp(qp[1], &a, IBV_QP_STATE, &ia) == 0);
	if (a.qp_state != IBV_QPS_ERR)
		rt_fail("the receiver is in state %d after a local length error", a.qp_state);
	rt_note("a SEND larger than its receive: local length error, receiver QP in error");
}

int main(void)
{
	struct ibv_context *ctx = rt_open_dev();
	struct ibv_wc wc;
	int i;

	CHECK((pd = ibv_alloc_pd(ctx)) != NULL);
	CHECK((buf = calloc(NLOSSY + 1, MSG)) != NULL);
	CHECK((mr = ibv_reg_mr(pd, buf, (size_t)(NLOSSY + 1) * MSG,
			       IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE)) != NULL);
	for (i = 0; i < 2; i++) {
		CHECK((cq[i] = ibv_create_cq(ctx, 128, NULL, NULL, 0)) != NULL);
		qp[i] = uc_qp(cq[i]);
	}
	uc_connect(qp[0], qp[1]->qp_num);
	uc_connect(qp[1], qp[0]->qp_num);

	whole_messages();
	whole_messages_over_odp(ctx);
	silent_drops();
	lossy_wire();

	/* a fresh receiver pair for the error case: drain the lossy leftovers */
	while (ibv_poll_cq(cq[1], 1, &wc) == 1)
		;
	for (i = 0; i < 2; i++)
		CHECK(ibv_destroy_qp(qp[i]) == 0);
	for (i = 0; i < 2; i++)
		qp[i] = uc_qp(cq[i]);
	uc_connect(qp[0], qp[1]->qp_num);
	uc_connect(qp[1], qp[0]->qp_num);
	recv_into(0, MSG / 2);
	short_receive();

	for (i = 0; i < 2; i++) {
		CHECK(ibv_destroy_qp(qp[i]) == 0);
		CHECK(ibv_destroy_cq(cq[i]) == 0);
	}
	CHECK(ibv_dereg_mr(mr) == 0);
	CHECK(ibv_dealloc_pd(pd) == 0);
	CHECK(ibv_close_device(ctx) == 0);
	printf("PASS\n");
	return 0;
}
