// SPDX-License-Identifier: GPL-2.0
/*
 * rxe_verbs.c - verbs entry points of rdma_rxe and its ib_device_ops.
 *
 * Verbs with a file of their own (CQ, MR, QP) are only named in the ops
 * table here.
 */
#include <net/addrconf.h>
#include <rdma/ib_mad.h>
#include <rdma/ib_verbs.h>

#include "rxe.h"

static int rxe_query_device(struct ib_device *ibdev, struct ib_device_attr *attr,
			    struct ib_udata *udata)
{
	if (udata && (udata->inlen || udata->outlen)) {
		ibdev_dbg(ibdev, "query_device: unexpected driver data\n");
		return -EINVAL;
	}

	*attr = to_rdev(ibdev)->attr;
	return 0;
}

static int rxe_query_port(struct ib_device *ibdev, u32 port_num,
			  struct ib_port_attr *attr)
{
	struct rxe_dev *rxe = to_rdev(ibdev);

	/* The core has zeroed @attr. */
	attr->state = rxe_net_port_state(rxe);
	attr->phys_state = attr->state == IB_PORT_ACTIVE ?
			   IB_PORT_PHYS_STATE_LINK_UP : IB_PORT_PHYS_STATE_DISABLED;
	attr->max_mtu = IB_MTU_4096;
	attr->active_mtu = rxe_net_active_mtu(rxe);
	attr->gid_tbl_len = RXE_PORT_GID_TBL_LEN;
	attr->port_cap_flags = IB_PORT_CM_SUP | IB_PORT_DEVICE_MGMT_SUP |
			       IB_PORT_VENDOR_CLASS_SUP;
	attr->max_msg_sz = RXE_MAX_MSG_SIZE;
	attr->bad_pkey_cntr = 0;
	attr->qkey_viol_cntr = 0;
	attr->pkey_tbl_len = RXE_MAX_PKEYS;
	attr->lid = 0;
	attr->sm_lid = 0;
	attr->lmc = 0;
	attr->max_vl_num = 1;
	attr->sm_sl = 0;
	attr->subnet_timeout = 0;
	attr->init_type_reply = 0;

	return ib_get_eth_speed(ibdev, port_num, &attr->active_speed,
				&attr->active_width);
}

static int rxe_query_pkey(struct ib_device *ibdev, u32 port_num, u16 index,
			  u16 *pkey)
{
	if (index >= RXE_MAX_PKEYS)
		return -EINVAL;

	*pkey = RXE_DEFAULT_PKEY;
	return 0;
}

static int rxe_get_port_immutable(struct ib_device *ibdev, u32 port_num,
				  struct ib_port_immutable *immutable)
{
	struct ib_port_attr attr = {};
	int err;

	/* RoCEv2: MADs and the CM over QP1 (GSI), Ethernet address handles. */
	immutable->core_cap_flags = RDMA_CORE_PORT_IBA_ROCE_UDP_ENCAP;

	err = ib_query_port(ibdev, port_num, &attr);
	if (err)
		return err;

	immutable->pkey_tbl_len = attr.pkey_tbl_len;
	immutable->gid_tbl_len = attr.gid_tbl_len;
	immutable->max_mad_size = IB_MGMT_MAD_SIZE;
	return 0;
}

static enum rdma_link_layer rxe_get_link_layer(struct ib_device *ibdev,
					       u32 port_num)
{
	return IB_LINK_LAYER_ETHERNET;
}

static int rxe_alloc_ucontext(struct ib_ucontext *ibuc, struct ib_udata *udata)
{
	return 0;
}

static void rxe_dealloc_ucontext(struct ib_ucontext *ibuc)
{
}

/*
 * A device going away (its netdev deleted, `rdma link delete`, rmmod)
 * does not wait for the processes using it: the core destroys their
 * objects and sends them IB_EVENT_DEVICE_FATAL. Nothing else of ours is
 * attached to them: ring pages a process still maps hold a page
 * reference each (remap_vmalloc_range()) and are freed when it unmaps.
 */
static void rxe_disassociate_ucontext(struct ib_ucontext *ibuc)
{
}

