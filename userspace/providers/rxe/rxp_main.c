// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * rxp_main.c - registration with libibverbs, the device context, and the
 * verbs that are plain kernel commands: device and port queries, PDs,
 * XRC domains, MRs (with ODP prefetch), MWs and AHs.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rxp.h"
#include "rxp_compat.h"

#ifndef RXP_NO_DEBUG
void rxp_dbg_print(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("rxe-provider: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}
#endif

static int rxp_query_device_ex(struct ibv_context *ctx,
			       const struct ibv_query_device_ex_input *input,
			       struct ibv_device_attr_ex *attr, size_t attr_size)
{
	struct ib_uverbs_ex_query_device_resp resp;
	size_t resp_size = sizeof(resp);
	uint64_t fw;
	int ret;

	ret = ibv_cmd_query_device_any(ctx, input, attr, attr_size, &resp,
				       &resp_size);
	if (ret)
		return ret;
	/* the kernel gives a number: major.minor.sub in 16-bit fields */
	fw = resp.base.fw_ver;
	snprintf(attr->orig_attr.fw_ver, sizeof(attr->orig_attr.fw_ver),
		 "%u.%u.%u", (unsigned int)(fw >> 32) & 0xffff,
		 (unsigned int)(fw >> 16) & 0xffff, (unsigned int)fw & 0xffff);
	return 0;
}

static int rxp_query_port(struct ibv_context *ctx, uint8_t port,
			  struct ibv_port_attr *attr)
{
	struct ibv_query_port cmd;

	return ibv_cmd_query_port(ctx, port, attr, &cmd, sizeof(cmd));
}

static struct ibv_pd *rxp_alloc_pd(struct ibv_context *ctx)
{
	struct ib_uverbs_alloc_pd_resp resp;
	struct ibv_alloc_pd cmd;
	struct ibv_pd *pd;
	int ret;

	pd = calloc(1, sizeof(*pd));
	if (!pd)
		return NULL;
	ret = ibv_cmd_alloc_pd(ctx, pd, &cmd, sizeof(cmd), &resp, sizeof(resp));
	if (ret) {
		free(pd);
		errno = ret;
		return NULL;
	}
	return pd;
}

static int rxp_dealloc_pd(struct ibv_pd *pd)
{
	int ret = ibv_cmd_dealloc_pd(pd);

	if (!ret)
		free(pd);
	return ret;
}

/* An XRC domain is only a kernel object: no data of the driver's. */
static struct ibv_xrcd *rxp_open_xrcd(struct ibv_context *ctx,
				      struct ibv_xrcd_init_attr *attr)
{
	struct ib_uverbs_open_xrcd_resp resp;
	struct ibv_open_xrcd cmd;
	struct verbs_xrcd *xrcd;
	int ret;

	xrcd = calloc(1, sizeof(*xrcd));
	if (!xrcd)
		return NULL;
	ret = ibv_cmd_open_xrcd(ctx, xrcd, sizeof(*xrcd), attr, &cmd,
				sizeof(cmd), &resp, sizeof(resp));
	if (ret) {
		rxp_dbg(ctx, "%s", strerror(ret));
		free(xrcd);
		errno = ret;
		return NULL;
	}
	return &xrcd->xrcd;
}

static int rxp_close_xrcd(struct ibv_xrcd *ibxrcd)
{
	struct verbs_xrcd *xrcd = container_of(ibxrcd, struct verbs_xrcd, xrcd);
	int ret = ibv_cmd_close_xrcd(xrcd);

	if (!ret)
		free(xrcd);
	return ret;
}

static struct ibv_mr *rxp_reg_mr(struct ibv_pd *pd, void *addr, size_t length,
				 uint64_t hca_va, int access)
{
	struct ib_uverbs_reg_mr_resp resp;
	struct ibv_reg_mr cmd;
	struct verbs_mr *vmr;
	int ret;

	vmr = calloc(1, sizeof(*vmr));
	if (!vmr)
		return NULL;
	ret = ibv_cmd_reg_mr(pd, addr, length, hca_va, access, vmr, &cmd,
			     sizeof(cmd), &resp, sizeof(resp));
	if (ret) {
		rxp_dbg(pd->context, "length %zu access 0x%x: %s", length,
			access, strerror(ret));
		free(vmr);
		errno = ret;
		return NULL;
	}
	return &vmr->ibv_mr;
}

static int rxp_rereg_mr(struct verbs_mr *vmr, int flags, struct ibv_pd *pd,
			void *addr, size_t length, int access)
{
	struct ib_uverbs_rereg_mr_resp resp;
	struct ibv_rereg_mr cmd;

	return ibv_cmd_rereg_mr(vmr, flags, addr, length, (uintptr_t)addr,
				access, pd, &cmd, sizeof(cmd), &resp,
				sizeof(resp));
}

static int rxp_dereg_mr(struct verbs_mr *vmr)
{
	int ret = ibv_cmd_dereg_mr(vmr);

	if (!ret)
		free(vmr);
	return ret;
}

/*
 * Prefetch into an ODP MR. The kernel checks keys, ranges and access; the
 * only thing decided here is that an empty list asks for nothing.
 */
static int rxp_advise_mr(struct ibv_pd *pd, enum ibv_advise_mr_advice advice,
			 uint32_t flags, struct ibv_sge *sg_list,
			 uint32_t num_sge)
{
	int ret;

	if (!num_sge || !sg_list) {
		rxp_dbg(pd->context, "empty SGE list");
		return EINVAL;
	}
	ret = ibv_cmd_advise_mr(pd, advice, flags, sg_list, num_sge);
	if (ret)
		rxp_dbg(pd->context, "advice %d flags 0x%x: %s", advice, flags,
			strerror(ret));
	return ret;
}

static struct ibv_mw *rxp_alloc_mw(struct ibv_pd *pd, enum ibv_mw_type type)
{
	struct ib_uverbs_alloc_mw_resp resp;
	struct ibv_alloc_mw cmd;
	struct ibv_mw *mw;
	int ret;

	mw = calloc(1, sizeof(*mw));
	if (!mw)
		return NULL;
	ret = ibv_cmd_alloc_mw(pd, type, mw, &cmd, sizeof(cmd), &resp,
			       sizeof(resp));
	if (ret) {
		rxp_dbg(pd->context, "type %d: %s", type, strerror(ret));
		free(mw);
		errno = ret;
		return NULL;
	}
	return mw;
}

static int rxp_dealloc_mw(struct ibv_mw *mw)
{
	int ret = ibv_cmd_dealloc_mw(mw);

	if (!ret)
		free(mw);
	return ret;
}

/*
 * The kernel keeps the address vector and gives it a number, which UD
 * WQEs carry; every kernel we run on does, so there is no fallback that
 * would copy the vector into each WQE.
 */
static struct ibv_ah *rxp_create_ah(struct ibv_pd *pd, struct ibv_ah_attr *attr)
{
	struct rxp_create_ah_resp resp = {};
	struct rxp_ah *ah;
	int ret;

	ah = calloc(1, sizeof(*ah));
	if (!ah)
		return NULL;
	ret = ibv_cmd_create_ah(pd, &ah->ibah, attr, &resp.ibv_resp,
				sizeof(resp));
	if (ret) {
		rxp_dbg(pd->context, "%s", strerror(ret));
		free(ah);
		errno = ret;
		return NULL;
	}
	if (!resp.ah_num) {
		rxp_dbg(pd->context, "the kernel gave no AH number");
		ibv_cmd_destroy_ah(&ah->ibah);
		free(ah);
		errno = EOPNOTSUPP;
		return NULL;
	}
	ah->ah_num = resp.ah_num;
	return &ah->ibah;
}

static int rxp_destroy_ah(struct ibv_ah *ibah)
{
	int ret = ibv_cmd_destroy_ah(ibah);

	if (!ret)
		free(to_rxp_ah(ibah));
	return ret;
}

static void rxp_free_context(struct ibv_context *ibctx)
{
	struct rxp_context *ctx = to_rxp_ctx(ibctx);

	verbs_uninit_context(&ctx->vctx);
	free(ctx);
}

static const struct verbs_context_ops rxp_ctx_ops = {
	.query_device_ex = rxp_query_device_ex,
	.query_port = rxp_query_port,
	.alloc_pd = rxp_alloc_pd,
	.dealloc_pd = rxp_dealloc_pd,
	.open_xrcd = rxp_open_xrcd,
	.close_xrcd = rxp_close_xrcd,
	.reg_mr = rxp_reg_mr,
	.rereg_mr = rxp_rereg_mr,
	.dereg_mr = rxp_dereg_mr,
	.advise_mr = rxp_advise_mr,
	.alloc_mw = rxp_alloc_mw,
	.dealloc_mw = rxp_dealloc_mw,
	.bind_mw = rxp_bind_mw,
	.create_cq = rxp_create_cq,
	.create_cq_ex = rxp_create_cq_ex,
	.poll_cq = rxp_poll_cq,
	.req_notify_cq = ibv_cmd_req_notify_cq,
	.resize_cq = rxp_resize_cq,
	.destroy_cq = rxp_destroy_cq,
	.create_srq = rxp_create_srq,
	.create_srq_ex = rxp_create_srq_ex,
	.modify_srq = rxp_modify_srq,
	.query_srq = rxp_query_srq,
	.destroy_srq = rxp_destroy_srq,
	.get_srq_num = rxp_get_srq_num,
	.post_srq_recv = rxp_post_srq_recv,
	.create_qp = rxp_create_qp,
	.create_qp_ex = rxp_create_qp_ex,
	.open_qp = rxp_open_qp,
	.query_qp = rxp_query_qp,
	.modify_qp = rxp_modify_qp,
	.destroy_qp = rxp_destroy_qp,
	.post_send = rxp_post_send,
	.post_recv = rxp_post_recv,
	.create_ah = rxp_create_ah,
	.destroy_ah = rxp_destroy_ah,
	.attach_mcast = ibv_cmd_attach_mcast,
	.detach_mcast = ibv_cmd_detach_mcast,
	.free_context = rxp_free_context,
};

static bool rxp_env_debug(void)
{
	const char *v = getenv("RXE_PROVIDER_DEBUG");

	return v && *v && strcmp(v, "0");
}

static struct verbs_context *rxp_alloc_context(struct ibv_device *ibdev,
					       int cmd_fd, void *private_data)
{
	struct ib_uverbs_get_context_resp resp;
	struct ibv_get_context cmd;
	struct rxp_context *ctx;

	ctx = verbs_init_and_alloc_context(ibdev, cmd_fd, ctx, vctx,
					   RDMA_DRIVER_RXE);
	if (!ctx)
		return NULL;
	ctx->debug = rxp_env_debug();
	if (rxp_cmd_get_context(&ctx->vctx, &cmd, sizeof(cmd), &resp,
				sizeof(resp))) {
		verbs_uninit_context(&ctx->vctx);
		free(ctx);
		return NULL;
	}
	verbs_set_ops(&ctx->vctx, &rxp_ctx_ops);
	return &ctx->vctx;
}

static struct verbs_device *rxp_alloc_device(struct verbs_sysfs_dev *sysfs_dev)
{
	return calloc(1, sizeof(struct verbs_device));
}

static void rxp_uninit_device(struct verbs_device *vdev)
{
	free(vdev);
}

static const struct verbs_match_ent rxp_match_table[] = {
	VERBS_DRIVER_ID(RDMA_DRIVER_RXE),
	VERBS_NAME_MATCH("rxe", NULL),
	{},
};

/*
 * uverbs ABI 1 and 2 of rxe differ only in the sizes of 32-bit pointers;
 * this library is built 64-bit only, where both are one layout.
 */
static const struct verbs_device_ops rxp_dev_ops = {
	.name = "rxe",
	.match_min_abi_version = 1,
	.match_max_abi_version = 2,
	.match_table = rxp_match_table,
	.alloc_device = rxp_alloc_device,
	.uninit_device = rxp_uninit_device,
	.alloc_context = rxp_alloc_context,
};
_Static_assert(sizeof(void *) == 8, "built for 64-bit only");
PROVIDER_DRIVER(rxe, rxp_dev_ops);
