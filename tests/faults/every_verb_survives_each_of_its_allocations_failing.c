// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: kernels=debug timeout=300 inject=alloc
/*
 * Every allocation our modules make for a verb may fail; each failure must
 * come back as an errno, with nothing half-made left behind.
 *
 * The kernel's fault injection, aimed at one of our modules: failslab and
 * fail_page_alloc count only allocations whose call stack passes through
 * that module's text (require-start/require-end), GFP_KERNEL ones
 * included. For each verb the test fails its first allocation, then its
 * second, and so on (the task's fail-nth), until the verb runs through
 * without reaching the failing one: every allocation of ours it makes has
 * then failed once. Each injected run must end in an errno or in
 * success; the last run must succeed.
 *
 * Verbs: open/close of a context, PD, CQ (with resize), RC and UD QPs taken
 * to RTS, SRQ, pinned MR, explicit ODP MR and implicit ODP MR with a
 * synchronous prefetch (the fault path in the caller's context), AH, MW,
 * and an RC pair moving 64 KiB by RDMA WRITE with its data checked.
 *
 * The responder's ODP faults run in the driver's work context, where
 * fail-nth does not reach: there the next K allocations made through
 * rdma_odp fail, whoever makes them, while an RDMA WRITE lands in
 * never-touched ODP memory. The WRITE must complete, successfully with
 * its data in place, or (a page the kernel could not allocate is a bad
 * address to hmm_range_fault) with a remote access error.
 *
 * Nothing may leak: the harness's kmemleak scan after the tests, the
 * modules' unload (their slab caches must be empty) and the kernel log
 * (any report fails) check that.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include "rxe_test.h"

#define FI "/sys/kernel/debug"
#define MAX_NTH 2000

static struct ibv_device *dev;
static struct ibv_context *ctx;
static struct ibv_pd *pd;
static int gid_index;
static union ibv_gid gid;
static int nth_fd = -1;
static uint8_t *buf[2];
static struct ibv_mr *buf_mr[2];
#define BUF_LEN (64 * 1024)

/* ---------------------------------------------------- fault injection */

static void fi_write(const char *attr, const char *file, const char *val)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), FI "/%s/%s", attr, file);
	f = fopen(path, "w");
	if (!f || fputs(val, f) < 0 || fclose(f))
		rt_fail("cannot write %s to %s: %s", val, path, strerror(errno));
}

/* The text of module @mod: from its first function to past its last. */
static void module_text(const char *mod, unsigned long *lo, unsigned long *hi)
{
	char line[512], tag[64], type;
	unsigned long a;
	FILE *f = fopen("/proc/kallsyms", "r");

	CHECK(f);
	snprintf(tag, sizeof(tag), "[%s]", mod);
	*lo = ~0UL;
	*hi = 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, tag) || sscanf(line, "%lx %c", &a, &type) != 2)
			continue;
		if (type != 't' && type != 'T')
			continue;
		if (a < *lo)
			*lo = a;
		if (a > *hi)
			*hi = a;
	}
	fclose(f);
	if (!*hi || !*lo)
		rt_fail("no text of module %s in /proc/kallsyms", mod);
	*hi += 16384;	/* the last function's body */
}

/* Aim failslab and fail_page_alloc at @mod's text, nothing failing yet. */
static void fi_aim(const char *mod)
{
	static const char *const attrs[] = { "failslab", "fail_page_alloc" };
	unsigned long lo, hi;
	char v[32];
	unsigned int i;

	module_text(mod, &lo, &hi);
	for (i = 0; i < 2; i++) {
		fi_write(attrs[i], "probability", "0");
		fi_write(attrs[i], "times", "-1");
		fi_write(attrs[i], "verbose", "0");
		fi_write(attrs[i], "task-filter", "N");
		fi_write(attrs[i], "ignore-gfp-wait", "N");
		fi_write(attrs[i], "stacktrace-depth", "32");
		snprintf(v, sizeof(v), "0x%lx", lo);
		fi_write(attrs[i], "require-start", v);
		snprintf(v, sizeof(v), "0x%lx", hi);
		fi_write(attrs[i], "require-end", v);
	}
	fi_write("fail_page_alloc", "ignore-gfp-highmem", "N");
	fi_write("fail_page_alloc", "min-order", "0");
}

/* The @n-th counted allocation of this thread from now on fails. */
static void nth_arm(int n)
{
	char v[16];
	int len = snprintf(v, sizeof(v), "%d", n);

	if (pwrite(nth_fd, v, len, 0) != len)
		rt_fail("fail-nth: %s", strerror(errno));
}

