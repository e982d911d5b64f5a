// SPDX-License-Identifier: GPL-2.0
/*
 * rxe_net.c - the netdev side of rdma_rxe: the port follows the netdev's
 * state and MTU, and the device goes away with its netdev.
 */
#include <linux/netdevice.h>
#include <rdma/ib_addr.h>

#include "rxe.h"

/**
 * rxe_net_port_state() - IB port state derived from the netdev.
 * @rxe: the device.
 *
 * Return: IB_PORT_ACTIVE when the netdev is up with carrier, else IB_PORT_DOWN.
 */
enum ib_port_state rxe_net_port_state(struct rxe_dev *rxe)
{
	return netif_running(rxe->ndev) && netif_carrier_ok(rxe->ndev) ?
		IB_PORT_ACTIVE : IB_PORT_DOWN;
}

/**
 * rxe_net_active_mtu() - the largest IB MTU whose RoCEv2 packets fit the
 * netdev's MTU.
 * @rxe: the device.
 *
 * Return: an IB MTU; IB_MTU_256 when the netdev's MTU is below that.
 */
enum ib_mtu rxe_net_active_mtu(struct rxe_dev *rxe)
{
	int mtu = iboe_get_mtu(READ_ONCE(rxe->ndev->mtu));

	return mtu ? mtu : IB_MTU_256;
}

static void rxe_net_report_port(struct rxe_dev *rxe)
{
	enum ib_port_state state = rxe_net_port_state(rxe);
	struct ib_event ev = {
		.device = &rxe->ib_dev,
		.element.port_num = RXE_PORT,
	};

	ASSERT_RTNL();
	if (state == rxe->reported_port_state)
		return;
	rxe->reported_port_state = state;

	ev.event = state == IB_PORT_ACTIVE ? IB_EVENT_PORT_ACTIVE : IB_EVENT_PORT_ERR;
	ib_dispatch_event(&ev);
}

/* Called with RTNL held, so events of one netdev arrive one at a time. */
static int rxe_net_event(struct notifier_block *nb, unsigned long event,
			 void *arg)
{
	struct net_device *ndev = netdev_notifier_info_to_dev(arg);
	struct ib_device *ibdev;

	ibdev = ib_device_get_by_netdev(ndev, RDMA_DRIVER_RXE);
	if (!ibdev)
		return NOTIFY_DONE;

	switch (event) {
	case NETDEV_UNREGISTER:
		/* The device cannot outlive its netdev. */
		ib_unregister_device_queued(ibdev);
		break;
	case NETDEV_UP:
	case NETDEV_DOWN:
	case NETDEV_CHANGE:
		if (!compat_core_reports_port_events())
			rxe_net_report_port(to_rdev(ibdev));
		break;
	default:
		/* MTU and address changes are read live by query_port. */
		break;
	}

	ib_device_put(ibdev);
	return NOTIFY_OK;
}

static struct notifier_block rxe_net_notifier = {
	.notifier_call = rxe_net_event,
};

/**
 * rxe_net_init() - start following netdev events.
 *
 * Return: 0 or the error of register_netdevice_notifier().
 */
int rxe_net_init(void)
{
	return register_netdevice_notifier(&rxe_net_notifier);
}

/** rxe_net_exit() - stop following netdev events. */
void rxe_net_exit(void)
{
	unregister_netdevice_notifier(&rxe_net_notifier);
}