static int rxe_alloc_pd(struct ib_pd *ibpd, struct ib_udata *udata)
{
	return 0;
}

static int rxe_dealloc_pd(struct ib_pd *ibpd, struct ib_udata *udata)
{
	return 0;
}

/* The core shares an XRCD by inode and counts its SRQs and target QPs. */
static int rxe_alloc_xrcd(struct ib_xrcd *ibxrcd, struct ib_udata *udata)
{
	to_rxrcd(ibxrcd)->is_user = !!udata;
	return 0;
}

static int rxe_dealloc_xrcd(struct ib_xrcd *ibxrcd, struct ib_udata *udata)
{
	return 0;
}

/*
 * Names of enum rxe_counter, then of the ODP core's counters (enum
 * rdma_odp_stat), as `rdma statistic` and sysfs show them.
 */
#define RXE_STATS_NUM	(RXE_CNT_NUM + RDMA_ODP_STAT_MAX)
static const struct rdma_stat_desc rxe_counter_desc[RXE_STATS_NUM] = {
	[RXE_CNT_SENT_PKTS]		= { .name = "sent_pkts" },
	[RXE_CNT_RCVD_PKTS]		= { .name = "rcvd_pkts" },
	[RXE_CNT_DROP_HDR]		= { .name = "rcvd_bad_header" },
	[RXE_CNT_DROP_ICRC]		= { .name = "rcvd_icrc_err" },
	[RXE_CNT_DROP_QP]		= { .name = "rcvd_no_qp" },
	[RXE_CNT_DUP_REQ]		= { .name = "duplicate_request" },
	[RXE_CNT_SEQ_ERR_SENT]		= { .name = "out_of_seq_request" },
	[RXE_CNT_SEQ_ERR_RCVD]		= { .name = "rcvd_seq_err" },
	[RXE_CNT_RNR_SENT]		= { .name = "send_rnr_err" },
	[RXE_CNT_RNR_RCVD]		= { .name = "rcvd_rnr_err" },
	[RXE_CNT_RETRANS_TIMEOUT]	= { .name = "retrans_timeout" },
	[RXE_CNT_RETRY_EXCEEDED]	= { .name = "retry_exceeded_err" },
	[RXE_CNT_RNR_RETRY_EXCEEDED]	= { .name = "retry_rnr_exceeded_err" },
	[RXE_CNT_SEND_ERR]		= { .name = "send_err" },
	[RXE_CNT_TEST_DROP]		= { .name = "test_dropped" },
	[RXE_CNT_MCAST_RCVD]		= { .name = "rcvd_mcast_pkts" },
	[RXE_CNT_NUM + RDMA_ODP_STAT_FAULTS]		= { .name = "odp_page_faults" },
	[RXE_CNT_NUM + RDMA_ODP_STAT_FAULT_PAGES]	= { .name = "odp_fault_pages" },
	[RXE_CNT_NUM + RDMA_ODP_STAT_FAULT_ERRORS]	= { .name = "odp_fault_errors" },
	[RXE_CNT_NUM + RDMA_ODP_STAT_FAULTS_BUSY]	= { .name = "odp_faults_busy" },
	[RXE_CNT_NUM + RDMA_ODP_STAT_INVALIDATIONS]	= { .name = "odp_invalidations" },
	[RXE_CNT_NUM + RDMA_ODP_STAT_INVALIDATED_PAGES]	= { .name = "odp_invalidated_pages" },
	[RXE_CNT_NUM + RDMA_ODP_STAT_PREFETCHES]	= { .name = "odp_prefetches" },
	[RXE_CNT_NUM + RDMA_ODP_STAT_PREFETCH_PAGES]	= { .name = "odp_prefetch_pages" },
	[RXE_CNT_NUM + RDMA_ODP_STAT_CHUNKS_ADDED]	= { .name = "odp_chunks_added" },
	[RXE_CNT_NUM + RDMA_ODP_STAT_CHUNKS_FREED]	= { .name = "odp_chunks_freed" },
	[RXE_CNT_NUM + RDMA_ODP_STAT_IMPLICIT_CHILDREN_ADDED] = { .name = "odp_implicit_children_added" },
	[RXE_CNT_NUM + RDMA_ODP_STAT_IMPLICIT_CHILDREN_FREED] = { .name = "odp_implicit_children_freed" },
};

