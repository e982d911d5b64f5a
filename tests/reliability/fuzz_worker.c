// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fuzz_worker SEED OPS - one round of the verbs fuzzer (fuzz.sh): OPS
 * random verbs calls on the device under test, chosen and filled in by a
 * generator seeded with SEED, so that a round replays from its seed.
 *
 * The calls go through libibverbs (with random and boundary arguments:
 * lengths 0 and huge, unaligned, NULL, PROT_NONE, unmapped and kernel
 * addresses, wrong keys and QP numbers, random QP states and attribute
 * masks, every opcode on every QP type) and straight to the uverbs file
 * (ioctls and write commands made of random bytes and handles), while
 * the memory under the MRs is remapped, protected and dropped. Objects
 * live in pools; a call only ever gets a live object from libibverbs'
 * point of view (the kernel is what is fuzzed, not this process).
 *
 * A failed call must say why: an errno the verbs use. The round ends by
 * exiting with objects still alive (the kernel cleans up the context) or,
 * on the seed's choice, destroying them all first.
 * Its last line:  fuzz-worker seed=S ops=N ok=K failed=F odd_errno=X
 */
#include <execinfo.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <rdma/ib_user_ioctl_cmds.h>
#include <rdma/rdma_user_ioctl_cmds.h>
#include <rdma/ib_user_verbs.h>

#include "rxe_test.h"

#define NPOOL 8
#define PG 4096
#define ARENA (4UL << 20)	/* memory the MRs and SGEs point into */

static uint64_t rng;
static struct ibv_context *ctx;
static union ibv_gid gid;
static int gid_index;
static uint8_t *arena;		/* ARENA bytes, remapped and protected at random */
static uint8_t *inline_src;	/* always readable: inline sends copy from it */
static unsigned long ok, failed, odd;
static const char *call;	/* the verb being tried, for the odd errno report */
static bool raw;		/* a raw uverbs command: any errno is its answer */

static struct ibv_pd *pds[NPOOL];
static struct ibv_cq *cqs[NPOOL];
static struct ibv_qp *qps[NPOOL];
static struct ibv_srq *srqs[NPOOL];
static struct ibv_mr *mrs[NPOOL];
static struct ibv_ah *ahs[NPOOL];
static struct ibv_mw *mws[NPOOL];

/* xorshift64* */
static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static unsigned int pick(unsigned int n) { return rnd() % n; }
static bool chance(unsigned int pct) { return pick(100) < pct; }

#define POOL_PICK(pool) ((pool)[pick(NPOOL)])

/* A length worth trying: boundaries mostly, sometimes anything. */
static uint64_t any_len(void)
{
	static const uint64_t v[] = { 0, 1, 7, 8, 63, 4095, 4096, 4097, 65536, 1 << 20,
				      ARENA, (1ULL << 31) - 1, 1ULL << 31, UINT32_MAX,
				      1ULL << 32, UINT64_MAX };

	return chance(80) ? v[pick(sizeof(v) / sizeof(v[0]))] : rnd() >> pick(64);
}

/* An address worth trying: mostly in the arena, sometimes anything. */
static void *any_addr(void)
{
	switch (pick(10)) {
	case 0: return NULL;
	case 1: return (void *)(uintptr_t)0xffff888000000000ULL;	/* kernel */
	case 2: return (void *)(uintptr_t)-PG;
	case 3: return arena + ARENA;					/* past it */
	case 4: return arena + pick(ARENA) ;				/* unaligned */
	case 5: return (void *)(uintptr_t)rnd();
	default: return arena + pick(ARENA / PG) * PG;
	}
}

static uint32_t any_key(void)
{
	struct ibv_mr *mr = POOL_PICK(mrs);

	if (mr && chance(70))
		return chance(50) ? mr->lkey : mr->rkey;
	return chance(50) ? (uint32_t)rnd() : (uint32_t)pick(16) << 8 | pick(256);
}

