// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=rxe0 timeout=240
/*
 * UD SEND/RECV over ODP memory, between two UD QPs of one device: the
 * sender's buffer and the receive buffer are reached through explicit ODP
 * MRs and, where the device has implicit ODP, through an implicit MR
 * (buffers allocated after it was registered: heap, a fresh mmap never
 * touched). The payload lands 40 bytes into
 * the receive buffer, after the GRH, and the receive buffer itself starts
 * at odd offsets, so no copy is page aligned; every byte is checked, and
 * the ODP counters show the receive side faulted its pages in.
 */
#include <sys/mman.h>

#include "rxe_test.h"

#define QKEY 0x11110000
#define GRH 40

struct ud {
	struct ibv_cq *cq;
	struct ibv_qp *qp;
};

static struct ibv_pd *pd;
static struct ibv_ah *ah;

static void ud_up(struct ud *u)
{
	struct ibv_qp_init_attr init = {
		.qp_type = IBV_QPT_UD,
		.cap = { .max_send_wr = 16, .max_recv_wr = 16,
			 .max_send_sge = 1, .max_recv_sge = 1 },
	};
	struct ibv_qp_attr a = {
		.qp_state = IBV_QPS_INIT, .port_num = 1, .qkey = QKEY,
	};

	CHECK((u->cq = ibv_create_cq(pd->context, 32, NULL, NULL, 0)) != NULL);
	init.send_cq = init.recv_cq = u->cq;
	CHECK((u->qp = ibv_create_qp(pd, &init)) != NULL);
	CHECK(ibv_modify_qp(u->qp, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX |
			    IBV_QP_PORT | IBV_QP_QKEY) == 0);
	a.qp_state = IBV_QPS_RTR;
	CHECK(ibv_modify_qp(u->qp, &a, IBV_QP_STATE) == 0);
	a.qp_state = IBV_QPS_RTS;
	a.sq_psn = 0;
	CHECK(ibv_modify_qp(u->qp, &a, IBV_QP_STATE | IBV_QP_SQ_PSN) == 0);
}

static void ud_down(struct ud *u)
{
	CHECK(ibv_destroy_qp(u->qp) == 0);
	CHECK(ibv_destroy_cq(u->cq) == 0);
}

/* SEND @len bytes of @src (key @skey) into @dst (key @rkey), checked. */
static void send_recv(struct ud *s, struct ud *r, uint8_t *src, uint32_t skey,
		      uint8_t *dst, uint32_t rkey, uint32_t len, uint32_t seed,
		      const char *what)
{
	struct ibv_sge rsge = { (uintptr_t)dst, len + GRH, rkey };
	struct ibv_sge ssge = { (uintptr_t)src, len, skey };
	struct ibv_recv_wr rwr = { .wr_id = 2, .sg_list = &rsge, .num_sge = 1 }, *rbad;
	struct ibv_send_wr swr = {
		.wr_id = 1, .sg_list = &ssge, .num_sge = 1, .opcode = IBV_WR_SEND,
		.send_flags = IBV_SEND_SIGNALED,
		.wr.ud = { .ah = ah, .remote_qpn = r->qp->qp_num, .remote_qkey = QKEY },
	}, *sbad;
	struct ibv_wc wc;
	long bad;

	rt_fill(src, len, seed);
	CHECK(ibv_post_recv(r->qp, &rwr, &rbad) == 0);
	CHECK(ibv_post_send(s->qp, &swr, &sbad) == 0);
	wc = rt_expect_wc(s->cq, IBV_WC_SUCCESS, 1);
	wc = rt_expect_wc(r->cq, IBV_WC_SUCCESS, 2);
	if (wc.byte_len != len + GRH || wc.src_qp != s->qp->qp_num)
		rt_fail("%s: byte_len %u src_qp %u (want %u, %u)", what, wc.byte_len,
			wc.src_qp, len + GRH, s->qp->qp_num);
	bad = rt_mismatch(dst + GRH, len, seed);
	if (bad >= 0)
		rt_fail("%s: byte %ld of %u differs", what, bad, len);
	rt_note("%s: %u bytes at offset %#lx of a page, checked", what, len,
		(unsigned long)((uintptr_t)(dst + GRH) & 4095));
}

