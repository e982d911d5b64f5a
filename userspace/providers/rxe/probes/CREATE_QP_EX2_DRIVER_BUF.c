// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ibv_cmd_create_qp_ex2() takes a driver command buffer (rdma-core 58+). */
#include <infiniband/driver.h>

int probe(struct ibv_context *ctx, struct verbs_qp *qp,
	  struct ibv_qp_init_attr_ex *attr, struct ibv_create_qp_ex *cmd,
	  struct ib_uverbs_ex_create_qp_resp *resp);
int probe(struct ibv_context *ctx, struct verbs_qp *qp,
	  struct ibv_qp_init_attr_ex *attr, struct ibv_create_qp_ex *cmd,
	  struct ib_uverbs_ex_create_qp_resp *resp)
{
	struct ibv_command_buffer *driver = NULL;

	return ibv_cmd_create_qp_ex2(ctx, qp, attr, cmd, sizeof(*cmd), resp,
				     sizeof(*resp), driver);
}