static uint32_t any_qpn(void)
{
	struct ibv_qp *qp = POOL_PICK(qps);

	if (qp && chance(70))
		return qp->qp_num;
	return chance(50) ? (uint32_t)rnd() & 0xffffff : pick(32);
}

static int any_access(void)
{
	int a = rnd() & (IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE |
			 IBV_ACCESS_REMOTE_READ | IBV_ACCESS_REMOTE_ATOMIC |
			 IBV_ACCESS_MW_BIND | IBV_ACCESS_ZERO_BASED |
			 IBV_ACCESS_ON_DEMAND | IBV_ACCESS_RELAXED_ORDERING);

	return chance(5) ? (int)rnd() : a;
}

/* Count a call's outcome: 0 is success, else the errno it gave. */
#define OUTCOME(name, err) do { call = name; outcome(err); } while (0)
static void outcome(int err)
{
	static const int known[] = {
		EINVAL, ENOMEM, EFAULT, EBUSY, EOPNOTSUPP, ENOSYS, EPERM, EACCES,
		ENOENT, EAGAIN, E2BIG, EOVERFLOW, ERANGE, ENODEV, EIO, EPROTONOSUPPORT,
		EEXIST, ENXIO, EBADF, ENOTTY, ENOSPC, EMSGSIZE, EBADMSG, ESRCH, ETIMEDOUT,
		ENODATA,	/* ib_core: the GID table slot asked for is empty */
		ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL,	/* no route to the GID */
	};
	unsigned int i;

	if (!err) {
		ok++;
		return;
	}
	failed++;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (err == known[i])
			return;
	if (raw)
		return;
	odd++;
	printf("# odd errno %d (%s) from %s\n", err, strerror(err), call);
}

/* The errno of a call that returned NULL (0 would be a failure without a reason). */
static int null_errno(void)
{
	return errno ? errno : -1;
}

/* ------------------------------------------------------------ objects */

static void op_pd(void)
{
	struct ibv_pd **s = &pds[pick(NPOOL)];

	if (*s) {
		int err = ibv_dealloc_pd(*s);

		OUTCOME("ibv_dealloc_pd", err);
		if (!err)
			*s = NULL;
		return;
	}
	errno = 0;
	*s = ibv_alloc_pd(ctx);
	OUTCOME("ibv_alloc_pd", *s ? 0 : null_errno());
}

static void op_cq(void)
{
	struct ibv_cq **s = &cqs[pick(NPOOL)];
	struct ibv_wc wc[8];
	int err;

	if (!*s) {
		errno = 0;
		*s = ibv_create_cq(ctx, (int)any_len(), NULL, NULL, pick(3));
		OUTCOME("ibv_create_cq", *s ? 0 : null_errno());
		return;
	}
	switch (pick(4)) {
	case 0:
		err = ibv_destroy_cq(*s);
		if (!err)
			*s = NULL;
		OUTCOME("ibv_destroy_cq", err);
		break;
	case 1:
		OUTCOME("ibv_resize_cq", ibv_resize_cq(*s, (int)any_len()));
		break;
	case 2:
		err = ibv_poll_cq(*s, 1 + pick(8), wc);
		OUTCOME("ibv_poll_cq", err < 0 ? -err : 0);
		break;
	case 3:
		OUTCOME("ibv_req_notify_cq", ibv_req_notify_cq(*s, pick(2)));
		break;
	}
}

