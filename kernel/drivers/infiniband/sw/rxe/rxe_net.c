// SPDX-License-Identifier: GPL-2.0
/*
 * rxe_net.c - the netdev side of rdma_rxe: RoCEv2 packets in and out
 * over UDP port 4791, the port following the netdev's state and MTU, and
 * the device going away with its netdev.
 *
 * Receive: a UDP tunnel socket per address family (in the initial
 * network namespace) hands us every datagram for port 4791 in softirq
 * context; rxe_rcv() checks it and queues it to its QP's engine.
 * Send: the engine builds the packet from the BTH on; rxe_net_send()
 * adds UDP and IP headers and the ICRC and sends it through the IP
 * stack, or, for a destination on our own netdev (loopback), hands it
 * straight to rxe_rcv(), whose QP's engine may then run right there.
 */
#include <linux/hash.h>
#include <linux/random.h>
#include <linux/netdevice.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/udp.h>
#include <net/udp_tunnel.h>
#include <rdma/ib_addr.h>

#include "rxe.h"

/** rxe_wq - runs the QPs' engines (process context: faults may sleep). */
struct workqueue_struct *rxe_wq;

/*
 * Test hook: drop each packet we send with probability 1/N (0: none), so
 * that tests can prove retransmission on a wire that loses nothing,
 * loopback included. Random, not every Nth: a fixed period can line up
 * with a go-back-N round and drop the same packet of every retry.
 */
static unsigned int drop_tx_one_in;
module_param(drop_tx_one_in, uint, 0644);
MODULE_PARM_DESC(drop_tx_one_in, "test hook: drop one in N packets sent, at random (0: off)");

static struct socket *rxe_sock4;
static struct socket *rxe_sock6;

/**
 * rxe_net_alloc() - a packet buffer for one RoCEv2 packet.
 * @rxe: the sending device.
 * @av: where it goes (decides the IP version and so the headroom).
 * @opcode: the BTH opcode (decides the headers).
 * @paylen: payload bytes.
 *
 * The packet's view (rxe_pkt()) is set up; the caller fills in the BTH
 * fields other than the opcode, pad and P_Key, the extension headers and
 * the payload.
 *
 * Return: the buffer, its data starting at the BTH, or NULL.
 */
struct sk_buff *rxe_net_alloc(struct rxe_dev *rxe, const struct rxe_av *av,
			      u8 opcode, u32 paylen)
{
	struct net_device *ndev = rxe->ndev;
	unsigned int ip_len = av->network_type == RXE_NETWORK_TYPE_IPV6 ?
			      sizeof(struct ipv6hdr) : sizeof(struct iphdr);
	unsigned int head = LL_RESERVED_SPACE(ndev) + ip_len + sizeof(struct udphdr);
	unsigned int pad = -paylen & 3;
	unsigned int len = rxe_opinfo[opcode].hdr_len + paylen + pad + RXE_ICRC_SIZE;
	struct rxe_pkt *pkt;
	struct sk_buff *skb;

	skb = alloc_skb(head + len + ndev->needed_tailroom, GFP_KERNEL | __GFP_NOWARN);
	if (!skb)
		return NULL;
	skb_reserve(skb, head);
	skb->dev = ndev;
	skb->protocol = htons(ip_len == sizeof(struct iphdr) ? ETH_P_IP : ETH_P_IPV6);

	pkt = rxe_pkt(skb);
	memset(pkt, 0, sizeof(*pkt));
	pkt->rxe = rxe;
	pkt->hdr = skb_put_zero(skb, len);
	pkt->opcode = opcode;
	pkt->mask = rxe_opinfo[opcode].mask;
	pkt->paylen = paylen;
	rxe_bth(pkt)->opcode = opcode;
	rxe_bth(pkt)->flags = pad << RXE_BTH_PAD_SHIFT | RXE_BTH_TVER;
	rxe_bth(pkt)->pkey = cpu_to_be16(RXE_DEFAULT_PKEY);
	return skb;
}

static void rxe_net_push_udp(struct sk_buff *skb, u16 src_port)
{
	struct udphdr *uh;

	uh = skb_push(skb, sizeof(*uh));
	skb_reset_transport_header(skb);
	uh->source = htons(src_port);
	uh->dest = htons(RXE_UDP_PORT);
	uh->len = htons(skb->len);
	uh->check = 0;		/* the ICRC protects the packet */
}

/*
 * The route to the destination of @av, set as @skb's dst: only for a
 * packet that leaves through the IP stack (one to our own device skips it).
 */
