// SPDX-License-Identifier: GPL-2.0
/* ib_device_ops.create_cq takes a uverbs_attr_bundle (6.12+), not a udata. */
#include <rdma/ib_verbs.h>

static int conftest_create_cq(struct ib_cq *cq, const struct ib_cq_init_attr *attr,
			      struct uverbs_attr_bundle *attrs)
{
	return 0;
}

const struct ib_device_ops conftest_ops = {
	.create_cq = conftest_create_cq,
};
