// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=rxe0 timeout=120
/*
 * The RC operations of ibv_qp_ex only, through an implicit ODP MR on both
 * sides: ATOMIC WRITE lands its 8 bytes in a buffer allocated after the
 * registration (never touched by the CPU before), and FLUSH (global
 * visibility, of a range and of the whole MR) completes. Skips where the
 * device reports no ODP for them (the ODP caps of the 6.1 and 6.12 kernel
 * ABIs have no bit for either), and
 * FLUSH where the installed libibverbs has no ibv_wr_flush (bookworm).
 */
#include <sys/mman.h>

#include "rxe_test.h"

/* rc_odp_caps bits of the kernel ABI (IB_ODP_SUPPORT_FLUSH, _ATOMIC_WRITE) */
#define ODP_FLUSH (1 << 6)
#define ODP_ATOMIC_WRITE (1 << 7)

static struct ibv_cq *cq;

static struct ibv_qp_ex *qp_ex(struct ibv_pd *pd)
{
	struct ibv_qp_init_attr_ex init = {
		.qp_type = IBV_QPT_RC, .send_cq = cq, .recv_cq = cq,
		.cap = { .max_send_wr = 16, .max_recv_wr = 16,
			 .max_send_sge = 1, .max_recv_sge = 1 },
		.comp_mask = IBV_QP_INIT_ATTR_PD | IBV_QP_INIT_ATTR_SEND_OPS_FLAGS,
		.pd = pd,
		.send_ops_flags = IBV_QP_EX_WITH_ATOMIC_WRITE | IBV_QP_EX_WITH_RDMA_WRITE
#ifdef RT_HAVE_WR_FLUSH
				  | IBV_QP_EX_WITH_FLUSH
#endif
	};
	struct ibv_qp *qp = ibv_create_qp_ex(pd->context, &init);

	if (!qp)
		rt_fail("ibv_create_qp_ex: %s", strerror(errno));
	return ibv_qp_to_qp_ex(qp);
}

static void done(uint64_t id, const char *what)
{
	struct ibv_wc wc = rt_wait_wc(cq, 30);

	if (wc.wr_id != id || wc.status != IBV_WC_SUCCESS)
		rt_fail("%s: %s (wr %llu)", what, ibv_wc_status_str(wc.status),
			(unsigned long long)wc.wr_id);
}

int main(void)
{
	struct ibv_context *ctx = rt_open_dev();
	struct ibv_device_attr_ex attr = {};
	struct rt_rc_opts o = rt_rdma_opts;
	struct ibv_qp_ex *a, *b;
	uint64_t value = 0x0123456789abcdefULL;
	struct ibv_mr *imr;
	struct ibv_pd *pd;
	uint64_t *target;
	int access;

	CHECK(ibv_query_device_ex(ctx, NULL, &attr) == 0);
	if (!(attr.odp_caps.general_caps & IBV_ODP_SUPPORT_IMPLICIT) ||
	    !(attr.odp_caps.per_transport_caps.rc_odp_caps & ODP_ATOMIC_WRITE))
		rt_skip("no implicit ODP, or no RC ATOMIC WRITE over ODP in the device's caps "
			"(this kernel's ODP caps may have no such bit)");
	CHECK((pd = ibv_alloc_pd(ctx)) != NULL);
	access = IBV_ACCESS_ON_DEMAND | IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE |
		 IBV_ACCESS_REMOTE_READ | IBV_ACCESS_REMOTE_ATOMIC;
#ifdef RT_HAVE_WR_FLUSH
	access |= IBV_ACCESS_FLUSH_GLOBAL;
#endif
	imr = ibv_reg_mr(pd, NULL, SIZE_MAX, access);
	if (!imr)
		rt_fail("implicit ibv_reg_mr: %s", strerror(errno));
	CHECK((cq = ibv_create_cq(ctx, 32, NULL, NULL, 0)) != NULL);
	a = qp_ex(pd);
	b = qp_ex(pd);
	o.access = IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ | IBV_ACCESS_REMOTE_ATOMIC;
	rt_rc_connect(&a->qp_base, b->qp_base.qp_num, &o);
	rt_rc_connect(&b->qp_base, a->qp_base.qp_num, &o);

	/* allocated after the registration, never touched */
	target = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(target != MAP_FAILED);
	ibv_wr_start(a);
	a->wr_id = 1;
	a->wr_flags = IBV_SEND_SIGNALED;
	ibv_wr_atomic_write(a, imr->rkey, (uintptr_t)(target + 100), &value);
	CHECK(ibv_wr_complete(a) == 0);
	done(1, "ATOMIC WRITE through the implicit MR");
	if (target[100] != value)
		rt_fail("ATOMIC WRITE: %#llx landed, not %#llx",
			(unsigned long long)target[100], (unsigned long long)value);
	rt_note("ATOMIC WRITE through the implicit MR into never-touched memory: landed");

#ifdef RT_HAVE_WR_FLUSH
	if (attr.odp_caps.per_transport_caps.rc_odp_caps & ODP_FLUSH) {
		ibv_wr_start(a);
		a->wr_id = 2;
		a->wr_flags = IBV_SEND_SIGNALED;
		ibv_wr_flush(a, imr->rkey, (uintptr_t)target, 4096, IBV_FLUSH_GLOBAL,
			     IBV_FLUSH_RANGE);
		a->wr_id = 3;
		ibv_wr_flush(a, imr->rkey, (uintptr_t)target, 0, IBV_FLUSH_GLOBAL,
			     IBV_FLUSH_MR);
		CHECK(ibv_wr_complete(a) == 0);
		done(2, "FLUSH of a range through the implicit MR");
		done(3, "FLUSH of the implicit MR");
		rt_note("FLUSH (global; range and whole MR) through the implicit MR: done");
	} else {
		rt_note("the device reports no RC FLUSH over ODP: FLUSH not tried");
	}
#else
	rt_note("this libibverbs has no ibv_wr_flush: FLUSH not tried");
#endif

	CHECK(ibv_destroy_qp(&a->qp_base) == 0 && ibv_destroy_qp(&b->qp_base) == 0);
	CHECK(ibv_destroy_cq(cq) == 0);
	CHECK(ibv_dereg_mr(imr) == 0);
	CHECK(ibv_dealloc_pd(pd) == 0);
	CHECK(ibv_close_device(ctx) == 0);
	return 0;
}