/* Disarm; whether the armed failure happened. */
static bool nth_fired(void)
{
	char v[16] = "";

	if (pread(nth_fd, v, sizeof(v) - 1, 0) <= 0)
		rt_fail("fail-nth read: %s", strerror(errno));
	if (pwrite(nth_fd, "0", 1, 0) != 1)
		rt_fail("fail-nth clear: %s", strerror(errno));
	return atoi(v) == 0;
}

/* ---------------------------------------------- the verbs, undoable */

/* Each returns 0 on success or an errno, having undone what it made. */

static int v_context(void)
{
	struct ibv_context *c = ibv_open_device(dev);

	if (!c)
		return errno ? errno : EIO;
	CHECK(!ibv_close_device(c));
	return 0;
}

static int v_pd(void)
{
	struct ibv_pd *p = ibv_alloc_pd(ctx);

	if (!p)
		return errno ? errno : EIO;
	CHECK(!ibv_dealloc_pd(p));
	return 0;
}

static int v_cq(void)
{
	struct ibv_cq *cq = ibv_create_cq(ctx, 64, NULL, NULL, 0);
	int err;

	if (!cq)
		return errno ? errno : EIO;
	err = ibv_resize_cq(cq, 1024);
	if (!err && cq->cqe < 1024)
		rt_fail("resize to 1024 gave %d entries", cq->cqe);
	CHECK(!ibv_destroy_cq(cq));
	return err;
}

/* Take @qp to RTS (RC: connected to @dest; UD: ready to send). */
static int qp_to_rts(struct ibv_qp *qp, uint32_t dest)
{
	bool rc = qp->qp_type == IBV_QPT_RC;
	struct ibv_qp_attr a = { .qp_state = IBV_QPS_INIT, .port_num = 1,
				 .qkey = 0x1234,
				 .qp_access_flags = IBV_ACCESS_REMOTE_WRITE };
	int err;

	err = ibv_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT |
			    (rc ? IBV_QP_ACCESS_FLAGS : IBV_QP_QKEY));
	if (err)
		return err;
	a = (struct ibv_qp_attr){
		.qp_state = IBV_QPS_RTR, .path_mtu = IBV_MTU_1024,
		.dest_qp_num = dest, .rq_psn = 0x100, .max_dest_rd_atomic = 4,
		.min_rnr_timer = 1,
		.ah_attr = { .is_global = 1, .port_num = 1,
			     .grh = { .dgid = gid, .sgid_index = gid_index,
				      .hop_limit = 64 } },
	};
	err = ibv_modify_qp(qp, &a, IBV_QP_STATE | (rc ? IBV_QP_AV | IBV_QP_PATH_MTU |
			    IBV_QP_DEST_QPN | IBV_QP_RQ_PSN | IBV_QP_MAX_DEST_RD_ATOMIC |
			    IBV_QP_MIN_RNR_TIMER : 0));
	if (err)
		return err;
	a = (struct ibv_qp_attr){
		.qp_state = IBV_QPS_RTS, .sq_psn = 0x100, .timeout = 10,
		.retry_cnt = 7, .rnr_retry = 7, .max_rd_atomic = 4,
	};
	return ibv_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_SQ_PSN | (rc ? IBV_QP_TIMEOUT |
			     IBV_QP_RETRY_CNT | IBV_QP_RNR_RETRY | IBV_QP_MAX_QP_RD_ATOMIC : 0));
}

struct pair {
	struct ibv_cq *cq[2];
	struct ibv_qp *qp[2];
};

static void pair_destroy(struct pair *p)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (p->qp[i])
			CHECK(!ibv_destroy_qp(p->qp[i]));
		if (p->cq[i])
			CHECK(!ibv_destroy_cq(p->cq[i]));
	}
}

/* Two QPs of @type, each with its CQ; RC ones connected to each other. */
static int pair_create(struct pair *p, enum ibv_qp_type type)
{
	struct ibv_qp_init_attr init = {
		.qp_type = type,
		.cap = { .max_send_wr = 16, .max_recv_wr = 16,
			 .max_send_sge = 2, .max_recv_sge = 2 },
	};
	int i, err = 0;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < 2 && !err; i++) {
		p->cq[i] = ibv_create_cq(ctx, 32, NULL, NULL, 0);
		if (!p->cq[i]) {
			err = errno ? errno : EIO;
			break;
		}
		init.send_cq = init.recv_cq = p->cq[i];
		p->qp[i] = ibv_create_qp(pd, &init);
		if (!p->qp[i])
			err = errno ? errno : EIO;
	}
	for (i = 0; i < 2 && !err; i++)
		err = qp_to_rts(p->qp[i], p->qp[!i]->qp_num);
	if (err)
		pair_destroy(p);
	return err;
}

