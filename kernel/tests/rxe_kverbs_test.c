// SPDX-License-Identifier: GPL-2.0
/*
 * rxe_kverbs_test.c - a kernel ULP in miniature, for the tests: on load it
 * drives an RDMA device through the kernel verbs that only kernel
 * consumers have (fast-reg MRs: alloc_mr, map_mr_sg, REG_MR and
 * LOCAL_INV work requests, SEND WITH INVALIDATE acting on them) between
 * two RC QPs of the device, checks data and statuses, and fails the load
 * (-EIO, the step in the kernel log) when something is wrong.
 *
 *   modprobe rxe_kverbs_test dev=rxe0
 */
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/scatterlist.h>
#include <rdma/ib_cache.h>
#include <rdma/ib_verbs.h>

static char *kt_dev = "rxe0";
module_param_named(dev, kt_dev, charp, 0444);
MODULE_PARM_DESC(dev, "RDMA device to test");

#define KT_LEN		6000	/* spans two pages from an unaligned start */
#define KT_OFF		100
#define KT_BUF		(3 * PAGE_SIZE)

struct kt {
	struct ib_device *dev;
	struct ib_pd *pd;
	struct ib_cq *cq;
	struct ib_qp *qa, *qb;	/* qa sends, qb owns the fast-reg MR */
	struct ib_mr *mr;
	u32 rkey;		/* of the last registration that succeeded */
	u8 *src, *dst, *back;
	int gid_index;
	u8 mac[ETH_ALEN];	/* of the GID's netdev: kernel AHs come resolved */
	const char *step;
};

static int kt_fail(struct kt *t, const char *why)
{
	pr_err("rxe_kverbs_test: FAIL at '%s': %s\n", t->step, why);
	return -EIO;
}

/* The next completion (5 s at most); -ETIMEDOUT if none. */
static int kt_poll(struct kt *t, struct ib_wc *wc)
{
	int i;

	for (i = 0; i < 5000; i++) {
		if (ib_poll_cq(t->cq, 1, wc) == 1)
			return 0;
		usleep_range(500, 1000);
	}
	return -ETIMEDOUT;
}

/* Poll one completion of @wr_id and check its status and opcode. */
static int kt_expect(struct kt *t, u64 wr_id, enum ib_wc_status status, int opcode)
{
	struct ib_wc wc;

	if (kt_poll(t, &wc))
		return kt_fail(t, "no completion");
	if (wc.wr_id != wr_id || wc.status != status ||
	    (status == IB_WC_SUCCESS && opcode >= 0 && wc.opcode != opcode)) {
		pr_err("rxe_kverbs_test: wr_id %llu status %d (%s) opcode %d; wanted %llu %d %d\n",
		       wc.wr_id, wc.status, ib_wc_status_msg(wc.status), wc.opcode,
		       wr_id, status, opcode);
		return kt_fail(t, "unexpected completion");
	}
	return 0;
}

static int kt_find_gid(struct kt *t)
{
	int i;

	for (i = 0; i < t->dev->port_data[1].immutable.gid_tbl_len; i++) {
		const struct ib_gid_attr *attr = rdma_get_gid_attr(t->dev, 1, i);
		bool v4;

		if (IS_ERR(attr))
			continue;
		v4 = attr->gid_type == IB_GID_TYPE_ROCE_UDP_ENCAP &&
		     ipv6_addr_v4mapped((struct in6_addr *)attr->gid.raw) &&
		     !rdma_read_gid_l2_fields(attr, NULL, t->mac);
		rdma_put_gid_attr(attr);
		if (v4) {
			t->gid_index = i;
			return 0;
		}
	}
	return -ENOENT;
}

