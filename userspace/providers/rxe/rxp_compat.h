/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * rxp_compat.h - the one place where the rdma-core versions we build
 * against differ. RXP_HAVE_* come from the probes/ the Makefile compiles
 * (rxp_config.h, generated).
 */
#ifndef RXP_COMPAT_H
#define RXP_COMPAT_H

#include <rxp_config.h>
#include <infiniband/driver.h>

static inline int rxp_cmd_get_context(struct verbs_context *ctx,
				      struct ibv_get_context *cmd,
				      size_t cmd_size,
				      struct ib_uverbs_get_context_resp *resp,
				      size_t resp_size)
{
#ifdef RXP_HAVE_GET_CONTEXT_FD_ARR
	/* no file descriptors to hand over */
	return ibv_cmd_get_context(ctx, cmd, cmd_size, NULL, resp, resp_size);
#else
	return ibv_cmd_get_context(ctx, cmd, cmd_size, resp, resp_size);
#endif
}

static inline int rxp_cmd_create_cq_ex(struct ibv_context *ctx,
				       const struct ibv_cq_init_attr_ex *attr,
				       struct verbs_cq *cq,
				       struct ibv_create_cq_ex *cmd,
				       size_t cmd_size,
				       struct ib_uverbs_ex_create_cq_resp *resp,
				       size_t resp_size)
{
#ifdef RXP_HAVE_CREATE_CQ_EX_PROV_ATTR
	/* the kernel allocates the ring: no buffer of ours to describe */
	return ibv_cmd_create_cq_ex(ctx, attr, NULL, cq, cmd, cmd_size, resp,
				    resp_size, 0);
#else
	return ibv_cmd_create_cq_ex(ctx, attr, cq, cmd, cmd_size, resp,
				    resp_size, 0);
#endif
}

static inline int rxp_cmd_create_qp_ex2(struct ibv_context *ctx,
					struct verbs_qp *qp,
					struct ibv_qp_init_attr_ex *attr,
					struct ibv_create_qp_ex *cmd,
					size_t cmd_size,
					struct ib_uverbs_ex_create_qp_resp *resp,
					size_t resp_size)
{
#ifdef RXP_HAVE_CREATE_QP_EX2_DRIVER_BUF
	/* no driver attributes beyond the command's own */
	return ibv_cmd_create_qp_ex2(ctx, qp, attr, cmd, cmd_size, resp,
				     resp_size, NULL);
#else
	return ibv_cmd_create_qp_ex2(ctx, qp, attr, cmd, cmd_size, resp,
				     resp_size);
#endif
}

/*
 * FLUSH through ibv_qp_ex: only where the libibverbs we run with knows it
 * (its struct ibv_qp_ex has wr_flush; bookworm's does not).
 */
#ifdef RXP_HAVE_QP_EX_WR_FLUSH
#define RXP_QP_EX_WITH_FLUSH IBV_QP_EX_WITH_FLUSH
#else
#define RXP_QP_EX_WITH_FLUSH 0
#endif

#endif /* RXP_COMPAT_H */