static int rxe_net_route(struct rxe_dev *rxe, const struct rxe_av *av, struct sk_buff *skb)
{
	struct dst_entry *dst;

	if (av->network_type == RXE_NETWORK_TYPE_IPV6) {
		struct flowi6 fl6 = {
			.flowi6_oif = rxe->ndev->ifindex,
			.flowi6_proto = IPPROTO_UDP,
			.saddr = av->sgid_addr._sockaddr_in6.sin6_addr,
			.daddr = av->dgid_addr._sockaddr_in6.sin6_addr,
		};

		if (!rxe_sock6)
			return -EAFNOSUPPORT;
		dst = ip6_dst_lookup_flow(dev_net(rxe->ndev), rxe_sock6->sk, &fl6, NULL);
	} else {
		struct flowi4 fl4 = {
			.flowi4_oif = rxe->ndev->ifindex,
			.flowi4_proto = IPPROTO_UDP,
			.saddr = av->sgid_addr._sockaddr_in.sin_addr.s_addr,
			.daddr = av->dgid_addr._sockaddr_in.sin_addr.s_addr,
		};
		struct rtable *rt = ip_route_output_key(dev_net(rxe->ndev), &fl4);

		dst = IS_ERR(rt) ? ERR_CAST(rt) : &rt->dst;
	}
	if (IS_ERR(dst))
		return PTR_ERR(dst);
	skb_dst_set(skb, dst);
	return 0;
}

static void rxe_net_push_ip4(struct rxe_dev *rxe, const struct rxe_av *av,
			     struct sk_buff *skb)
{
	struct iphdr *iph = skb_push(skb, sizeof(*iph));

	skb_reset_network_header(skb);
	iph->version = 4;
	iph->ihl = sizeof(*iph) / 4;
	iph->tos = av->grh.traffic_class;
	iph->tot_len = htons(skb->len);
	iph->frag_off = htons(IP_DF);
	iph->ttl = av->grh.hop_limit ? av->grh.hop_limit : 64;
	iph->protocol = IPPROTO_UDP;
	iph->saddr = av->sgid_addr._sockaddr_in.sin_addr.s_addr;
	iph->daddr = av->dgid_addr._sockaddr_in.sin_addr.s_addr;
	__ip_select_ident(dev_net(rxe->ndev), iph, 1);
	iph->check = 0;
	iph->check = ip_fast_csum(iph, iph->ihl);
}

static void rxe_net_push_ip6(const struct rxe_av *av, struct sk_buff *skb)
{
	struct ipv6hdr *ip6h = skb_push(skb, sizeof(*ip6h));

	skb_reset_network_header(skb);
	ip6_flow_hdr(ip6h, av->grh.traffic_class, htonl(av->grh.flow_label));
	ip6h->payload_len = htons(skb->len - sizeof(*ip6h));
	ip6h->nexthdr = IPPROTO_UDP;
	ip6h->hop_limit = av->grh.hop_limit ? av->grh.hop_limit : 64;
	ip6h->saddr = av->sgid_addr._sockaddr_in6.sin6_addr;
	ip6h->daddr = av->dgid_addr._sockaddr_in6.sin6_addr;
}

/**
 * rxe_net_send() - finish a packet from rxe_net_alloc() and send it.
 * @rxe: the sending device.
 * @av: the destination.
 * @skb: the packet, consumed in every case.
 * @src_port: the UDP source port.
 * @depth: for a packet looped back to our own device, the engine nesting
 *	its receiver would run at (see rxe_rcv()).
 *
 * Return: 0, or a negative errno when the packet could not be routed or
 * was dropped on the way out (the transport's retries cover it).
 */
int rxe_net_send(struct rxe_dev *rxe, const struct rxe_av *av,
		 struct sk_buff *skb, u16 src_port, int depth)
{
	struct rxe_pkt *pkt = rxe_pkt(skb);
	struct rxe_pkt view = *pkt;
	unsigned int one_in = READ_ONCE(drop_tx_one_in);
	bool local;
	int err;

	if (one_in && get_random_u32() % one_in == 0) {
		rxe_count(rxe, RXE_CNT_TEST_DROP);
		kfree_skb(skb);
		return 0;
	}
	local = ether_addr_equal(rxe->ndev->dev_addr, av->dmac);
	if (!local) {
		err = rxe_net_route(rxe, av, skb);
		if (err)
			goto drop;
	}
	rxe_net_push_udp(skb, src_port);
	if (av->network_type == RXE_NETWORK_TYPE_IPV6)
		rxe_net_push_ip6(av, skb);
	else
		rxe_net_push_ip4(rxe, av, skb);
	rxe_icrc_set(skb, &view);
	rxe_count(rxe, RXE_CNT_SENT_PKTS);

