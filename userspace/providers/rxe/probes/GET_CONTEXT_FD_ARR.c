// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ibv_cmd_get_context() takes an array of file descriptors (rdma-core 58+). */
#include <infiniband/driver.h>

int probe(struct verbs_context *ctx, struct ibv_get_context *cmd,
	  struct ib_uverbs_get_context_resp *resp);
int probe(struct verbs_context *ctx, struct ibv_get_context *cmd,
	  struct ib_uverbs_get_context_resp *resp)
{
	struct ibv_fd_arr *fds = NULL;

	return ibv_cmd_get_context(ctx, cmd, sizeof(*cmd), fds, resp,
				   sizeof(*resp));
}
