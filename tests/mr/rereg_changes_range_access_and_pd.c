// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ibv_rereg_mr on a pinned MR: changing the translation moves remote
 * writes to the new buffer under the same keys (the old range is gone
 * from them, as on hardware, where a rereg changes the MR in place), changing the
 * access to local-only makes remote writes fail with REM_ACCESS_ERR,
 * moving the MR to another PD makes it unusable from the first one.
 * No distro's librxe implements rereg_mr (ours does), so where
 * ibv_rereg_mr says EOPNOTSUPP the kernel verb is driven through the
 * uverbs command itself.
 */
#include <rdma/ib_user_verbs.h>

#include "rxe_test.h"

#define LEN 8192

static struct ibv_pd *pd;
static char *src, *b1, *b2;
static struct ibv_mr *smr;
static const struct rt_rc_opts opts = {
	.access = IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ,
	.timeout = 10, .retry_cnt = 2, .rnr_retry = 0, .min_rnr_timer = 1,
};

/* RDMA WRITE of LEN bytes of src to @raddr/@rkey on a fresh pair. */
static void write_to(uint64_t raddr, uint32_t rkey, enum ibv_wc_status want)
{
	struct rt_rc_pair p;

	rt_rc_pair(&p, pd, &opts);
	rt_post_send(p.qp[0], IBV_WR_RDMA_WRITE, 1, smr->lkey, src, LEN, raddr, rkey);
	rt_expect_wc(p.cq[0], want, 1);
	rt_rc_pair_destroy(&p);
}

static bool raw_rereg;	/* the provider lacks rereg_mr */

/*
 * The uverbs REREG_MR command, written to the context's command file:
 * the kernel swaps a new MR in under the same handle. The keys come back
 * in the response (libibverbs' copy in @mr is updated here).
 */
static int rereg_cmd(struct ibv_mr *mr, int flags, struct ibv_pd *pd, void *addr,
		     size_t len, int access)
{
	struct {
		struct ib_uverbs_cmd_hdr hdr;
		struct ib_uverbs_rereg_mr cmd;
	} req = {};
	struct ib_uverbs_rereg_mr_resp resp = {};

	req.hdr.command = IB_USER_VERBS_CMD_REREG_MR;
	req.hdr.in_words = sizeof(req) / 4;
	req.hdr.out_words = sizeof(resp) / 4;
	req.cmd.response = (uintptr_t)&resp;
	req.cmd.mr_handle = mr->handle;
	req.cmd.flags = flags;
	req.cmd.start = (uintptr_t)addr;
	req.cmd.length = len;
	req.cmd.hca_va = (uintptr_t)addr;
	req.cmd.pd_handle = pd ? pd->handle : 0;
	req.cmd.access_flags = access;
	if (write(mr->context->cmd_fd, &req, sizeof(req)) != sizeof(req))
		return -1;
	mr->lkey = resp.lkey;
	mr->rkey = resp.rkey;
	if (flags & IBV_REREG_MR_CHANGE_TRANSLATION) {
		mr->addr = addr;
		mr->length = len;
	}
	if (flags & IBV_REREG_MR_CHANGE_PD)
		mr->pd = pd;
	return 0;
}

static int rereg(struct ibv_mr *mr, int flags, struct ibv_pd *pd, void *addr,
		 size_t len, int access)
{
	int err;

	if (raw_rereg)
		return rereg_cmd(mr, flags, pd, addr, len, access);
	err = ibv_rereg_mr(mr, flags, pd, addr, len, access);
	if (err && errno == EOPNOTSUPP) {
		rt_note("the provider has no rereg_mr (no distro librxe has): "
			"using the uverbs command");
		raw_rereg = true;
		return rereg_cmd(mr, flags, pd, addr, len, access);
	}
	return err;
}

static void fill(char *p, int seed)
{
	for (int i = 0; i < LEN; i++)
		p[i] = (char)(i * 7 + seed);
}

int main(void)
{
	struct ibv_context *ctx = rt_open_dev();
	struct ibv_pd *pd2;
	struct ibv_mr *mr;
	uint32_t old_rkey;
	char *zero;
	int err;

	CHECK((pd = ibv_alloc_pd(ctx)) != NULL);
	CHECK((pd2 = ibv_alloc_pd(ctx)) != NULL);
	src = calloc(1, LEN);
	b1 = calloc(1, LEN);
	b2 = calloc(1, LEN);
	zero = calloc(1, LEN);
	CHECK(src && b1 && b2 && zero);
	CHECK((smr = ibv_reg_mr(pd, src, LEN, IBV_ACCESS_LOCAL_WRITE)) != NULL);
	CHECK((mr = ibv_reg_mr(pd, b1, LEN, IBV_ACCESS_LOCAL_WRITE |
			       IBV_ACCESS_REMOTE_WRITE)) != NULL);

	fill(src, 1);
	write_to((uintptr_t)b1, mr->rkey, IBV_WC_SUCCESS);
	if (memcmp(b1, src, LEN))
		rt_fail("the write before rereg did not land in the first buffer");

	/* a new translation: the same MR now covers b2 */
	old_rkey = mr->rkey;
	err = rereg(mr, IBV_REREG_MR_CHANGE_TRANSLATION, NULL, b2, LEN, 0);
	if (err)
		rt_fail("rereg (translation) failed: %d errno %d", err, errno);
	rt_note("rereg translation: rkey %#x -> %#x", old_rkey, mr->rkey);
	fill(src, 2);
	memcpy(zero, b1, LEN);
	write_to((uintptr_t)b2, mr->rkey, IBV_WC_SUCCESS);
	if (memcmp(b2, src, LEN))
		rt_fail("the write after rereg did not land in the new buffer");
	if (memcmp(b1, zero, LEN))
		rt_fail("the old buffer changed after rereg");
	if (old_rkey != mr->rkey)
		rt_fail("rereg changed the rkey (%#x -> %#x)", old_rkey, mr->rkey);
	write_to((uintptr_t)b1, mr->rkey, IBV_WC_REM_ACCESS_ERR);

	/* access: local only */
	err = rereg(mr, IBV_REREG_MR_CHANGE_ACCESS, NULL, NULL, 0, IBV_ACCESS_LOCAL_WRITE);
	if (err)
		rt_fail("rereg (access) failed: %d errno %d", err, errno);
	write_to((uintptr_t)b2, mr->rkey, IBV_WC_REM_ACCESS_ERR);

	/* another PD: a QP of the first PD may not use it */
	err = rereg(mr, IBV_REREG_MR_CHANGE_PD | IBV_REREG_MR_CHANGE_ACCESS, pd2,
		    NULL, 0, IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE);
	if (err)
		rt_fail("rereg (PD) failed: %d errno %d", err, errno);
	write_to((uintptr_t)b2, mr->rkey, IBV_WC_REM_ACCESS_ERR);

	CHECK(ibv_dereg_mr(mr) == 0);
	CHECK(ibv_dereg_mr(smr) == 0);
	CHECK(ibv_dealloc_pd(pd2) == 0);
	CHECK(ibv_dealloc_pd(pd) == 0);
	CHECK(ibv_close_device(ctx) == 0);
	rt_note("rereg: translation, access and PD changes take effect");
	return 0;
}
