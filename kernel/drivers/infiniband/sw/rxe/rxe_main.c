// SPDX-License-Identifier: GPL-2.0
/*
 * rxe_main.c - module and device lifecycle of rdma_rxe.
 *
 * A device is born from `rdma link add NAME type rxe netdev DEV`
 * (rxe_dev_newlink()) and dies from `rdma link delete`, from its netdev
 * being unregistered (rxe_net.c) or from module unload
 * (ib_unregister_driver()). In every case the core calls
 * rxe_dev_dealloc() once the last user has left, and frees the memory.
 */
#include <linux/module.h>
#include <linux/mutex.h>
#include <rdma/rdma_netlink.h>

#include "rxe.h"

MODULE_AUTHOR("rxe-odp developers");
MODULE_DESCRIPTION("Soft-RoCE (RoCEv2) RDMA device with on-demand paging");
MODULE_LICENSE("GPL");
MODULE_VERSION(RXE_DRV_VERSION);
MODULE_ALIAS_RDMA_LINK("rxe");

/*
 * Serialises newlink: the "one device per netdev" check and the
 * registration that makes the device findable must not interleave.
 */
static DEFINE_MUTEX(rxe_newlink_lock);

/**
 * rxe_dev_dealloc() - ib_device_ops.dealloc_driver: release what the
 * device holds; the core frees the structure itself afterwards.
 * @ibdev: the device, already unregistered (or never registered).
 */
void rxe_dev_dealloc(struct ib_device *ibdev)
{
	struct rxe_dev *rxe = to_rdev(ibdev);

	/* The core has destroyed every user object, MRs included. */
	WARN_ON(!xa_empty(&rxe->mr_xa));
	WARN_ON(!xa_empty(&rxe->qp_xa));
	WARN_ON(!xa_empty(&rxe->ah_xa));
	WARN_ON(!xa_empty(&rxe->mw_xa));
	xa_destroy(&rxe->mr_xa);
	xa_destroy(&rxe->qp_xa);
	xa_destroy(&rxe->ah_xa);
	xa_destroy(&rxe->mw_xa);
	xa_destroy(&rxe->srq_xa);
	rxe_mcast_cleanup(rxe);
	netdev_put(rxe->ndev, &rxe->ndev_tracker);
}

static int rxe_dev_register(struct rxe_dev *rxe, const char *ibdev_name)
{
	int err;

	err = ib_device_set_netdev(&rxe->ib_dev, rxe->ndev, RXE_PORT);
	if (err)
		return err;

	/* No DMA device: a software device uses the core's virtual DMA. */
	return ib_register_device(&rxe->ib_dev, ibdev_name, NULL);
}

/**
 * rxe_dev_newlink() - rdma_link_ops.newlink: create a device on @ndev.
 * @ibdev_name: the name the user asked for.
 * @ndev: the netdev to run on (the caller holds a reference).
 *
 * Return: 0, -EEXIST if @ndev already has an rxe device, -ENOMEM, or the
 * core's error from registration (-ENFILE/-EEXIST for a taken name).
 */
int rxe_dev_newlink(const char *ibdev_name, struct net_device *ndev)
{
	struct ib_device *other;
	struct rxe_dev *rxe;
	int err;

	mutex_lock(&rxe_newlink_lock);

	other = ib_device_get_by_netdev(ndev, RDMA_DRIVER_RXE);
	if (other) {
		ibdev_dbg(other, "netdev %s already has this device\n", netdev_name(ndev));
		ib_device_put(other);
		err = -EEXIST;
		goto out_unlock;
	}

	rxe = ib_alloc_device(rxe_dev, ib_dev);
	if (!rxe) {
		err = -ENOMEM;
		goto out_unlock;
	}
	rxe->ndev = ndev;
	netdev_hold(ndev, &rxe->ndev_tracker, GFP_KERNEL);
	rxe_verbs_init_device(rxe);

	err = rxe_dev_register(rxe, ibdev_name);
	if (err)
		ib_dealloc_device(&rxe->ib_dev);	/* calls rxe_dev_dealloc() */

out_unlock:
	mutex_unlock(&rxe_newlink_lock);
	return err;
}

static struct rdma_link_ops rxe_link_ops = {
	.type = "rxe",
	.newlink = rxe_dev_newlink,
};

static int __init rxe_module_init(void)
{
	int err;

	err = rxe_icrc_init();
	if (err)
		return err;
	err = rxe_net_init();
	if (err) {
		rxe_icrc_exit();
		return err;
	}

	rdma_link_register(&rxe_link_ops);
	return 0;
}

static void __exit rxe_module_exit(void)
{
	/* No new devices, then remove the existing ones (waits for users). */
	rdma_link_unregister(&rxe_link_ops);
	ib_unregister_driver(RDMA_DRIVER_RXE);
	rxe_net_exit();
	rxe_icrc_exit();
}

module_init(rxe_module_init);
module_exit(rxe_module_exit);