static void op_srq(void)
{
	struct ibv_srq **s = &srqs[pick(NPOOL)];
	struct ibv_pd *pd = POOL_PICK(pds);
	struct ibv_srq_attr a = { .max_wr = any_len(), .srq_limit = any_len() };
	struct ibv_sge sge = { .addr = (uintptr_t)any_addr(), .length = any_len(),
			       .lkey = any_key() };
	struct ibv_recv_wr wr = { .sg_list = &sge, .num_sge = pick(3) }, *bad;
	struct ibv_srq_init_attr init = {
		.attr = { .max_wr = any_len(), .max_sge = pick(40), .srq_limit = pick(8) },
	};
	int err;

	if (!*s) {
		if (!pd)
			return;
		errno = 0;
		*s = ibv_create_srq(pd, &init);
		OUTCOME("ibv_create_srq", *s ? 0 : null_errno());
		return;
	}
	switch (pick(3)) {
	case 0:
		err = ibv_destroy_srq(*s);
		if (!err)
			*s = NULL;
		OUTCOME("ibv_destroy_srq", err);
		break;
	case 1:
		OUTCOME("ibv_modify_srq", ibv_modify_srq(*s, &a, rnd() & 3));
		break;
	case 2:
		OUTCOME("ibv_post_srq_recv", ibv_post_srq_recv(*s, &wr, &bad));
		break;
	}
}

static void op_qp_create(struct ibv_qp **s)
{
	static const enum ibv_qp_type types[] = {
		IBV_QPT_RC, IBV_QPT_UC, IBV_QPT_UD, IBV_QPT_RC, IBV_QPT_UD,
		IBV_QPT_RAW_PACKET, IBV_QPT_XRC_SEND, IBV_QPT_DRIVER,
	};
	struct ibv_pd *pd = POOL_PICK(pds);
	struct ibv_cq *scq = POOL_PICK(cqs), *rcq = POOL_PICK(cqs);
	struct ibv_qp_init_attr init = {
		.qp_type = types[pick(sizeof(types) / sizeof(types[0]))],
		.send_cq = scq, .recv_cq = rcq,
		.srq = chance(30) ? POOL_PICK(srqs) : NULL,
		.sq_sig_all = pick(2),
		.cap = { .max_send_wr = chance(70) ? 1 + pick(64) : any_len(),
			 .max_recv_wr = chance(70) ? 1 + pick(64) : any_len(),
			 .max_send_sge = chance(80) ? 1 + pick(4) : any_len(),
			 .max_recv_sge = chance(80) ? 1 + pick(4) : any_len(),
			 .max_inline_data = chance(80) ? pick(256) : any_len() },
	};

	/* libibverbs itself dereferences these */
	if (!pd || !scq || !rcq)
		return;
	errno = 0;
	*s = ibv_create_qp(pd, &init);
	OUTCOME("ibv_create_qp", *s ? 0 : null_errno());
}

static void op_qp_modify(struct ibv_qp *qp)
{
	struct ibv_qp_attr a = {
		.qp_state = pick(8), .cur_qp_state = pick(8),
		.path_mtu = pick(7), .path_mig_state = pick(3),
		.qkey = chance(50) ? 0x11111111 : (uint32_t)rnd(),
		.rq_psn = rnd(), .sq_psn = rnd(), .dest_qp_num = any_qpn(),
		.qp_access_flags = any_access(),
		.cap = { .max_send_wr = any_len(), .max_recv_wr = any_len() },
		.ah_attr = { .is_global = chance(90), .port_num = chance(90) ? 1 : pick(4),
			     .dlid = rnd(), .sl = pick(16), .static_rate = pick(20),
			     .grh = { .dgid = gid, .sgid_index = chance(80) ? (unsigned int)gid_index : pick(256),
				      .hop_limit = pick(256), .flow_label = rnd(),
				      .traffic_class = rnd() } },
		.pkey_index = chance(90) ? 0 : pick(70000), .en_sqd_async_notify = pick(2),
		.sq_draining = pick(2), .max_rd_atomic = pick(20), .max_dest_rd_atomic = pick(20),
		.min_rnr_timer = pick(32), .port_num = chance(90) ? 1 : pick(4),
		.timeout = pick(32), .retry_cnt = pick(9), .rnr_retry = pick(9),
		.rate_limit = chance(90) ? 0 : rnd(),
	};
	int mask = chance(20) ? (int)(rnd() & ((1 << 26) - 1)) : (int)(rnd() & 0x1fffff);

	if (chance(30)) {
		/* the mask of a regular transition, so states actually advance */
		static const int masks[] = {
			IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT | IBV_QP_ACCESS_FLAGS,
			IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT | IBV_QP_QKEY,
			IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU | IBV_QP_DEST_QPN |
				IBV_QP_RQ_PSN | IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER,
			IBV_QP_STATE | IBV_QP_SQ_PSN | IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT |
				IBV_QP_RNR_RETRY | IBV_QP_MAX_QP_RD_ATOMIC,
			IBV_QP_STATE, IBV_QP_STATE | IBV_QP_SQ_PSN,
		};
		mask = masks[pick(sizeof(masks) / sizeof(masks[0]))];
		a.qp_state = 1 + pick(3);
	}
	OUTCOME("ibv_modify_qp", ibv_modify_qp(qp, &a, mask));
}