	if (local) {
		/*
		 * Ours: skip the IP stack, and so the route lookup and the dst
		 * it would allocate and free through RCU for every packet;
		 * arrive as if from the UDP socket.
		 */
		skb_pull(skb, skb_transport_offset(skb) + sizeof(struct udphdr));
		rxe_rcv(rxe, skb, depth);
		return 0;
	}

	memset(skb->cb, 0, sizeof(skb->cb));	/* our view is done with; IP owns cb now */
	if (av->network_type == RXE_NETWORK_TYPE_IPV6)
		err = ip6_local_out(dev_net(rxe->ndev), skb->sk, skb);
	else
		err = ip_local_out(dev_net(rxe->ndev), skb->sk, skb);
	err = net_xmit_eval(err);
	if (err)
		rxe_count(rxe, RXE_CNT_SEND_ERR);
	return err;

drop:
	rxe_count(rxe, RXE_CNT_SEND_ERR);
	kfree_skb(skb);
	return err;
}

/* encap_rcv of the UDP sockets: softirq, skb->data at the UDP header. */
static int rxe_net_encap_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct ib_device *ibdev;

	ibdev = ib_device_get_by_netdev(skb->dev, RDMA_DRIVER_RXE);
	if (!ibdev)
		goto drop;
	if (skb_linearize(skb) || skb->len < sizeof(struct udphdr)) {
		ib_device_put(ibdev);
		goto drop;
	}
	skb_pull(skb, sizeof(struct udphdr));
	rxe_rcv(to_rdev(ibdev), skb, RXE_RCV_ATOMIC);
	ib_device_put(ibdev);
	return 0;
drop:
	kfree_skb(skb);
	return 0;
}

static struct socket *rxe_net_sock_create(bool ipv6)
{
	struct udp_port_cfg cfg = {
		.family = ipv6 ? AF_INET6 : AF_INET,
		.ipv6_v6only = ipv6,
		.local_udp_port = htons(RXE_UDP_PORT),
	};
	struct udp_tunnel_sock_cfg tcfg = {
		.encap_type = 1,
		.encap_rcv = rxe_net_encap_rcv,
	};
	struct socket *sock;
	int err;

	err = udp_sock_create(&init_net, &cfg, &sock);
	if (err)
		return ERR_PTR(err);
	compat_setup_udp_tunnel_sock(&init_net, sock, &tcfg);
	return sock;
}

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
 * rxe_net_init() - open the RoCEv2 sockets, start the engine's workqueue
 * and follow netdev events.
 *
 * Return: 0, -EADDRINUSE when another RoCE driver holds UDP port 4791
 * (the in-tree rdma_rxe), -ENOMEM, or the notifier's error. The IPv6
 * socket is optional (IPv6 may be disabled).
 */
int rxe_net_init(void)
{
	int err;

	rxe_opinfo_init();
	rxe_wq = alloc_workqueue("rxe_odp_wq", WQ_UNBOUND | WQ_MEM_RECLAIM | WQ_HIGHPRI, 0);
	if (!rxe_wq)
		return -ENOMEM;

	rxe_sock4 = rxe_net_sock_create(false);
	if (IS_ERR(rxe_sock4)) {
		err = PTR_ERR(rxe_sock4);
		pr_info("rdma_rxe: cannot bind UDP port %d: %d\n", RXE_UDP_PORT, err);
		goto err_wq;
	}
	rxe_sock6 = rxe_net_sock_create(true);
	if (IS_ERR(rxe_sock6))
		rxe_sock6 = NULL;

	err = register_netdevice_notifier(&rxe_net_notifier);
	if (err)
		goto err_socks;
	return 0;

err_socks:
	if (rxe_sock6)
		compat_udp_tunnel_sock_release(rxe_sock6);
	compat_udp_tunnel_sock_release(rxe_sock4);
err_wq:
	destroy_workqueue(rxe_wq);
	return err;
}

/** rxe_net_exit() - undo rxe_net_init() (no device is left). */
void rxe_net_exit(void)
{
	unregister_netdevice_notifier(&rxe_net_notifier);
	if (rxe_sock6)
		compat_udp_tunnel_sock_release(rxe_sock6);
	compat_udp_tunnel_sock_release(rxe_sock4);
	destroy_workqueue(rxe_wq);
}
