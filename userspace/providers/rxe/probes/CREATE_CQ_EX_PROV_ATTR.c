// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ibv_cmd_create_cq_ex() takes provider attributes (rdma-core 58+). */
#include <infiniband/driver.h>

int probe(struct ibv_context *ctx, const struct ibv_cq_init_attr_ex *attr,
	  struct verbs_cq *cq, struct ib_uverbs_ex_create_cq_resp *resp);
int probe(struct ibv_context *ctx, const struct ibv_cq_init_attr_ex *attr,
	  struct verbs_cq *cq, struct ib_uverbs_ex_create_cq_resp *resp)
{
	struct verbs_create_cq_prov_attr *prov = NULL;

	return ibv_cmd_create_cq_ex(ctx, attr, prov, cq, NULL, 0, resp,
				    sizeof(*resp), 0);
}