static int v_qp_rc(void)
{
	struct pair p;
	int err = pair_create(&p, IBV_QPT_RC);

	if (!err)
		pair_destroy(&p);
	return err;
}

static int v_qp_ud(void)
{
	struct pair p;
	int err = pair_create(&p, IBV_QPT_UD);

	if (!err)
		pair_destroy(&p);
	return err;
}

static int v_srq(void)
{
	struct ibv_srq_init_attr init = { .attr = { .max_wr = 64, .max_sge = 2 } };
	struct ibv_srq_attr a = { .srq_limit = 8 };
	struct ibv_srq *srq = ibv_create_srq(pd, &init);
	int err;

	if (!srq)
		return errno ? errno : EIO;
	err = ibv_modify_srq(srq, &a, IBV_SRQ_LIMIT);
	CHECK(!ibv_destroy_srq(srq));
	return err;
}

static int v_mr(void)
{
	struct ibv_mr *mr = ibv_reg_mr(pd, buf[0], BUF_LEN, IBV_ACCESS_LOCAL_WRITE |
				       IBV_ACCESS_REMOTE_WRITE);

	if (!mr)
		return errno ? errno : EIO;
	CHECK(!ibv_dereg_mr(mr));
	return 0;
}

/* An ODP MR over @addr (NULL: implicit) with 1 MiB of it prefetched. */
static int odp_mr_prefetched(void *addr, size_t len, uint8_t *at)
{
	int acc = IBV_ACCESS_ON_DEMAND | IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE;
	struct ibv_mr *mr = ibv_reg_mr(pd, addr, len, acc);
	struct ibv_sge sge;
	int err;

	if (!mr)
		return errno ? errno : EIO;
	sge = (struct ibv_sge){ .addr = (uintptr_t)at, .length = 1 << 20, .lkey = mr->lkey };
	err = ibv_advise_mr(pd, IBV_ADVISE_MR_ADVICE_PREFETCH_WRITE,
			    IBV_ADVISE_MR_FLAG_FLUSH, &sge, 1);
	CHECK(!ibv_dereg_mr(mr));
	return err;
}

static uint8_t *odp_area;
#define ODP_LEN (8UL << 20)

static int v_odp_mr(void)
{
	return odp_mr_prefetched(odp_area, ODP_LEN, odp_area + (2 << 20));
}

static int v_implicit_mr(void)
{
	return odp_mr_prefetched(NULL, SIZE_MAX, odp_area + (4 << 20));
}

static int v_ah(void)
{
	struct ibv_ah_attr a = { .is_global = 1, .port_num = 1,
				 .grh = { .dgid = gid, .sgid_index = gid_index,
					  .hop_limit = 64 } };
	struct ibv_ah *ah = ibv_create_ah(pd, &a);

	if (!ah)
		return errno ? errno : EIO;
	CHECK(!ibv_destroy_ah(ah));
	return 0;
}

static int v_mw(void)
{
	struct ibv_mw *mw = ibv_alloc_mw(pd, IBV_MW_TYPE_2);

	if (!mw)
		return errno ? errno : EIO;
	CHECK(!ibv_dealloc_mw(mw));
	return 0;
}

static uint32_t write_seed = 1;

/* An RC pair; 64 KiB by RDMA WRITE from buf[0] to buf[1], checked. */
static int v_rc_write(void)
{
	struct ibv_sge sge = { .addr = (uintptr_t)buf[0], .length = BUF_LEN,
			       .lkey = buf_mr[0]->lkey };
	struct ibv_send_wr wr = {
		.sg_list = &sge, .num_sge = 1, .opcode = IBV_WR_RDMA_WRITE,
		.send_flags = IBV_SEND_SIGNALED,
		.wr.rdma = { .remote_addr = (uintptr_t)buf[1], .rkey = buf_mr[1]->rkey },
	}, *bad;
	struct pair p;
	struct ibv_wc wc;
	int err, n;
	long off;

	rt_fill(buf[0], BUF_LEN, ++write_seed);
	memset(buf[1], 0, BUF_LEN);
	err = pair_create(&p, IBV_QPT_RC);
	if (err)
		return err;
	err = ibv_post_send(p.qp[0], &wr, &bad);
	if (!err) {
		double end = rt_now_ns() + 60e9;

		while ((n = ibv_poll_cq(p.cq[0], 1, &wc)) == 0 && rt_now_ns() < end)
			;
		if (n != 1)
			rt_fail("RDMA WRITE: no completion within 60 s (poll %d)", n);
		if (wc.status != IBV_WC_SUCCESS)
			rt_fail("RDMA WRITE completed with %s", ibv_wc_status_str(wc.status));
		off = rt_mismatch(buf[1], BUF_LEN, write_seed);
		if (off >= 0)
			rt_fail("RDMA WRITE: byte %ld of the target differs", off);
	}
	pair_destroy(&p);
	return err;
}

