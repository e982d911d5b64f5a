// SPDX-License-Identifier: GPL-2.0
/*
 * rxe_ah.c - address handles and address vectors.
 *
 * An address vector (struct rxe_av of <rdma/rdma_user_rxe.h>) is what the
 * send path needs to address a RoCEv2 packet: source and destination GIDs
 * as IP addresses, the destination MAC and the GRH fields. AHs and
 * connected QPs (their path, at RTR) both hold one. User AHs get a number
 * that user space puts in its UD work requests (rxe_create_ah_resp).
 */
#include <rdma/ib_addr.h>
#include <rdma/ib_cache.h>

#include "rxe.h"

static struct rxe_ah *to_rah(struct ib_ah *ibah)
{
	return container_of(ibah, struct rxe_ah, ibah);
}

/**
 * rxe_av_from_attr() - build an address vector.
 * @av: the vector to fill.
 * @attr: the address, with a GRH (RoCE addresses are GIDs).
 * @sgid_attr: the source GID's attributes (the core's, valid for the call).
 *
 * Return: 0, or -EINVAL without a GRH or for a GID that is not RoCE v2.
 */
int rxe_av_from_attr(struct rxe_av *av, const struct rdma_ah_attr *attr,
		     const struct ib_gid_attr *sgid_attr)
{
	const struct ib_global_route *grh = rdma_ah_read_grh(attr);

	if (!(rdma_ah_get_ah_flags(attr) & IB_AH_GRH) || !sgid_attr)
		return -EINVAL;

	memset(av, 0, sizeof(*av));
	av->port_num = rdma_ah_get_port_num(attr);
	memcpy(av->dmac, attr->roce.dmac, ETH_ALEN);
	memcpy(av->grh.dgid.raw, grh->dgid.raw, sizeof(av->grh.dgid.raw));
	av->grh.flow_label = grh->flow_label;
	av->grh.sgid_index = grh->sgid_index;
	av->grh.hop_limit = grh->hop_limit;
	av->grh.traffic_class = grh->traffic_class;

	switch (rdma_gid_attr_network_type(sgid_attr)) {
	case RDMA_NETWORK_IPV4:
		av->network_type = RXE_NETWORK_TYPE_IPV4;
		break;
	case RDMA_NETWORK_IPV6:
		av->network_type = RXE_NETWORK_TYPE_IPV6;
		break;
	default:
		return -EINVAL;		/* RoCE v1 GIDs are not ours */
	}
	rdma_gid2ip((struct sockaddr *)&av->sgid_addr, &sgid_attr->gid);
	rdma_gid2ip((struct sockaddr *)&av->dgid_addr, &grh->dgid);
	return 0;
}

/**
 * rxe_ah_read_av() - copy the address vector of a user AH, by number.
 * @rxe: the device.
 * @ah_num: the number from rxe_create_ah_resp.
 * @av: where the vector is copied.
 *
 * Safe in any context: the published copy is freed after an RCU grace
 * period, so a concurrent destroy cannot pull it away mid-copy.
 *
 * Return: 0, or -ENOENT when no AH has this number.
 */
int rxe_ah_read_av(struct rxe_dev *rxe, u32 ah_num, struct rxe_av *av)
{
	struct rxe_ah_pub *pub;
	int err = -ENOENT;

	rcu_read_lock();
	pub = xa_load(&rxe->ah_xa, ah_num);
	if (pub) {
		*av = pub->av;
		err = 0;
	}
	rcu_read_unlock();
	return err;
}

/**
 * rxe_ah_create() - create_ah verb.
 * @ibah: the core's AH, embedded in our struct rxe_ah.
 * @init: the address and its source GID attributes.
 * @udata: the user's response buffer (may be short: older providers put
 *	the address itself in their work requests), or NULL.
 *
 * Return: 0, -EINVAL for an address we cannot send to, -ENOMEM, -EFAULT.
 */
int rxe_ah_create(struct ib_ah *ibah, struct rdma_ah_init_attr *init,
		  struct ib_udata *udata)
{
	struct rxe_dev *rxe = to_rdev(ibah->device);
	struct rxe_ah *ah = to_rah(ibah);
	struct rxe_create_ah_resp resp = {};
	u32 num;
	int err;

	gfp_t gfp = init->flags & RDMA_CREATE_AH_SLEEPABLE ? GFP_KERNEL : GFP_ATOMIC;

	err = rxe_av_from_attr(&ah->av, init->ah_attr, init->ah_attr->grh.sgid_attr);
	if (err) {
		ibdev_dbg(ibah->device, "create_ah: unusable address\n");
		return err;
	}

	/* Lookups by number read this copy, which outlives the AH by a grace period. */
	ah->pub = kmalloc(sizeof(*ah->pub), gfp);
	if (!ah->pub)
		return -ENOMEM;
	ah->pub->av = ah->av;

	err = rxe_xa_reserve(&rxe->ah_xa, &num, XA_LIMIT(1, RXE_MAX_AH),
			     &rxe->ah_next, gfp);
	if (err)
		goto err_free;
	ah->num = num;

	if (udata && udata->outlen >= sizeof(resp)) {
		resp.ah_num = num;
		err = ib_copy_to_udata(udata, &resp, sizeof(resp));
		if (err)
			goto err_erase;
	}
	xa_store(&rxe->ah_xa, num, ah->pub, gfp);	/* slot reserved: cannot fail */
	return 0;

err_erase:
	xa_erase(&rxe->ah_xa, num);
err_free:
	kfree(ah->pub);
	return err;
}

/**
 * rxe_ah_query() - query_ah verb.
 * @ibah: the AH.
 * @attr: filled with the address.
 *
 * Return: 0.
 */
int rxe_ah_query(struct ib_ah *ibah, struct rdma_ah_attr *attr)
{
	struct rxe_ah *ah = to_rah(ibah);

	memset(attr, 0, sizeof(*attr));
	attr->type = ibah->type;
	rdma_ah_set_port_num(attr, ah->av.port_num);
	rdma_ah_set_grh(attr, (union ib_gid *)ah->av.grh.dgid.raw, ah->av.grh.flow_label,
			ah->av.grh.sgid_index, ah->av.grh.hop_limit,
			ah->av.grh.traffic_class);
	memcpy(attr->roce.dmac, ah->av.dmac, ETH_ALEN);
	return 0;
}

/**
 * rxe_ah_destroy() - destroy_ah verb; any context.
 * @ibah: the AH.
 * @flags: RDMA_DESTROY_AH_SLEEPABLE or 0 (nothing here sleeps).
 *
 * Return: 0.
 */
int rxe_ah_destroy(struct ib_ah *ibah, u32 flags)
{
	struct rxe_ah *ah = to_rah(ibah);

	xa_erase(&to_rdev(ibah->device)->ah_xa, ah->num);
	kfree_rcu(ah->pub, rcu);
	return 0;
}
