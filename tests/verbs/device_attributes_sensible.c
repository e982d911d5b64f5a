// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=rxe0 timeout=60
/*
 * ibv_query_device_ex and ibv_query_port report what a RoCEv2 software
 * device should: non-zero limits, atomic support, Ethernet link layer,
 * one port whose active MTU fits the netdev, a RoCEv2 GID for the netdev's
 * IPv4 address, and the default P_Key.
 */
#include <arpa/inet.h>

#include "rxe_test.h"

int main(void)
{
	struct ibv_device_attr_ex ex = {};
	struct ibv_device_attr *a = &ex.orig_attr;
	struct ibv_port_attr port;
	struct ibv_context *ctx;
	union ibv_gid gid;
	bool found_v4 = false;
	uint16_t pkey;
	int i;

	ctx = rt_open_dev();
	CHECK(ibv_query_device_ex(ctx, NULL, &ex) == 0);
	CHECK(a->phys_port_cnt == 1);
	CHECK(a->max_qp >= 1024 && a->max_qp_wr >= 1024);
	CHECK(a->max_cq >= 1024 && a->max_cqe >= 1024);
	CHECK(a->max_mr >= 1024 && a->max_pd >= 1024);
	CHECK(a->max_sge >= 16);
	CHECK(a->max_mr_size >= (1ULL << 40));
	CHECK(a->atomic_cap == IBV_ATOMIC_HCA);
	CHECK(a->max_qp_rd_atom > 0 && a->max_qp_init_rd_atom > 0);
	CHECK(a->node_guid != 0 && a->sys_image_guid == a->node_guid);
	CHECK(a->max_pkeys == 1);
	/* on-demand paging, for everything RC and UD do (the RC caps
	 * FLUSH and ATOMIC_WRITE exist only where the uAPI names them) */
	CHECK(ex.odp_caps.general_caps & IBV_ODP_SUPPORT);
	CHECK((ex.odp_caps.per_transport_caps.rc_odp_caps & 0x3f) == 0x3f);
	CHECK((ex.odp_caps.per_transport_caps.ud_odp_caps & 0x23) == 0x23);
	rt_note("max_qp %d max_cqe %d max_mr_size %#llx", a->max_qp, a->max_cqe,
		(unsigned long long)a->max_mr_size);

	CHECK(ibv_query_port(ctx, 1, &port) == 0);
	CHECK(port.state == IBV_PORT_ACTIVE);
	CHECK(port.link_layer == IBV_LINK_LAYER_ETHERNET);
	CHECK(port.max_mtu == IBV_MTU_4096);
	CHECK(port.active_mtu >= IBV_MTU_256 && port.active_mtu <= IBV_MTU_4096);
	CHECK(port.gid_tbl_len > 0 && port.pkey_tbl_len == 1);
	CHECK(port.lid == 0);

	CHECK(ibv_query_pkey(ctx, 1, 0, &pkey) == 0);
	CHECK(ntohs(pkey) == 0xffff);

	/* The IPv4 address appears as an IPv4-mapped GID (::ffff:a.b.c.d). */
	for (i = 0; i < port.gid_tbl_len && i < 16; i++) {
		if (ibv_query_gid(ctx, 1, i, &gid))
			continue;
		if (!memcmp(gid.raw, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) &&
		    !memcmp(gid.raw + 12, "\xc0\x00\x02\x01", 4))
			found_v4 = true;
	}
	CHECK(found_v4);

	CHECK(ibv_close_device(ctx) == 0);
	return 0;
}