/* RESET -> INIT -> RTR -> RTS, towards @peer on the same device. */
static int kt_connect_one(struct kt *t, struct ib_qp *qp, struct ib_qp *peer)
{
	struct ib_qp_attr a = {};
	union ib_gid gid;
	int err;

	a.qp_state = IB_QPS_RESET;
	err = ib_modify_qp(qp, &a, IB_QP_STATE);
	if (err)
		return err;
	a.qp_state = IB_QPS_INIT;
	a.port_num = 1;
	a.pkey_index = 0;
	a.qp_access_flags = IB_ACCESS_REMOTE_WRITE | IB_ACCESS_REMOTE_READ;
	err = ib_modify_qp(qp, &a, IB_QP_STATE | IB_QP_PKEY_INDEX | IB_QP_PORT |
			   IB_QP_ACCESS_FLAGS);
	if (err)
		return err;

	err = rdma_query_gid(t->dev, 1, t->gid_index, &gid);
	if (err)
		return err;
	memset(&a, 0, sizeof(a));
	a.qp_state = IB_QPS_RTR;
	a.path_mtu = IB_MTU_1024;
	a.dest_qp_num = peer->qp_num;
	a.rq_psn = 1000;
	a.max_dest_rd_atomic = 1;
	a.min_rnr_timer = 1;
	a.ah_attr.type = RDMA_AH_ATTR_TYPE_ROCE;
	rdma_ah_set_port_num(&a.ah_attr, 1);
	rdma_ah_set_grh(&a.ah_attr, &gid, 0, t->gid_index, 64, 0);
	memcpy(a.ah_attr.roce.dmac, t->mac, ETH_ALEN);
	err = ib_modify_qp(qp, &a, IB_QP_STATE | IB_QP_AV | IB_QP_PATH_MTU |
			   IB_QP_DEST_QPN | IB_QP_RQ_PSN | IB_QP_MAX_DEST_RD_ATOMIC |
			   IB_QP_MIN_RNR_TIMER);
	if (err)
		return err;

	memset(&a, 0, sizeof(a));
	a.qp_state = IB_QPS_RTS;
	a.sq_psn = 1000;
	a.timeout = 14;
	a.retry_cnt = 7;
	a.rnr_retry = 7;
	a.max_rd_atomic = 1;
	return ib_modify_qp(qp, &a, IB_QP_STATE | IB_QP_SQ_PSN | IB_QP_TIMEOUT |
			    IB_QP_RETRY_CNT | IB_QP_RNR_RETRY | IB_QP_MAX_QP_RD_ATOMIC);
}

static int kt_connect(struct kt *t)
{
	struct ib_wc wc;
	int err;

	err = kt_connect_one(t, t->qa, t->qb) ?: kt_connect_one(t, t->qb, t->qa);
	while (ib_poll_cq(t->cq, 1, &wc) == 1)
		;	/* flushed completions of the previous round */
	return err;
}

static int kt_post(struct kt *t, struct ib_qp *qp, struct ib_send_wr *wr)
{
	const struct ib_send_wr *bad;

	wr->send_flags |= IB_SEND_SIGNALED;
	return ib_post_send(qp, wr, &bad);
}

/* Register t->mr (pages of t->dst) on qb with the key byte @key. */
static int kt_fast_reg(struct kt *t, u8 key, enum ib_wc_status want)
{
	struct ib_reg_wr reg = {};
	struct scatterlist sg;
	int n;

	sg_init_one(&sg, t->dst + KT_OFF, KT_LEN);
	if (!ib_dma_map_sg(t->dev, &sg, 1, DMA_BIDIRECTIONAL))
		return kt_fail(t, "ib_dma_map_sg");
	n = ib_map_mr_sg(t->mr, &sg, 1, NULL, PAGE_SIZE);
	ib_dma_unmap_sg(t->dev, &sg, 1, DMA_BIDIRECTIONAL);
	if (n != 1)
		return kt_fail(t, "ib_map_mr_sg did not map the list");
	if (t->mr->length != KT_LEN)
		return kt_fail(t, "MR length after map_mr_sg");
	ib_update_fast_reg_key(t->mr, key);
	reg.wr.opcode = IB_WR_REG_MR;
	reg.wr.wr_id = 1;
	reg.mr = t->mr;
	reg.key = t->mr->rkey;
	reg.access = IB_ACCESS_LOCAL_WRITE | IB_ACCESS_REMOTE_WRITE | IB_ACCESS_REMOTE_READ;
	if (kt_post(t, t->qb, &reg.wr))
		return kt_fail(t, "post REG_MR");
	if (kt_expect(t, 1, want, IB_WC_REG_MR))
		return -EIO;
	if (want == IB_WC_SUCCESS)
		t->rkey = t->mr->rkey;
	return 0;
}

/* RDMA WRITE or READ of KT_LEN bytes from qa through @rkey. */
static int kt_rdma(struct kt *t, enum ib_wr_opcode op, u32 rkey, enum ib_wc_status want)
{
	struct ib_sge sge = {
		.addr = (uintptr_t)(op == IB_WR_RDMA_READ ? t->back : t->src),
		.length = KT_LEN,
		.lkey = t->pd->local_dma_lkey,
	};
	struct ib_rdma_wr wr = {};

	wr.wr.opcode = op;
	wr.wr.wr_id = 2;
	wr.wr.sg_list = &sge;
	wr.wr.num_sge = 1;
	wr.remote_addr = t->mr->iova;
	wr.rkey = rkey;
	if (kt_post(t, t->qa, &wr.wr))
		return kt_fail(t, "post RDMA");
	return kt_expect(t, 2, want, op == IB_WR_RDMA_READ ? IB_WC_RDMA_READ : IB_WC_RDMA_WRITE);
}

