// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=rxe0 timeout=240
/*
 * Memory windows over RC, each case on a fresh QP pair of one PD.
 * Type 2: a window bound by the responder's QP carries remote WRITE and
 * READ (data checked) only inside its range and with the rights it was
 * bound with, only on that QP; LOCAL_INV and a received SEND with
 * Invalidate free it; its MR cannot be deregistered while it is bound; a
 * second bind of a bound window, a bind to an MR without MW_BIND or
 * beyond the MR complete with a bind error. Type 1: bound with
 * ibv_bind_mw, any QP of the PD may use it, a bind of length 0 unbinds
 * it, LOCAL_INV of it is an error.
 */
#include "rxe_test.h"

#define PAGE 4096

static struct ibv_pd *pd;
static struct ibv_mr *mr, *nobind, *src;
static uint8_t *buf, *sbuf;

static void pair(struct rt_rc_pair *p)
{
	rt_rc_pair(p, pd, &rt_rdma_opts);
}

/* Type 2 bind posted on @p's responder QP; its completion status. */
static enum ibv_wc_status bind2(struct rt_rc_pair *p, struct ibv_mw *mw, struct ibv_mr *m,
				void *addr, size_t len, int access, uint32_t *rkey)
{
	struct ibv_send_wr wr = {
		.wr_id = 77, .opcode = IBV_WR_BIND_MW, .send_flags = IBV_SEND_SIGNALED,
		.bind_mw = { .mw = mw, .rkey = ibv_inc_rkey(mw->rkey),
			     .bind_info = { .mr = m, .addr = (uintptr_t)addr, .length = len,
					    .mw_access_flags = access } },
	}, *bad;
	struct ibv_wc wc;

	CHECK(ibv_post_send(p->qp[1], &wr, &bad) == 0);
	wc = rt_wait_wc(p->cq[1], 10);
	CHECK(wc.wr_id == 77);
	if (wc.status == IBV_WC_SUCCESS) {
		mw->rkey = wr.bind_mw.rkey;
		*rkey = mw->rkey;
	}
	return wc.status;
}

/* An RDMA op from @p's requester through @rkey at @remote; its status. */
static enum ibv_wc_status rdma(struct rt_rc_pair *p, enum ibv_wr_opcode op, uint32_t rkey,
			       void *remote, uint32_t len)
{
	static uint64_t id = 1000;
	struct ibv_wc wc;

	rt_post_send(p->qp[0], op, ++id, src->lkey, sbuf, len, (uintptr_t)remote, rkey);
	wc = rt_wait_wc(p->cq[0], 30);
	CHECK(wc.wr_id == id);
	return wc.status;
}

/* LOCAL_INV of @key posted on @qp; its completion status. */
static enum ibv_wc_status local_inv(struct ibv_qp *qp, struct ibv_cq *cq, uint32_t key)
{
	struct ibv_send_wr wr = {
		.wr_id = 78, .opcode = IBV_WR_LOCAL_INV, .send_flags = IBV_SEND_SIGNALED,
		.invalidate_rkey = key,
	}, *bad;
	struct ibv_wc wc;

	CHECK(ibv_post_send(qp, &wr, &bad) == 0);
	wc = rt_wait_wc(cq, 10);
	CHECK(wc.wr_id == 78);
	return wc.status;
}

static void expect(enum ibv_wc_status got, enum ibv_wc_status want, const char *what)
{
	if (got != want)
		rt_fail("%s: %s, want %s", what, ibv_wc_status_str(got), ibv_wc_status_str(want));
}

static void type2_access_and_local_invalidate(void)
{
	struct rt_rc_pair p, other;
	struct ibv_mw *mw;
	uint32_t k;
	int err;

	CHECK((mw = ibv_alloc_mw(pd, IBV_MW_TYPE_2)) != NULL);
	pair(&p);
	expect(bind2(&p, mw, mr, buf + PAGE, PAGE,
		     IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ, &k),
	       IBV_WC_SUCCESS, "type 2 bind");
	rt_fill(sbuf, 300, 21);
	expect(rdma(&p, IBV_WR_RDMA_WRITE, k, buf + PAGE + 100, 300), IBV_WC_SUCCESS,
	       "WRITE through the window");
	if (rt_mismatch(buf + PAGE + 100, 300, 21) >= 0)
		rt_fail("the WRITE through the window did not land");
	memset(sbuf, 0, 300);
	expect(rdma(&p, IBV_WR_RDMA_READ, k, buf + PAGE + 100, 300), IBV_WC_SUCCESS,
	       "READ through the window");
	if (rt_mismatch(sbuf, 300, 21) >= 0)
		rt_fail("the READ through the window returned other data");
	err = ibv_dereg_mr(mr);
	if (err != EBUSY)
		rt_fail("dereg of an MR with a bound window: %d, want EBUSY", err);

	/* another QP of the PD: not the one that bound it */
	pair(&other);
	expect(rdma(&other, IBV_WR_RDMA_WRITE, k, buf + PAGE, 8), IBV_WC_REM_ACCESS_ERR,
	       "WRITE through a type 2 window on another QP");
	rt_rc_pair_destroy(&other);

	expect(local_inv(p.qp[1], p.cq[1], k), IBV_WC_SUCCESS, "LOCAL_INV of the window");
	expect(rdma(&p, IBV_WR_RDMA_WRITE, k, buf + PAGE, 8), IBV_WC_REM_ACCESS_ERR,
	       "WRITE through an invalidated window");
	rt_rc_pair_destroy(&p);
	CHECK(ibv_dealloc_mw(mw) == 0);
	rt_note("type 2: WRITE and READ through it, only on its QP; dereg EBUSY; LOCAL_INV frees it");
}