static void op_post_send(struct ibv_qp *qp)
{
	struct ibv_sge sge[4];
	struct ibv_send_wr wr[2], *bad;
	unsigned int i, n = 1 + pick(2);

	memset(wr, 0, sizeof(wr));
	for (i = 0; i < 4; i++)
		sge[i] = (struct ibv_sge){ .addr = (uintptr_t)any_addr(), .length = any_len(),
					   .lkey = any_key() };
	for (i = 0; i < n; i++) {
		wr[i].wr_id = rnd();
		wr[i].next = i + 1 < n ? &wr[i + 1] : NULL;
		wr[i].opcode = chance(95) ? pick(16) : (unsigned int)rnd();	/* every opcode libibverbs names, and more */
		wr[i].sg_list = sge;
		wr[i].num_sge = chance(90) ? pick(3) : pick(40);
		if (wr[i].num_sge > 4)
			wr[i].num_sge = 4;
		wr[i].send_flags = rnd() & (IBV_SEND_FENCE | IBV_SEND_SIGNALED |
					    IBV_SEND_SOLICITED | IBV_SEND_IP_CSUM);
		if (chance(10)) {
			/* inline data is copied by the provider: keep it readable */
			wr[i].send_flags |= IBV_SEND_INLINE;
			sge[0] = (struct ibv_sge){ .addr = (uintptr_t)inline_src,
						   .length = chance(80) ? pick(512) : pick(PG) };
			wr[i].num_sge = 1;
		}
		wr[i].imm_data = rnd();
		/* pointers in a WR must be live objects or NULL for libibverbs */
		if (wr[i].opcode == IBV_WR_BIND_MW) {
			wr[i].bind_mw.mw = chance(90) ? POOL_PICK(mws) : NULL;
			wr[i].bind_mw.rkey = rnd();
			wr[i].bind_mw.bind_info = (struct ibv_mw_bind_info){
				.mr = POOL_PICK(mrs), .addr = (uintptr_t)any_addr(),
				.length = any_len(), .mw_access_flags = any_access() };
			continue;
		}
		if (wr[i].opcode == IBV_WR_TSO) {
			wr[i].tso.hdr = inline_src;
			wr[i].tso.hdr_sz = pick(256);
			wr[i].tso.mss = rnd();
			continue;
		}
		if (qp->qp_type == IBV_QPT_UD) {
			wr[i].wr.ud.ah = POOL_PICK(ahs);
			if (!wr[i].wr.ud.ah)
				return;
			wr[i].wr.ud.remote_qpn = any_qpn();
			wr[i].wr.ud.remote_qkey = chance(70) ? 0x11111111 : (uint32_t)rnd();
		} else if (chance(50)) {
			wr[i].wr.atomic.remote_addr = (uintptr_t)any_addr();
			wr[i].wr.atomic.rkey = any_key();
			wr[i].wr.atomic.compare_add = rnd();
			wr[i].wr.atomic.swap = rnd();
		} else {
			wr[i].wr.rdma.remote_addr = (uintptr_t)any_addr();
			wr[i].wr.rdma.rkey = any_key();
		}
	}
	OUTCOME("ibv_post_send", ibv_post_send(qp, wr, &bad));
}

