// SPDX-License-Identifier: GPL-2.0
/*
 * rxe_mcast.c - UD multicast (IBA 10.5): UD QPs attached to multicast
 * GIDs, the netdev joined to the matching IP group (IGMP or MLD) so that
 * the group's datagrams come in, and each one handed to every QP attached.
 *
 * A RoCEv2 multicast GID is the IP group address: IPv4-mapped
 * (::ffff:224.0.0.0/100) or IPv6 (ff00::/8). Senders need nothing from
 * here: an address handle to the group carries its multicast MAC (ib_core
 * resolves it) and the IP stack sends the datagram, looping a copy back
 * to this host when it is a member.
 *
 * Lock rules: rxe->mcg_mutex serialises attach and detach, and RTNL
 * nests inside it for the IPv4 join. A group's QP array changes under the
 * group's spinlock, which the receive path holds while it queues the
 * datagram to the QPs; that path finds the group under RCU, and a group
 * is freed only after a grace period. The array holds no QP references:
 * ib_core does not destroy a QP that is still attached.
 */
#include <linux/hashtable.h>
#include <linux/igmp.h>
#include <linux/inetdevice.h>
#include <linux/jhash.h>
#include <linux/rtnetlink.h>
#include <net/addrconf.h>
#include <net/ipv6.h>

#include "rxe.h"

/**
 * struct rxe_mcg - a multicast group with at least one QP attached.
 * @node: in rxe->mcg_table, hashed by @mgid.
 * @mgid: the group's GID.
 * @lock: protects @qps and @num_qps (taken with bottom halves off).
 * @num_qps: how many entries of @qps are in use.
 * @qps: the attached QPs, in no particular order.
 * @rcu: frees the group after the receive path is done with it.
 */
struct rxe_mcg {
	struct hlist_node node;
	union ib_gid mgid;
	spinlock_t lock;
	unsigned int num_qps;
	struct rxe_qp *qps[RXE_MAX_MCAST_QP_ATTACH];
	struct rcu_head rcu;
};

static u32 rxe_mcg_hash(const union ib_gid *mgid)
{
	return jhash(mgid->raw, sizeof(mgid->raw), 0);
}

/* Caller holds rcu_read_lock() or rxe->mcg_mutex. */
static struct rxe_mcg *rxe_mcg_find(struct rxe_dev *rxe, const union ib_gid *mgid)
{
	struct rxe_mcg *mcg;

	hash_for_each_possible_rcu(rxe->mcg_table, mcg, node, rxe_mcg_hash(mgid),
				   lockdep_is_held(&rxe->mcg_mutex))
		if (!memcmp(&mcg->mgid, mgid, sizeof(*mgid)))
			return mcg;
	return NULL;
}

/* Join (or leave) the IP multicast group of @mgid on the netdev. */
static int rxe_mcg_ip(struct rxe_dev *rxe, const union ib_gid *mgid, bool join)
{
	const struct in6_addr *addr = (const struct in6_addr *)mgid->raw;
	struct in_device *in_dev;
	int err = 0;

	rtnl_lock();
	if (!ipv6_addr_v4mapped(addr)) {
		err = join ? ipv6_dev_mc_inc(rxe->ndev, addr) :
			     ipv6_dev_mc_dec(rxe->ndev, addr);
	} else {
		in_dev = __in_dev_get_rtnl(rxe->ndev);
		if (!in_dev)
			err = -ENODEV;	/* no IPv4 on the netdev (any more) */
		else if (join)
			ip_mc_inc_group(in_dev, addr->s6_addr32[3]);
		else
			ip_mc_dec_group(in_dev, addr->s6_addr32[3]);
	}
	rtnl_unlock();
	return err;
}

static struct rxe_mcg *rxe_mcg_create(struct rxe_dev *rxe, const union ib_gid *mgid)
{
	struct rxe_mcg *mcg;
	int err;

	if (rxe->num_mcg >= RXE_MAX_MCAST_GRP)
		return ERR_PTR(-ENOMEM);
	mcg = kzalloc(sizeof(*mcg), GFP_KERNEL);
	if (!mcg)
		return ERR_PTR(-ENOMEM);
	mcg->mgid = *mgid;
	spin_lock_init(&mcg->lock);
	err = rxe_mcg_ip(rxe, mgid, true);
	if (err) {
		kfree(mcg);
		return ERR_PTR(err);
	}
	hash_add_rcu(rxe->mcg_table, &mcg->node, rxe_mcg_hash(mgid));
	rxe->num_mcg++;
	return mcg;
}

/* The last QP left: unpublish, leave the IP group, free after readers. */
static void rxe_mcg_destroy(struct rxe_dev *rxe, struct rxe_mcg *mcg)
{
	hash_del_rcu(&mcg->node);
	rxe->num_mcg--;
	rxe_mcg_ip(rxe, &mcg->mgid, false);	/* -ENODEV: the netdev lost IPv4 */
	kfree_rcu(mcg, rcu);
}

/* Index of @qp in @mcg->qps, or -1. Caller holds @mcg->lock. */
static int rxe_mcg_index(const struct rxe_mcg *mcg, const struct rxe_qp *qp)
{
	unsigned int i;

	for (i = 0; i < mcg->num_qps; i++)
		if (mcg->qps[i] == qp)
			return i;
	return -1;
}

/**
 * rxe_mcast_attach() - attach_mcast verb: deliver the group's datagrams
 * to a UD QP too. Attaching a QP twice is one attachment.
 * @ibqp: the QP (ib_core checked it is UD and @mgid is multicast).
 * @mgid: the group.
 * @mlid: unused on RoCE.
 *
 * Return: 0, -ENOMEM when the device's groups or the group's QPs are at
 * their limit, or the errno of joining the IP group.
 */