/* @op through a fresh read-only window over page 1 fails with a remote access error. */
static void read_only_window_refuses(enum ibv_wr_opcode op, void *remote, uint32_t len,
				     const char *what)
{
	struct rt_rc_pair p;
	struct ibv_mw *mw;
	uint32_t k;

	CHECK((mw = ibv_alloc_mw(pd, IBV_MW_TYPE_2)) != NULL);
	pair(&p);
	expect(bind2(&p, mw, mr, buf + PAGE, PAGE, IBV_ACCESS_REMOTE_READ, &k),
	       IBV_WC_SUCCESS, "read-only type 2 bind");
	expect(rdma(&p, op, k, remote, len), IBV_WC_REM_ACCESS_ERR, what);
	rt_rc_pair_destroy(&p);
	CHECK(ibv_dealloc_mw(mw) == 0);	/* dealloc of a bound window unbinds it */
}

/* Outside the range, or a right it was not bound with: remote access error. */
static void type2_range_and_rights(void)
{
	read_only_window_refuses(IBV_WR_RDMA_READ, buf + 2 * PAGE - 8, 16,
				 "READ across the end of the window");
	read_only_window_refuses(IBV_WR_RDMA_WRITE, buf + PAGE, 8,
				 "WRITE through a read-only window");
	rt_note("type 2: beyond its range or without the right: remote access error");
}

static void type2_remote_invalidate(void)
{
	struct rt_rc_pair p;
	struct ibv_mw *mw;
	struct ibv_wc wc;
	uint32_t k;

	CHECK((mw = ibv_alloc_mw(pd, IBV_MW_TYPE_2)) != NULL);
	pair(&p);
	expect(bind2(&p, mw, mr, buf, PAGE, IBV_ACCESS_REMOTE_WRITE, &k),
	       IBV_WC_SUCCESS, "type 2 bind");
	rt_post_recv(p.qp[1], 5, mr->lkey, buf + 4 * PAGE, 64);
	{
		struct ibv_sge sge = { (uintptr_t)sbuf, 16, src->lkey };
		struct ibv_send_wr wr = {
			.wr_id = 6, .sg_list = &sge, .num_sge = 1,
			.opcode = IBV_WR_SEND_WITH_INV, .send_flags = IBV_SEND_SIGNALED,
			.invalidate_rkey = k,
		}, *bad;

		CHECK(ibv_post_send(p.qp[0], &wr, &bad) == 0);
	}
	rt_expect_wc(p.cq[0], IBV_WC_SUCCESS, 6);
	wc = rt_expect_wc(p.cq[1], IBV_WC_SUCCESS, 5);
	if (!(wc.wc_flags & IBV_WC_WITH_INV) || wc.invalidated_rkey != k)
		rt_fail("SEND with Invalidate: flags %#x rkey %#x (want %#x)", wc.wc_flags,
			wc.invalidated_rkey, k);
	expect(rdma(&p, IBV_WR_RDMA_WRITE, k, buf, 8), IBV_WC_REM_ACCESS_ERR,
	       "WRITE through a remotely invalidated window");
	rt_rc_pair_destroy(&p);
	CHECK(ibv_dealloc_mw(mw) == 0);
	rt_note("type 2: a SEND with Invalidate frees it");
}