static void op_post_recv(struct ibv_qp *qp)
{
	struct ibv_sge sge[4];
	struct ibv_recv_wr wr = { .wr_id = rnd(), .sg_list = sge, .num_sge = pick(5) }, *bad;
	int i;

	for (i = 0; i < 4; i++)
		sge[i] = (struct ibv_sge){ .addr = (uintptr_t)any_addr(), .length = any_len(),
					   .lkey = any_key() };
	OUTCOME("ibv_post_recv", ibv_post_recv(qp, &wr, &bad));
}

static void op_qp(void)
{
	struct ibv_qp **s = &qps[pick(NPOOL)];
	struct ibv_qp_attr a;
	struct ibv_qp_init_attr ia;
	int err;

	if (!*s) {
		op_qp_create(s);
		return;
	}
	switch (pick(8)) {
	case 0:
		err = ibv_destroy_qp(*s);
		if (!err)
			*s = NULL;
		OUTCOME("ibv_destroy_qp", err);
		break;
	case 1: case 2:
		op_qp_modify(*s);
		break;
	case 3:
		OUTCOME("ibv_query_qp", ibv_query_qp(*s, &a, (int)rnd(), &ia));
		break;
	case 4: case 5: case 6:
		op_post_send(*s);
		break;
	case 7:
		op_post_recv(*s);
		break;
	}
}

static void op_mr(void)
{
	struct ibv_mr **s = &mrs[pick(NPOOL)];
	struct ibv_pd *pd = POOL_PICK(pds);
	int err;

	if (!*s) {
		void *addr = any_addr();
		uint64_t len = chance(50) ? 1 + pick(ARENA) : any_len();
		int acc = any_access();

		if (!pd)
			return;
		if (chance(10)) {	/* implicit ODP */
			addr = NULL;
			len = SIZE_MAX;
			acc |= IBV_ACCESS_ON_DEMAND;
		}
		errno = 0;
		*s = ibv_reg_mr(pd, addr, len, acc);
		OUTCOME("ibv_reg_mr", *s ? 0 : null_errno());
		return;
	}
	switch (pick(4)) {
	case 0: case 1:
		err = ibv_dereg_mr(*s);
		if (!err)
			*s = NULL;
		OUTCOME("ibv_dereg_mr", err);
		break;
	case 2:
		if (!pd)
			return;
		/*
		 * A failed rereg returns a negative IBV_REREG_MR_ERR_* code with
		 * errno set; the MR may be unusable then, but still needs dereg.
		 */
		errno = 0;
		err = ibv_rereg_mr(*s, rnd() & 7, pd, any_addr(),
				   chance(50) ? 1 + pick(ARENA) : any_len(), any_access());
		OUTCOME("ibv_rereg_mr", err ? null_errno() : 0);
		break;
	case 3: {
		struct ibv_sge sge[2];

		for (err = 0; err < 2; err++)
			sge[err] = (struct ibv_sge){ .addr = (uintptr_t)any_addr(),
						     .length = any_len(),
						     .lkey = chance(80) ? (*s)->lkey : any_key() };
		if (!pd)
			return;
		OUTCOME("ibv_advise_mr", ibv_advise_mr(pd, pick(4), rnd() & 1, sge, pick(3)));
		break;
	}
	}
}

static void op_ah(void)
{
	struct ibv_ah **s = &ahs[pick(NPOOL)];
	struct ibv_pd *pd = POOL_PICK(pds);
	struct ibv_ah_attr a = {
		.is_global = chance(90), .port_num = chance(90) ? 1 : pick(4),
		.dlid = rnd(), .sl = pick(16),
		.grh = { .dgid = gid, .sgid_index = chance(80) ? (unsigned int)gid_index : pick(256),
			 .hop_limit = pick(256), .traffic_class = rnd() },
	};
	int err;

	if (chance(20))
		for (err = 0; err < 16; err++)
			a.grh.dgid.raw[err] = rnd();
	if (*s) {
		err = ibv_destroy_ah(*s);
		if (!err)
			*s = NULL;
		OUTCOME("ibv_destroy_ah", err);
		return;
	}
	if (!pd)
		return;
	errno = 0;
	*s = ibv_create_ah(pd, &a);
	OUTCOME("ibv_create_ah", *s ? 0 : null_errno());
}