int main(void)
{
	struct ibv_context *ctx = rt_open_dev();
	struct ibv_device_attr_ex attr = {};
	struct ibv_ah_attr aa = { .is_global = 1, .port_num = 1 };
	struct ibv_port_attr port;
	struct ibv_mr *imr, *es, *er;
	uint8_t *heap, *fresh, *ebuf;
	uint64_t before;
	struct ud s, r;
	uint32_t mtu;

	CHECK(ibv_query_device_ex(ctx, NULL, &attr) == 0);
	if ((attr.odp_caps.per_transport_caps.ud_odp_caps &
	     (IBV_ODP_SUPPORT_SEND | IBV_ODP_SUPPORT_RECV)) !=
	    (IBV_ODP_SUPPORT_SEND | IBV_ODP_SUPPORT_RECV))
		rt_skip("the device reports no UD SEND/RECV over ODP");
	CHECK(ibv_query_port(ctx, 1, &port) == 0);
	mtu = 128u << port.active_mtu;
	CHECK((pd = ibv_alloc_pd(ctx)) != NULL);
	aa.grh.sgid_index = rt_ipv4_gid(ctx, &aa.grh.dgid);
	aa.grh.hop_limit = 64;
	CHECK((ah = ibv_create_ah(pd, &aa)) != NULL);
	ud_up(&s);
	ud_up(&r);

	/* explicit ODP MRs on both sides, receive landing mid-page */
	ebuf = rt_map(1 << 16, 4096);
	CHECK((es = rt_reg_odp(pd, ebuf, 1 << 15, IBV_ACCESS_LOCAL_WRITE)) != NULL);
	CHECK((er = rt_reg_odp(pd, ebuf + (1 << 15), 1 << 15, IBV_ACCESS_LOCAL_WRITE)) != NULL);
	send_recv(&s, &r, ebuf + 100, es->lkey, ebuf + (1 << 15) + 2000, er->lkey, mtu, 3,
		  "explicit ODP to explicit ODP");

	/* implicit: buffers that did not exist at registration */
	if (!(attr.odp_caps.general_caps & IBV_ODP_SUPPORT_IMPLICIT)) {
		rt_note("implicit MR: not run (the device does not report implicit ODP)");
		goto out;
	}
	imr = ibv_reg_mr(pd, NULL, SIZE_MAX, IBV_ACCESS_ON_DEMAND | IBV_ACCESS_LOCAL_WRITE);
	if (!imr)
		rt_fail("implicit ibv_reg_mr: %s", strerror(errno));
	heap = malloc(3 * mtu);
	fresh = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(heap && fresh != MAP_FAILED);
	before = rt_counter("odp_fault_pages");
	send_recv(&s, &r, heap, imr->lkey, fresh + 4096 - 17, imr->lkey, mtu, 1,
		  "implicit: heap to a never-touched mmap, across a page boundary");
	if (rt_counter("odp_fault_pages") <= before)
		rt_fail("no page faulted in for the never-touched receive buffer");
	send_recv(&s, &r, heap + 3, imr->lkey, heap + mtu + 1, imr->lkey, mtu - 64, 2,
		  "implicit: heap to heap, odd offsets");

	send_recv(&s, &r, ebuf + 5, es->lkey, fresh + 8192 + 9, imr->lkey, 1, 4,
		  "explicit ODP to implicit, one byte");
	CHECK(ibv_dereg_mr(imr) == 0);

out:
	ud_down(&s);
	ud_down(&r);
	CHECK(ibv_destroy_ah(ah) == 0);
	CHECK(ibv_dereg_mr(es) == 0 && ibv_dereg_mr(er) == 0);
	CHECK(ibv_dealloc_pd(pd) == 0);
	CHECK(ibv_close_device(ctx) == 0);
	return 0;
}