/* Binds that must fail: the bind completes with a bind error. */
static void type2_bind_errors(void)
{
	struct {
		struct ibv_mr *m;
		uint8_t *addr;
		size_t len;
		bool twice;
		const char *what;
	} c[] = {
		{ nobind, buf, PAGE, false, "bind to an MR without MW_BIND" },
		{ mr, buf + 7 * PAGE, 2 * PAGE, false, "bind beyond the end of the MR" },
		{ mr, buf, PAGE, true, "second bind of a bound type 2 window" },
	};
	struct rt_rc_pair p;
	struct ibv_mw *mw;
	unsigned int i;
	uint32_t k;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		CHECK((mw = ibv_alloc_mw(pd, IBV_MW_TYPE_2)) != NULL);
		pair(&p);
		if (c[i].twice)
			expect(bind2(&p, mw, c[i].m, c[i].addr, c[i].len, IBV_ACCESS_REMOTE_READ, &k),
			       IBV_WC_SUCCESS, "first bind");
		expect(bind2(&p, mw, c[i].m, c[i].addr, c[i].len, IBV_ACCESS_REMOTE_READ, &k),
		       IBV_WC_MW_BIND_ERR, c[i].what);
		rt_rc_pair_destroy(&p);
		CHECK(ibv_dealloc_mw(mw) == 0);
	}
	rt_note("bind errors: MR without MW_BIND, beyond the MR, bound twice");
}

static void type1(void)
{
	struct rt_rc_pair p, other;
	struct ibv_mw_bind b = {
		.wr_id = 90, .send_flags = IBV_SEND_SIGNALED,
		.bind_info = { .mr = mr, .addr = (uintptr_t)buf + 3 * PAGE, .length = PAGE,
			       .mw_access_flags = IBV_ACCESS_REMOTE_WRITE },
	};
	struct ibv_mw *mw;

	CHECK((mw = ibv_alloc_mw(pd, IBV_MW_TYPE_1)) != NULL);
	pair(&p);
	pair(&other);
	CHECK(ibv_bind_mw(p.qp[1], mw, &b) == 0);
	rt_expect_wc(p.cq[1], IBV_WC_SUCCESS, 90);
	rt_fill(sbuf, 64, 31);
	expect(rdma(&p, IBV_WR_RDMA_WRITE, mw->rkey, buf + 3 * PAGE, 64), IBV_WC_SUCCESS,
	       "WRITE through a type 1 window");
	rt_fill(sbuf, 64, 32);
	expect(rdma(&other, IBV_WR_RDMA_WRITE, mw->rkey, buf + 3 * PAGE + 64, 64),
	       IBV_WC_SUCCESS, "WRITE through a type 1 window on another QP of the PD");
	if (rt_mismatch(buf + 3 * PAGE, 64, 31) >= 0 || rt_mismatch(buf + 3 * PAGE + 64, 64, 32) >= 0)
		rt_fail("the WRITEs through the type 1 window did not land");

	b.bind_info.length = 0;	/* unbind */
	CHECK(ibv_bind_mw(p.qp[1], mw, &b) == 0);
	rt_expect_wc(p.cq[1], IBV_WC_SUCCESS, 90);
	expect(rdma(&p, IBV_WR_RDMA_WRITE, mw->rkey, buf + 3 * PAGE, 8), IBV_WC_REM_ACCESS_ERR,
	       "WRITE through an unbound type 1 window");
	expect(local_inv(other.qp[1], other.cq[1], mw->rkey), IBV_WC_LOC_QP_OP_ERR,
	       "LOCAL_INV of a type 1 window");
	rt_rc_pair_destroy(&p);
	rt_rc_pair_destroy(&other);
	CHECK(ibv_dealloc_mw(mw) == 0);
	rt_note("type 1: any QP of the PD; length 0 unbinds; LOCAL_INV refused");
}

int main(void)
{
	struct ibv_context *ctx = rt_open_dev();
	struct ibv_device_attr attr;
	int acc = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ;

	CHECK(ibv_query_device(ctx, &attr) == 0);
	if (!(attr.device_cap_flags & IBV_DEVICE_MEM_WINDOW) || !attr.max_mw)
		rt_skip("the device has no memory windows");
	CHECK((pd = ibv_alloc_pd(ctx)) != NULL);
	buf = rt_map(8 * PAGE, PAGE);
	sbuf = rt_map(PAGE, PAGE);
	CHECK((mr = ibv_reg_mr(pd, buf, 8 * PAGE, acc | IBV_ACCESS_MW_BIND)) != NULL);
	CHECK((nobind = ibv_reg_mr(pd, buf, 8 * PAGE, acc)) != NULL);
	CHECK((src = ibv_reg_mr(pd, sbuf, PAGE, IBV_ACCESS_LOCAL_WRITE)) != NULL);

	type2_access_and_local_invalidate();
	type2_range_and_rights();
	type2_remote_invalidate();
	type2_bind_errors();
	type1();

	CHECK(ibv_dereg_mr(mr) == 0);	/* no window bound any more */
	CHECK(ibv_dereg_mr(nobind) == 0);
	CHECK(ibv_dereg_mr(src) == 0);
	CHECK(ibv_dealloc_pd(pd) == 0);
	CHECK(ibv_close_device(ctx) == 0);
	printf("PASS\n");
	return 0;
}