static void op_mw(void)
{
	struct ibv_mw **s = &mws[pick(NPOOL)];
	struct ibv_pd *pd = POOL_PICK(pds);
	struct ibv_qp *qp = POOL_PICK(qps);
	struct ibv_mr *mr = POOL_PICK(mrs);
	int err;

	if (!*s) {
		if (!pd)
			return;
		errno = 0;
		*s = ibv_alloc_mw(pd, chance(90) ? 1 + pick(2) : pick(8));
		OUTCOME("ibv_alloc_mw", *s ? 0 : null_errno());
		return;
	}
	if (chance(50) && qp && mr && (*s)->type == IBV_MW_TYPE_1) {
		struct ibv_mw_bind b = {
			.wr_id = rnd(), .send_flags = IBV_SEND_SIGNALED,
			.bind_info = { .mr = mr, .addr = (uintptr_t)any_addr(),
				       .length = any_len(), .mw_access_flags = any_access() },
		};

		OUTCOME("ibv_bind_mw", ibv_bind_mw(qp, *s, &b));
		return;
	}
	err = ibv_dealloc_mw(*s);
	if (!err)
		*s = NULL;
	OUTCOME("ibv_dealloc_mw", err);
}

/* ------------------------------------------------------ memory churn */

static void op_memory(void)
{
	size_t first = pick(ARENA / PG), n = 1 + pick(64);
	uint8_t *p = arena + first * PG;

	if (first + n > ARENA / PG)
		n = ARENA / PG - first;
	switch (pick(5)) {
	case 0:
		mprotect(p, n * PG, PROT_NONE);
		break;
	case 1:
		mprotect(p, n * PG, PROT_READ);
		break;
	case 2:
		mprotect(p, n * PG, PROT_READ | PROT_WRITE);
		break;
	case 3:
		madvise(p, n * PG, MADV_DONTNEED);
		break;
	case 4:	/* new pages at the same addresses */
		if (mmap(p, n * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
			 MAP_FIXED, -1, 0) == MAP_FAILED)
			rt_fail("mmap: %s", strerror(errno));
		break;
	}
}

/* --------------------------------------------------- raw uverbs calls */

/* An ioctl of random object, method and attributes, handles small numbers. */
static void op_raw_ioctl(void)
{
	struct {
		struct ib_uverbs_ioctl_hdr hdr;
		struct ib_uverbs_attr attrs[8];
	} req;
	uint64_t data[8][8];	/* room for the longest attribute (40 bytes) */
	unsigned int i, n = pick(9);
	int ret;

	memset(&req, 0, sizeof(req));
	req.hdr.length = sizeof(req.hdr) + n * sizeof(req.attrs[0]);
	req.hdr.object_id = chance(80) ? pick(UVERBS_OBJECT_ASYNC_EVENT + 2) : rnd();
	/* core methods count from 0, driver ones from 0x1000 */
	req.hdr.method_id = chance(80) ? pick(12) : chance(50) ? 0x1000 + pick(4) : rnd();
	req.hdr.num_attrs = chance(95) ? n : rnd();
	req.hdr.driver_id = RDMA_DRIVER_RXE;
	for (i = 0; i < n; i++) {
		req.attrs[i].attr_id = chance(70) ? pick(16) : (uint16_t)(0x1000 + pick(16));
		req.attrs[i].len = chance(50) ? 8 : pick(40);
		req.attrs[i].flags = chance(90) ? 0 : rnd();
		data[i][0] = pick(64);
		data[i][1] = rnd();
		data[i][2] = (uintptr_t)arena;
		data[i][3] = rnd();
		req.attrs[i].data = chance(50) ? (uintptr_t)data[i] : chance(50) ? pick(64) : rnd();
	}
	ret = ioctl(ctx->cmd_fd, RDMA_VERBS_IOCTL, &req);
	raw = true;
	OUTCOME("raw ioctl", ret < 0 ? errno : 0);
	raw = false;
}