int rxe_mcast_attach(struct ib_qp *ibqp, union ib_gid *mgid, u16 mlid)
{
	struct rxe_dev *rxe = to_rdev(ibqp->device);
	struct rxe_qp *qp = to_rqp(ibqp);
	struct rxe_mcg *mcg;
	int err = 0;

	mutex_lock(&rxe->mcg_mutex);
	mcg = rxe_mcg_find(rxe, mgid);
	if (!mcg) {
		mcg = rxe_mcg_create(rxe, mgid);
		if (IS_ERR(mcg)) {
			err = PTR_ERR(mcg);
			goto out;
		}
	}
	spin_lock_bh(&mcg->lock);
	if (rxe_mcg_index(mcg, qp) < 0) {
		if (mcg->num_qps < ARRAY_SIZE(mcg->qps))
			mcg->qps[mcg->num_qps++] = qp;
		else
			err = -ENOMEM;
	}
	spin_unlock_bh(&mcg->lock);
out:
	mutex_unlock(&rxe->mcg_mutex);
	if (err)
		ibdev_dbg(&rxe->ib_dev, "QP %u: attach to %pI6 failed: %d\n",
			  ibqp->qp_num, mgid->raw, err);
	return err;
}

/**
 * rxe_mcast_detach() - detach_mcast verb.
 * @ibqp: the QP.
 * @mgid: a group it is attached to.
 * @mlid: unused on RoCE.
 *
 * Return: 0, or -EINVAL when @ibqp is not attached to @mgid.
 */
int rxe_mcast_detach(struct ib_qp *ibqp, union ib_gid *mgid, u16 mlid)
{
	struct rxe_dev *rxe = to_rdev(ibqp->device);
	struct rxe_mcg *mcg;
	int err = -EINVAL;
	int i;

	mutex_lock(&rxe->mcg_mutex);
	mcg = rxe_mcg_find(rxe, mgid);
	if (!mcg)
		goto out;
	spin_lock_bh(&mcg->lock);
	i = rxe_mcg_index(mcg, to_rqp(ibqp));
	if (i >= 0) {
		mcg->qps[i] = mcg->qps[--mcg->num_qps];
		err = 0;
	}
	spin_unlock_bh(&mcg->lock);
	if (!mcg->num_qps)
		rxe_mcg_destroy(rxe, mcg);
out:
	mutex_unlock(&rxe->mcg_mutex);
	return err;
}

/* The destination GID of a received packet: its IP destination. */
static void rxe_mcast_dgid(struct sk_buff *skb, union ib_gid *dgid)
{
	if (ip_hdr(skb)->version == 4)
		ipv6_addr_set_v4mapped(ip_hdr(skb)->daddr, (struct in6_addr *)dgid->raw);
	else
		memcpy(dgid->raw, &ipv6_hdr(skb)->daddr, sizeof(dgid->raw));
}

/**
 * rxe_mcast_rcv() - hand a datagram sent to QPN 0xFFFFFF to every QP
 * attached to its destination group (a clone to each but the last).
 * Datagrams of other transports or for a group nobody here is attached
 * to are dropped and counted as having no QP.
 * @rxe: the receiving device.
 * @skb: the packet, checked by rxe_rcv(); consumed.
 */
void rxe_mcast_rcv(struct rxe_dev *rxe, struct sk_buff *skb)
{
	struct rxe_pkt *pkt = rxe_pkt(skb);
	struct rxe_mcg *mcg;
	union ib_gid dgid;
	unsigned int i;

	if (RXE_OP_TRANSPORT(pkt->opcode) != RXE_OP_UD)
		goto drop;
	rxe_mcast_dgid(skb, &dgid);

	rcu_read_lock();
	mcg = rxe_mcg_find(rxe, &dgid);
	if (mcg) {
		spin_lock_bh(&mcg->lock);
		if (mcg->num_qps)
			rxe_count(rxe, RXE_CNT_MCAST_RCVD);
		for (i = 0; i < mcg->num_qps && skb; i++) {
			struct sk_buff *one = skb;

			if (i + 1 < mcg->num_qps)
				one = skb_clone(skb, GFP_ATOMIC);
			else
				skb = NULL;
			if (!one) {
				rxe_count(rxe, RXE_CNT_DROP_QP);
				continue;
			}
			skb_queue_tail(&mcg->qps[i]->rx_queue, one);
			rxe_qp_kick(mcg->qps[i]);
		}
		spin_unlock_bh(&mcg->lock);
	}
	rcu_read_unlock();
	if (!skb)
		return;
drop:
	rxe_count(rxe, RXE_CNT_DROP_QP);
	kfree_skb(skb);
}

/** rxe_mcast_init() - no groups yet. @rxe: the device being set up. */
void rxe_mcast_init(struct rxe_dev *rxe)
{
	mutex_init(&rxe->mcg_mutex);
	hash_init(rxe->mcg_table);
}

/**
 * rxe_mcast_cleanup() - free the groups of a device going away. There
 * are none: ib_core has detached every QP before it destroyed it.
 * @rxe: the device, unregistered.
 */
void rxe_mcast_cleanup(struct rxe_dev *rxe)
{
	struct hlist_node *tmp;
	struct rxe_mcg *mcg;
	unsigned int b;

	WARN_ON(rxe->num_mcg);
	hash_for_each_safe(rxe->mcg_table, b, tmp, mcg, node) {
		hash_del(&mcg->node);
		kfree(mcg);
	}
	mutex_destroy(&rxe->mcg_mutex);
}