static long fi_read(const char *attr, const char *file)
{
	char path[128];
	long v;
	FILE *f;

	snprintf(path, sizeof(path), FI "/%s/%s", attr, file);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%ld", &v) != 1)
		rt_fail("cannot read %s", path);
	fclose(f);
	return v;
}

/*
 * An RDMA WRITE of 64 KiB into never-touched ODP memory while the next
 * @k allocations of @attr made through rdma_odp fail. Returns how many
 * failed; *@status is the WRITE's completion status.
 */
static int odp_target_under_failures(const char *attr, int k, enum ibv_wc_status *status)
{
	int acc = IBV_ACCESS_ON_DEMAND | IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE;
	uint8_t *dst = rt_map(BUF_LEN, 4096);
	struct ibv_mr *mr = ibv_reg_mr(pd, dst, BUF_LEN, acc);
	struct ibv_sge sge = { .addr = (uintptr_t)buf[0], .length = BUF_LEN,
			       .lkey = buf_mr[0]->lkey };
	struct ibv_send_wr wr = {
		.sg_list = &sge, .num_sge = 1, .opcode = IBV_WR_RDMA_WRITE,
		.send_flags = IBV_SEND_SIGNALED,
	}, *bad;
	double end = rt_now_ns() + 120e9;
	struct ibv_wc wc;
	struct pair p;
	char v[16];
	long off;
	int n;

	CHECK(mr);
	CHECK(!pair_create(&p, IBV_QPT_RC));
	wr.wr.rdma.remote_addr = (uintptr_t)dst;
	wr.wr.rdma.rkey = mr->rkey;
	rt_fill(buf[0], BUF_LEN, ++write_seed);
	fi_aim("rdma_odp");
	snprintf(v, sizeof(v), "%d", k);
	fi_write(attr, "times", v);
	fi_write(attr, "probability", "100");
	CHECK(!ibv_post_send(p.qp[0], &wr, &bad));
	while ((n = ibv_poll_cq(p.cq[0], 1, &wc)) == 0 && rt_now_ns() < end)
		;
	fi_write(attr, "probability", "0");
	if (n != 1)
		rt_fail("WRITE into ODP with %d %s failures: no completion in 120 s", k, attr);
	*status = wc.status;
	if (wc.status == IBV_WC_SUCCESS) {
		off = rt_mismatch(dst, BUF_LEN, write_seed);
		if (off >= 0)
			rt_fail("WRITE into ODP with %d %s failures: byte %ld differs",
				k, attr, off);
	} else if (wc.status != IBV_WC_REM_ACCESS_ERR) {
		rt_fail("WRITE into ODP with %d %s failures completed with %s", k, attr,
			ibv_wc_status_str(wc.status));
	}
	pair_destroy(&p);
	CHECK(!ibv_dereg_mr(mr));
	munmap(dst, BUF_LEN);
	return k - (int)fi_read(attr, "times");
}

/* ------------------------------------------------------------- sweep */

struct verb {
	const char *name;
	int (*run)(void);
	bool needs_implicit;	/* runs only where implicit ODP is offered */
};

static const struct verb verbs[] = {
	{ "open/close context", v_context, false },
	{ "alloc/dealloc PD", v_pd, false },
	{ "create/resize/destroy CQ", v_cq, false },
	{ "RC QP pair to RTS", v_qp_rc, false },
	{ "UD QP pair to RTS", v_qp_ud, false },
	{ "create/modify/destroy SRQ", v_srq, false },
	{ "register pinned MR", v_mr, false },
	{ "ODP MR with sync prefetch", v_odp_mr, false },
	{ "implicit ODP MR with sync prefetch", v_implicit_mr, true },
	{ "create/destroy AH", v_ah, false },
	{ "alloc/dealloc MW", v_mw, false },
	{ "RC pair and a 64 KiB RDMA WRITE", v_rc_write, false },
};