static int kt_local_inv(struct kt *t, u32 rkey, enum ib_wc_status want)
{
	struct ib_send_wr wr = { .opcode = IB_WR_LOCAL_INV, .wr_id = 3,
				 .ex.invalidate_rkey = rkey };

	if (kt_post(t, t->qb, &wr))
		return kt_fail(t, "post LOCAL_INV");
	return kt_expect(t, 3, want, IB_WC_LOCAL_INV);
}

/* SEND WITH INVALIDATE of @rkey from qa into a receive on qb. */
static int kt_send_inv(struct kt *t, u32 rkey)
{
	struct ib_sge rsge = { .addr = (uintptr_t)t->back, .length = 64,
			       .lkey = t->pd->local_dma_lkey };
	struct ib_sge ssge = { .addr = (uintptr_t)t->src, .length = 64,
			       .lkey = t->pd->local_dma_lkey };
	struct ib_recv_wr rwr = { .wr_id = 4, .sg_list = &rsge, .num_sge = 1 };
	struct ib_send_wr swr = { .opcode = IB_WR_SEND_WITH_INV, .wr_id = 5,
				  .sg_list = &ssge, .num_sge = 1,
				  .ex.invalidate_rkey = rkey };
	const struct ib_recv_wr *rbad;
	struct ib_wc wc[2];
	int i, seen = 0;

	if (ib_post_recv(t->qb, &rwr, &rbad) || kt_post(t, t->qa, &swr))
		return kt_fail(t, "post SEND WITH INVALIDATE");
	for (i = 0; i < 2; i++) {
		if (kt_poll(t, &wc[i]))
			return kt_fail(t, "no completion");
		if (wc[i].status != IB_WC_SUCCESS)
			return kt_fail(t, ib_wc_status_msg(wc[i].status));
		if (wc[i].wr_id == 4) {
			if (!(wc[i].wc_flags & IB_WC_WITH_INVALIDATE) ||
			    wc[i].ex.invalidate_rkey != rkey)
				return kt_fail(t, "receive without the invalidated rkey");
			seen |= 1;
		} else if (wc[i].wr_id == 5) {
			seen |= 2;
		}
	}
	return seen == 3 ? 0 : kt_fail(t, "missing a completion");
}

static int kt_run(struct kt *t)
{
	u32 old_rkey;
	int err;

	t->step = "connect";
	if (kt_connect(t))
		return kt_fail(t, "modify_qp");

	t->step = "REG_MR, RDMA WRITE and READ through the fast-reg rkey";
	get_random_bytes(t->src, KT_BUF);
	err = kt_fast_reg(t, 0x5a, IB_WC_SUCCESS) ?: kt_rdma(t, IB_WR_RDMA_WRITE, t->rkey, IB_WC_SUCCESS) ?:
	      kt_rdma(t, IB_WR_RDMA_READ, t->rkey, IB_WC_SUCCESS);
	if (err)
		return err;
	if (memcmp(t->dst + KT_OFF, t->src, KT_LEN) || memcmp(t->back, t->src, KT_LEN))
		return kt_fail(t, "data differs");

	t->step = "REG_MR of a valid MR fails";
	err = kt_fast_reg(t, 0x5b, IB_WC_LOC_QP_OP_ERR);
	if (err)
		return err;
	if (kt_connect(t))
		return kt_fail(t, "reconnect");

	t->step = "SEND WITH INVALIDATE, then the rkey is refused";
	old_rkey = t->rkey;
	err = kt_send_inv(t, old_rkey) ?:
	      kt_rdma(t, IB_WR_RDMA_WRITE, old_rkey, IB_WC_REM_ACCESS_ERR);
	if (err)
		return err;

	t->step = "REG_MR again with a new key: the old key refused, the new one works";
	if (kt_connect(t))
		return kt_fail(t, "reconnect");
	err = kt_fast_reg(t, 0x5c, IB_WC_SUCCESS);
	if (!err && t->rkey == old_rkey)
		return kt_fail(t, "the key did not change");
	get_random_bytes(t->src, KT_BUF);
	err = err ?: kt_rdma(t, IB_WR_RDMA_WRITE, t->rkey, IB_WC_SUCCESS);
	if (err)
		return err;
	if (memcmp(t->dst + KT_OFF, t->src, KT_LEN))
		return kt_fail(t, "data differs");
	err = kt_rdma(t, IB_WR_RDMA_WRITE, old_rkey, IB_WC_REM_ACCESS_ERR);
	if (err)
		return err;

	t->step = "LOCAL_INV, then the rkey is refused";
	if (kt_connect(t))
		return kt_fail(t, "reconnect");
	err = kt_local_inv(t, t->rkey, IB_WC_SUCCESS) ?:
	      kt_rdma(t, IB_WR_RDMA_WRITE, t->rkey, IB_WC_REM_ACCESS_ERR);
	if (err)
		return err;

	t->step = "LOCAL_INV of a key nobody has fails";
	if (kt_connect(t))
		return kt_fail(t, "reconnect");
	return kt_local_inv(t, t->rkey ^ 0x80, IB_WC_LOC_QP_OP_ERR);
}