static struct rdma_hw_stats *rxe_alloc_hw_port_stats(struct ib_device *ibdev, u32 port)
{
	return rdma_alloc_hw_stats_struct(rxe_counter_desc, RXE_STATS_NUM,
					  0);	/* always fresh: tests read them back to back */
}

static int rxe_get_hw_stats(struct ib_device *ibdev, struct rdma_hw_stats *stats,
			    u32 port, int index)
{
	struct rxe_dev *rxe = to_rdev(ibdev);
	int i;

	for (i = 0; i < RXE_CNT_NUM; i++)
		stats->value[i] = atomic64_read(&rxe->counters[i]);
	for (i = 0; i < RDMA_ODP_STAT_MAX; i++)
		stats->value[RXE_CNT_NUM + i] = atomic64_read(&rxe->odp_stats.v[i]);
	return RXE_STATS_NUM;
}

COMPAT_DEFINE_CREATE_CQ(rxe_create_cq_op, rxe_cq_create)
COMPAT_DEFINE_RESIZE_CQ(rxe_resize_cq_op, rxe_cq_resize)

COMPAT_DEFINE_REG_USER_MR(rxe_reg_user_mr_op, rxe_mr_reg_user)

static const struct ib_device_ops rxe_dev_ops = {
	.owner = THIS_MODULE,
	.driver_id = RDMA_DRIVER_RXE,
	.uverbs_abi_ver = RXE_UVERBS_ABI_VERSION,

	.dealloc_driver = rxe_dev_dealloc,
	.query_device = rxe_query_device,
	.query_port = rxe_query_port,
	.query_pkey = rxe_query_pkey,
	.get_port_immutable = rxe_get_port_immutable,
	.get_link_layer = rxe_get_link_layer,
	.alloc_ucontext = rxe_alloc_ucontext,
	.dealloc_ucontext = rxe_dealloc_ucontext,
	.disassociate_ucontext = rxe_disassociate_ucontext,
	.alloc_mw = rxe_mw_alloc,
	.dealloc_mw = rxe_mw_dealloc,
	.attach_mcast = rxe_mcast_attach,
	.create_ah = rxe_ah_create,
	.create_user_ah = rxe_ah_create,
	.query_ah = rxe_ah_query,
	.destroy_ah = rxe_ah_destroy,
	.alloc_pd = rxe_alloc_pd,
	.dealloc_pd = rxe_dealloc_pd,
	.alloc_xrcd = rxe_alloc_xrcd,
	.dealloc_xrcd = rxe_dealloc_xrcd,
	.create_qp = rxe_qp_create,
	.modify_qp = rxe_qp_modify,
	.query_qp = rxe_qp_query,
	.destroy_qp = rxe_qp_destroy,
	.detach_mcast = rxe_mcast_detach,
	.post_send = rxe_qp_post_send,
	.post_recv = rxe_qp_post_recv,
	.create_srq = rxe_srq_create,
	.modify_srq = rxe_srq_modify,
	.query_srq = rxe_srq_query,
	.destroy_srq = rxe_srq_destroy,
	.post_srq_recv = rxe_srq_post_recv,
	.create_cq = rxe_create_cq_op,
	.destroy_cq = rxe_cq_destroy,
	COMPAT_RESIZE_CQ_OP(rxe_resize_cq_op),
	.poll_cq = rxe_cq_poll,
	.req_notify_cq = rxe_cq_req_notify,
	.mmap = rxe_mmap,
	.mmap_free = rxe_mmap_free,
	.get_dma_mr = rxe_mr_get_dma,
	.alloc_mr = rxe_mr_alloc_fast,
	.map_mr_sg = rxe_mr_map_sg,
	.reg_user_mr = rxe_reg_user_mr_op,
	.dereg_mr = rxe_mr_dereg,
	.rereg_user_mr = rxe_mr_rereg_user,
	.advise_mr = rxe_odp_advise_mr,
	.fill_stat_mr_entry = rxe_odp_fill_stat_mr,
	.alloc_hw_port_stats = rxe_alloc_hw_port_stats,
	.get_hw_stats = rxe_get_hw_stats,

	INIT_RDMA_OBJ_SIZE(ib_ah, rxe_ah, ibah),
	INIT_RDMA_OBJ_SIZE(ib_mw, rxe_mw, ibmw),
	INIT_RDMA_OBJ_SIZE(ib_ucontext, rxe_ucontext, ibuc),
	INIT_RDMA_OBJ_SIZE(ib_pd, rxe_pd, ibpd),
	INIT_RDMA_OBJ_SIZE(ib_qp, rxe_qp, ibqp),
	INIT_RDMA_OBJ_SIZE(ib_cq, rxe_cq, ibcq),
	INIT_RDMA_OBJ_SIZE(ib_srq, rxe_srq, ibsrq),
	INIT_RDMA_OBJ_SIZE(ib_xrcd, rxe_xrcd, ibxrcd),
};