/*
 * Fail the 1st, 2nd, ... counted allocation of @v until it runs through;
 * return how many failures were injected into it.
 */
static int sweep(const char *mod, const struct verb *v, int *errnos)
{
	int n, err, injected = 0;

	for (n = 1; n <= MAX_NTH; n++) {
		nth_arm(n);
		err = v->run();
		if (!nth_fired()) {
			if (err)
				rt_fail("%s [%s]: fails with no injected failure: %s",
					v->name, mod, strerror(err));
			return injected;
		}
		injected++;
		if (err) {
			if (err < 0 || err > 4095)
				rt_fail("%s [%s]: allocation %d failed: not an errno: %d",
					v->name, mod, n, err);
			(*errnos)++;
		}
	}
	rt_fail("%s [%s]: still allocating after %d failures", v->name, mod, MAX_NTH);
}

int main(void)
{
	static const char *const mods[] = { "rdma_rxe", "rdma_odp" };
	struct ibv_device **list;
	struct ibv_device_attr_ex dx;
	int i, m, n, total = 0, errs = 0;
	char path[64];
	bool implicit;

	if (access(FI "/failslab", W_OK) || access(FI "/fail_page_alloc", W_OK))
		rt_skip("the kernel has no failslab/fail_page_alloc in debugfs");
	snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth", (long)gettid());
	nth_fd = open(path, O_RDWR);
	if (nth_fd < 0)
		rt_skip("no %s: %s", path, strerror(errno));

	list = ibv_get_device_list(&n);
	CHECK(list);
	for (i = 0; i < n; i++)
		if (!strcmp(ibv_get_device_name(list[i]), rt_dev_name()))
			dev = list[i];
	if (!dev)
		rt_fail("device %s not found", rt_dev_name());
	ctx = ibv_open_device(dev);
	CHECK(ctx);
	CHECK((pd = ibv_alloc_pd(ctx)));
	gid_index = rt_ipv4_gid(ctx, &gid);
	CHECK(!ibv_query_device_ex(ctx, NULL, &dx));
	implicit = dx.odp_caps.general_caps & IBV_ODP_SUPPORT_IMPLICIT;
	for (i = 0; i < 2; i++) {
		buf[i] = rt_map(BUF_LEN, 4096);
		CHECK((buf_mr[i] = ibv_reg_mr(pd, buf[i], BUF_LEN, IBV_ACCESS_LOCAL_WRITE |
					      IBV_ACCESS_REMOTE_WRITE)));
	}
	odp_area = rt_map(ODP_LEN, 4096);

	for (m = 0; m < 2; m++) {
		fi_aim(mods[m]);
		for (i = 0; i < (int)(sizeof(verbs) / sizeof(verbs[0])); i++) {
			const struct verb *v = &verbs[i];
			int e = 0, k;

			if (v->needs_implicit && !implicit)
				continue;
			k = sweep(mods[m], v, &e);
			rt_note("%-36s [%s]: %d allocation(s) failed in turn, %d verb error(s)",
				v->name, mods[m], k, e);
			total += k;
			errs += e;
		}
	}
	for (m = 0; m < 2; m++) {
		static const char *const attrs[] = { "failslab", "fail_page_alloc" };
		static const int ks[] = { 1, 4, 16 };

		for (i = 0; i < 3; i++) {
			enum ibv_wc_status st;
			int got = odp_target_under_failures(attrs[m], ks[i], &st);

			rt_note("WRITE into never-touched ODP, next %2d %s of rdma_odp failing: "
				"%d failed, completion %s", ks[i], attrs[m], got,
				ibv_wc_status_str(st));
			total += got;
		}
	}
	fi_write("failslab", "require-start", "0");
	fi_write("failslab", "require-end", "0xffffffffffffffff");
	fi_write("fail_page_alloc", "require-start", "0");
	fi_write("fail_page_alloc", "require-end", "0xffffffffffffffff");
	if (!total)
		rt_fail("no allocation of our modules was ever failed: the filter missed them");
	for (i = 0; i < 2; i++)
		CHECK(!ibv_dereg_mr(buf_mr[i]));
	CHECK(!ibv_dealloc_pd(pd));
	CHECK(!ibv_close_device(ctx));
	ibv_free_device_list(list);
	printf("%d injected allocation failures: %d came back as verb errors, the rest "
	       "were absorbed; every verb then succeeded\n", total, errs);
	return 0;
}
