// SPDX-License-Identifier: GPL-2.0
/* The core dispatches port state events from netdev events itself. */
#include <rdma/ib_verbs.h>

void conftest_port_event(struct ib_device *ibdev, struct net_device *ndev);
void conftest_port_event(struct ib_device *ibdev, struct net_device *ndev)
{
	ib_dispatch_port_state_event(ibdev, ndev);
}