static void rxe_init_attrs(struct rxe_dev *rxe)
{
	struct ib_device_attr *attr = &rxe->attr;

	attr->vendor_id = RXE_VENDOR_ID;
	attr->vendor_part_id = RXE_VENDOR_PART_ID;
	attr->hw_ver = RXE_HW_VER;
	attr->fw_ver = 0;
	attr->sys_image_guid = rxe->ib_dev.node_guid;
	attr->max_mr_size = RXE_MAX_MR_SIZE;
	attr->page_size_cap = RXE_PAGE_SIZE_CAP;
	attr->max_qp = RXE_MAX_QP;
	attr->max_qp_wr = RXE_MAX_QP_WR;
	attr->max_send_sge = RXE_MAX_SGE;
	attr->max_recv_sge = RXE_MAX_SGE;
	attr->max_sge_rd = RXE_MAX_SGE_RD;
	attr->max_cq = RXE_MAX_CQ;
	attr->max_cqe = RXE_MAX_CQE;
	attr->max_mr = RXE_MAX_MR;
	attr->max_mw = RXE_MAX_MW;
	attr->max_pd = RXE_MAX_PD;
	attr->max_qp_rd_atom = RXE_MAX_QP_RD_ATOM;
	attr->max_qp_init_rd_atom = RXE_MAX_QP_RD_ATOM;
	attr->max_res_rd_atom = RXE_MAX_RES_RD_ATOM;
	attr->atomic_cap = IB_ATOMIC_HCA;
	attr->max_srq = RXE_MAX_SRQ;
	attr->max_srq_wr = RXE_MAX_SRQ_WR;
	attr->max_srq_sge = RXE_MAX_SGE;
	attr->max_ah = RXE_MAX_AH;
	attr->max_mcast_grp = RXE_MAX_MCAST_GRP;
	attr->max_mcast_qp_attach = RXE_MAX_MCAST_QP_ATTACH;
	attr->max_total_mcast_qp_attach = RXE_MAX_MCAST_GRP * RXE_MAX_MCAST_QP_ATTACH;
	attr->max_pkeys = RXE_MAX_PKEYS;
	attr->local_ca_ack_delay = 15;
	attr->max_fast_reg_page_list_len = RXE_MAX_FAST_REG_PAGES;
	attr->max_pi_fast_reg_page_list_len = 256;

	/* kernel ULPs may register with fast-reg MRs (alloc_mr, REG_MR) */
	attr->device_cap_flags |= IB_DEVICE_MEM_MGT_EXTENSIONS;
	/* memory windows of type 1 and 2B (rxe_mw.c) */
	attr->device_cap_flags |= IB_DEVICE_MEM_WINDOW | IB_DEVICE_MEM_WINDOW_TYPE_2B;
	/* XRC domains, SRQs and initiator/target QPs (rxe_srq.c, rxe_resp.c) */
	attr->device_cap_flags |= IB_DEVICE_XRC;
	/* modify_srq may change max_wr (rxe_srq.c) */
	attr->device_cap_flags |= IB_DEVICE_SRQ_RESIZE;
	/* FLUSH to global visibility; persistent only on persistent memory */
	attr->device_cap_flags |= COMPAT_DEVICE_FLUSH_CAPS;
	/* Users may delete the device with `rdma link delete`. */
	attr->kernel_cap_flags = IBK_ALLOW_USER_UNREG;

	/* on-demand paging (rxe_odp.c) for everything that touches memory */
	attr->kernel_cap_flags |= IBK_ON_DEMAND_PAGING;
	attr->odp_caps.general_caps = IB_ODP_SUPPORT | IB_ODP_SUPPORT_IMPLICIT;
	attr->odp_caps.per_transport_caps.rc_odp_caps =
		IB_ODP_SUPPORT_SEND | IB_ODP_SUPPORT_RECV | IB_ODP_SUPPORT_WRITE |
		IB_ODP_SUPPORT_READ | IB_ODP_SUPPORT_ATOMIC | IB_ODP_SUPPORT_SRQ_RECV |
		COMPAT_ODP_SUPPORT_FLUSH_ATOMIC_WRITE;
	attr->odp_caps.per_transport_caps.uc_odp_caps =
		IB_ODP_SUPPORT_SEND | IB_ODP_SUPPORT_RECV | IB_ODP_SUPPORT_WRITE |
		IB_ODP_SUPPORT_SRQ_RECV;
	attr->odp_caps.per_transport_caps.ud_odp_caps =
		IB_ODP_SUPPORT_SEND | IB_ODP_SUPPORT_RECV | IB_ODP_SUPPORT_SRQ_RECV;
	/* XRC's accesses are RC's (less FLUSH and ATOMIC WRITE), through SRQs */
	attr->odp_caps.per_transport_caps.xrc_odp_caps =
		IB_ODP_SUPPORT_SEND | IB_ODP_SUPPORT_WRITE | IB_ODP_SUPPORT_READ |
		IB_ODP_SUPPORT_ATOMIC | IB_ODP_SUPPORT_SRQ_RECV;
}

