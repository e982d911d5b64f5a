// SPDX-License-Identifier: GPL-2.0
/* rdma_link_ops has a dellink hook (nldev calls it before unregistering). */
#include <rdma/rdma_netlink.h>

static int conftest_dellink(struct ib_device *dev)
{
	return 0;
}

struct rdma_link_ops conftest_link_ops = {
	.dellink = conftest_dellink,
};
