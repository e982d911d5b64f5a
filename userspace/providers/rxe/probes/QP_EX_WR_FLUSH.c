// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* struct ibv_qp_ex has wr_flush (the installed libibverbs is 45 or newer). */
#include <infiniband/verbs.h>

void probe(struct ibv_qp_ex *qp);
void probe(struct ibv_qp_ex *qp)
{
	qp->wr_flush = NULL;
	qp->wr_id = IBV_QP_EX_WITH_FLUSH | IBV_WR_FLUSH;
}
