// SPDX-License-Identifier: GPL-2.0
/* User CQ resize is ib_device_ops.resize_user_cq (was resize_cq). */
#include <rdma/ib_verbs.h>

static int conftest_resize(struct ib_cq *cq, unsigned int cqe, struct ib_udata *udata)
{
	return 0;
}

const struct ib_device_ops conftest_ops = {
	.resize_user_cq = conftest_resize,
};