/* A write() command of random number and size, its payload random. */
static void op_raw_write(void)
{
	uint32_t buf[64];
	struct ib_uverbs_cmd_hdr *h = (void *)buf;
	size_t len = sizeof(*h) + 4 * pick(60);
	unsigned int i;
	ssize_t ret;

	for (i = 0; i < 64; i++)
		buf[i] = chance(50) ? pick(64) : (uint32_t)rnd();
	h->command = chance(90) ? pick(IB_USER_VERBS_CMD_OPEN_QP + 2) : rnd();
	h->in_words = chance(80) ? len / 4 : pick(1024);
	h->out_words = pick(64);
	ret = write(ctx->cmd_fd, buf, len);
	raw = true;
	OUTCOME("raw write", ret < 0 ? errno : 0);
	raw = false;
}

/* --------------------------------------------------------------- main */

static volatile long op_no;
static volatile int op_kind;

/* A crash of this process is a finding too: say where, then die of it. */
static void on_crash(int sig)
{
	void *frames[32];
	char msg[128];
	int n = snprintf(msg, sizeof(msg), "fuzz-worker: signal %d in call %ld (op kind %d)\n",
			 sig, op_no, op_kind);

	if (write(1, msg, n) < 0)
		_exit(128 + sig);
	backtrace_symbols_fd(frames, backtrace(frames, 32), 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void destroy_all(void)
{
	int i;

	for (i = 0; i < NPOOL; i++) {
		if (mws[i])
			ibv_dealloc_mw(mws[i]);
		if (qps[i])
			ibv_destroy_qp(qps[i]);
		if (ahs[i])
			ibv_destroy_ah(ahs[i]);
	}
	for (i = 0; i < NPOOL; i++) {
		if (srqs[i])
			ibv_destroy_srq(srqs[i]);
		if (mrs[i])
			ibv_dereg_mr(mrs[i]);
		if (cqs[i])
			ibv_destroy_cq(cqs[i]);
	}
	for (i = 0; i < NPOOL; i++)
		if (pds[i])
			ibv_dealloc_pd(pds[i]);
	ibv_close_device(ctx);
}

int main(int argc, char **argv)
{
	static void (*const ops[])(void) = {
		op_pd, op_cq, op_cq, op_srq, op_qp, op_qp, op_qp, op_qp, op_mr, op_mr,
		op_ah, op_mw, op_memory, op_raw_ioctl, op_raw_write,
	};
	uint64_t seed;
	long i, n;

	if (argc != 3)
		rt_fail("usage: fuzz_worker SEED OPS");
	seed = strtoull(argv[1], NULL, 0);
	n = atol(argv[2]);
	rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	setvbuf(stdout, NULL, _IOLBF, 0);	/* lines out before a crash */
	printf("fuzz-worker seed=%llu\n", (unsigned long long)seed);

	ctx = rt_open_dev();
	gid_index = rt_ipv4_gid(ctx, &gid);
	arena = rt_map(ARENA, PG);
	inline_src = rt_map(PG, PG);
	memset(arena, 0x5a, ARENA);
	signal(SIGSEGV, on_crash);
	signal(SIGBUS, on_crash);
	for (i = 0; i < n; i++) {
		op_no = i;
		op_kind = pick(sizeof(ops) / sizeof(ops[0]));
		ops[op_kind]();
	}
	if (chance(50))
		destroy_all();
	printf("fuzz-worker seed=%llu ops=%ld ok=%lu failed=%lu odd_errno=%lu\n",
	       (unsigned long long)seed, n, ok, failed, odd);
	return odd ? 1 : 0;
}