/**
 * rxe_verbs_init_device() - fill in the core device before registration:
 * identity, ops table and attributes.
 * @rxe: the device, its @ndev set.
 */
void rxe_verbs_init_device(struct rxe_dev *rxe)
{
	struct ib_device *ibdev = &rxe->ib_dev;

	/* EUI-64 from the netdev's MAC, as RoCE GUIDs are formed. */
	addrconf_addr_eui48((unsigned char *)&ibdev->node_guid, rxe->ndev->dev_addr);
	strscpy(ibdev->node_desc, "rxe", sizeof(ibdev->node_desc));

	ibdev->node_type = RDMA_NODE_IB_CA;
	ibdev->phys_port_cnt = 1;
	ibdev->num_comp_vectors = num_possible_cpus();
	ibdev->local_dma_lkey = 0;
	ib_set_device_ops(ibdev, &rxe_dev_ops);
	/*
	 * Write commands beyond the core's default set: arming a CQ, and the
	 * zero-WR post_send the provider uses as the send queue's doorbell.
	 */
	ibdev->uverbs_cmd_mask |= BIT_ULL(IB_USER_VERBS_CMD_REQ_NOTIFY_CQ) |
				  BIT_ULL(IB_USER_VERBS_CMD_POST_SEND);

	rxe_init_attrs(rxe);
	xa_init_flags(&rxe->mr_xa, XA_FLAGS_ALLOC1);
	xa_init_flags(&rxe->qp_xa, XA_FLAGS_ALLOC);
	xa_init_flags(&rxe->ah_xa, XA_FLAGS_ALLOC1);
	xa_init_flags(&rxe->mw_xa, XA_FLAGS_ALLOC);
	xa_init_flags(&rxe->srq_xa, XA_FLAGS_ALLOC);
	rxe_mcast_init(rxe);
	rxe->reported_port_state = rxe_net_port_state(rxe);
}