static int kt_setup(struct kt *t)
{
	struct ib_cq_init_attr cq_attr = { .cqe = 64 };
	struct ib_qp_init_attr qp_attr = {};

	t->pd = ib_alloc_pd(t->dev, 0);
	if (IS_ERR(t->pd))
		return PTR_ERR(t->pd);
	t->cq = ib_create_cq(t->dev, NULL, NULL, NULL, &cq_attr);
	if (IS_ERR(t->cq))
		return PTR_ERR(t->cq);
	qp_attr.send_cq = t->cq;
	qp_attr.recv_cq = t->cq;
	qp_attr.qp_type = IB_QPT_RC;
	qp_attr.sq_sig_type = IB_SIGNAL_REQ_WR;
	qp_attr.cap.max_send_wr = 8;
	qp_attr.cap.max_recv_wr = 8;
	qp_attr.cap.max_send_sge = 1;
	qp_attr.cap.max_recv_sge = 1;
	t->qa = ib_create_qp(t->pd, &qp_attr);
	if (IS_ERR(t->qa))
		return PTR_ERR(t->qa);
	t->qb = ib_create_qp(t->pd, &qp_attr);
	if (IS_ERR(t->qb))
		return PTR_ERR(t->qb);
	t->mr = ib_alloc_mr(t->pd, IB_MR_TYPE_MEM_REG, 4);
	if (IS_ERR(t->mr))
		return PTR_ERR(t->mr);
	t->src = kzalloc(KT_BUF, GFP_KERNEL);
	t->dst = kzalloc(KT_BUF, GFP_KERNEL);
	t->back = kzalloc(KT_BUF, GFP_KERNEL);
	return t->src && t->dst && t->back ? 0 : -ENOMEM;
}

static void kt_teardown(struct kt *t)
{
	kfree(t->back);
	kfree(t->dst);
	kfree(t->src);
	if (!IS_ERR_OR_NULL(t->mr))
		ib_dereg_mr(t->mr);
	if (!IS_ERR_OR_NULL(t->qb))
		ib_destroy_qp(t->qb);
	if (!IS_ERR_OR_NULL(t->qa))
		ib_destroy_qp(t->qa);
	if (!IS_ERR_OR_NULL(t->cq))
		ib_destroy_cq(t->cq);
	if (!IS_ERR_OR_NULL(t->pd))
		ib_dealloc_pd(t->pd);
}

/* The device is found through a client: the core lists every device. */
static struct ib_device *kt_found;

static int kt_add(struct ib_device *dev)
{
	if (!kt_found && !strcmp(dev_name(&dev->dev), kt_dev))
		kt_found = dev;
	return 0;
}

static void kt_remove(struct ib_device *dev, void *client_data)
{
}

static struct ib_client kt_client = {
	.name = "rxe_kverbs_test",
	.add = kt_add,
	.remove = kt_remove,
};

static int __init kt_init(void)
{
	struct kt t = { .step = "setup" };
	int err;

	err = ib_register_client(&kt_client);
	if (err)
		return err;
	t.dev = kt_found;
	if (!t.dev) {
		pr_err("rxe_kverbs_test: no RDMA device %s\n", kt_dev);
		ib_unregister_client(&kt_client);
		return -ENODEV;
	}
	err = kt_find_gid(&t);
	if (err) {
		pr_err("rxe_kverbs_test: %s has no IPv4 RoCE v2 GID\n", kt_dev);
		goto out;
	}
	err = kt_setup(&t);
	if (err)
		kt_fail(&t, "could not create the objects");
	else
		err = kt_run(&t);
	kt_teardown(&t);
	if (!err)
		pr_info("rxe_kverbs_test: PASS: fast-reg MR, REG_MR, LOCAL_INV, SEND WITH INVALIDATE on %s\n",
			kt_dev);
out:
	ib_unregister_client(&kt_client);
	return err;
}

static void __exit kt_exit(void)
{
}

module_init(kt_init);
module_exit(kt_exit);
MODULE_DESCRIPTION("rxe-odp test: kernel-only verbs (fast-reg MRs) on an RDMA device");
MODULE_LICENSE("GPL");
