// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/mman.h>

#include <poll.h>

#include "rxe_test.h"

static void vsay(const char *tag, const char *fmt, va_list ap)
{
	printf("%s", tag);
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
}

void rt_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("FAIL: ", fmt, ap);
	va_end(ap);
	exit(1);
}

void rt_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("SKIP: ", fmt, ap);
	va_end(ap);
	exit(TEST_SKIP);
}

void rt_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("# ", fmt, ap);
	va_end(ap);
}

const char *rt_dev_name(void)
{
	const char *n = getenv("RXE_DEV");

	return n && *n ? n : "rxe0";
}

struct ibv_context *rt_open_dev(void)
{
	struct ibv_device **list;
	struct ibv_context *ctx = NULL;
	int i, n;

	list = ibv_get_device_list(&n);
	if (!list)
		rt_fail("ibv_get_device_list: %s", strerror(errno));
	for (i = 0; i < n; i++) {
		if (strcmp(ibv_get_device_name(list[i]), rt_dev_name()))
			continue;
		ctx = ibv_open_device(list[i]);
		if (!ctx)
			rt_fail("ibv_open_device(%s): %s", rt_dev_name(), strerror(errno));
	}
	ibv_free_device_list(list);
	if (!ctx)
		rt_fail("device %s not found by libibverbs", rt_dev_name());
	return ctx;
}

void rt_sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	if (rc != 0)
		rt_fail("command '%s' failed (status %d)", cmd, rc);
}

int rt_ipv4_gid(struct ibv_context *ctx, union ibv_gid *gid)
{
	int i;

	for (i = 0; i < 16; i++) {
		if (ibv_query_gid(ctx, 1, i, gid))
			continue;
		if (!memcmp(gid->raw, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12))
			return i;
	}
	rt_fail("no IPv4 RoCE GID on %s", rt_dev_name());
}

struct ibv_qp *rt_qp_with_receives(struct ibv_pd *pd, struct ibv_cq *cq, int nrecv)
{
	static char buf[64];
	struct ibv_qp_init_attr init = {
		.send_cq = cq, .recv_cq = cq, .qp_type = IBV_QPT_RC,
		.cap = { .max_send_wr = 1, .max_recv_wr = nrecv,
			 .max_send_sge = 1, .max_recv_sge = 1 },
	};
	struct ibv_qp_attr a = { .qp_state = IBV_QPS_INIT, .port_num = 1 };
	struct ibv_sge sge;
	struct ibv_recv_wr wr = { .sg_list = &sge, .num_sge = 1 }, *bad;
	struct ibv_mr *mr;
	struct ibv_qp *qp;
	int i;

	mr = ibv_reg_mr(pd, buf, sizeof(buf), IBV_ACCESS_LOCAL_WRITE);
	if (!mr)
		rt_fail("ibv_reg_mr: %s", strerror(errno));
	sge = (struct ibv_sge){ .addr = (uintptr_t)buf, .length = sizeof(buf), .lkey = mr->lkey };
	qp = ibv_create_qp(pd, &init);
	if (!qp)
		rt_fail("ibv_create_qp: %s", strerror(errno));
	if (ibv_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT |
				  IBV_QP_ACCESS_FLAGS))
		rt_fail("QP to INIT: %s", strerror(errno));
	for (i = 0; i < nrecv; i++) {
		wr.wr_id = i;
		if (ibv_post_recv(qp, &wr, &bad))
			rt_fail("ibv_post_recv %d: %s", i, strerror(errno));
	}
	return qp;	/* the MR stays registered until the process exits */
}

void rt_qp_to_err(struct ibv_qp *qp)
{
	struct ibv_qp_attr a = { .qp_state = IBV_QPS_ERR };

	if (ibv_modify_qp(qp, &a, IBV_QP_STATE))
		rt_fail("QP to ERR: %s", strerror(errno));
}

void rt_rc_connect(struct ibv_qp *qp, uint32_t dest_qpn, const struct rt_rc_opts *o)
{
	struct ibv_port_attr port;
	union ibv_gid gid;
	int gid_index = rt_ipv4_gid(qp->context, &gid);
	struct ibv_qp_attr a = {
		.qp_state = IBV_QPS_INIT, .port_num = 1,
		.qp_access_flags = o->access,
	};

	if (ibv_query_port(qp->context, 1, &port))
		rt_fail("ibv_query_port: %s", strerror(errno));
	if (ibv_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT |
				  IBV_QP_ACCESS_FLAGS))
		rt_fail("QP %u to INIT: %s", qp->qp_num, strerror(errno));
	a = (struct ibv_qp_attr){
		.qp_state = IBV_QPS_RTR,
		.path_mtu = o->mtu ? o->mtu : IBV_MTU_1024,
		.dest_qp_num = dest_qpn, .rq_psn = 0x1000,
		.max_dest_rd_atomic = 16, .min_rnr_timer = o->min_rnr_timer,
		.ah_attr = { .is_global = 1, .port_num = 1,
			     .grh = { .dgid = gid, .sgid_index = gid_index, .hop_limit = 64 } },
	};
	if (ibv_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU |
				  IBV_QP_DEST_QPN | IBV_QP_RQ_PSN |
				  IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER))
		rt_fail("QP %u to RTR: %s", qp->qp_num, strerror(errno));
	a = (struct ibv_qp_attr){
		.qp_state = IBV_QPS_RTS, .sq_psn = 0x1000,
		.timeout = o->timeout, .retry_cnt = o->retry_cnt,
		.rnr_retry = o->rnr_retry, .max_rd_atomic = 16,
	};
	if (ibv_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_SQ_PSN | IBV_QP_TIMEOUT |
				  IBV_QP_RETRY_CNT | IBV_QP_RNR_RETRY |
				  IBV_QP_MAX_QP_RD_ATOMIC))
		rt_fail("QP %u to RTS: %s", qp->qp_num, strerror(errno));
}

void rt_rc_pair(struct rt_rc_pair *p, struct ibv_pd *pd, const struct rt_rc_opts *o)
{
	struct ibv_qp_init_attr init = {
		.qp_type = IBV_QPT_RC,
		.cap = { .max_send_wr = 64, .max_recv_wr = 64,
			 .max_send_sge = 4, .max_recv_sge = 4, .max_inline_data = 64 },
	};
	int i;

	for (i = 0; i < 2; i++) {
		p->cq[i] = ibv_create_cq(pd->context, 128, NULL, NULL, 0);
		if (!p->cq[i])
			rt_fail("ibv_create_cq: %s", strerror(errno));
		init.send_cq = init.recv_cq = p->cq[i];
		init.srq = i ? o->srq : NULL;
		p->qp[i] = ibv_create_qp(pd, &init);
		if (!p->qp[i])
			rt_fail("ibv_create_qp: %s", strerror(errno));
	}
	rt_rc_connect(p->qp[0], p->qp[1]->qp_num, o);
	rt_rc_connect(p->qp[1], p->qp[0]->qp_num, o);
}

void rt_rc_pair_destroy(struct rt_rc_pair *p)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (ibv_destroy_qp(p->qp[i]) || ibv_destroy_cq(p->cq[i]))
			rt_fail("destroying a QP pair: %s", strerror(errno));
	}
}

struct ibv_wc rt_wait_wc(struct ibv_cq *cq, int secs)
{
	struct timespec start, now;
	struct ibv_wc wc;
	int n;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		n = ibv_poll_cq(cq, 1, &wc);
		if (n < 0)
			rt_fail("ibv_poll_cq: %d", n);
		if (n)
			return wc;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > secs)
			rt_fail("no completion within %d s", secs);
		usleep(200);
	}
}

struct ibv_wc rt_expect_wc(struct ibv_cq *cq, enum ibv_wc_status status, uint64_t wr_id)
{
	struct ibv_wc wc = rt_wait_wc(cq, 30);

	if (wc.status != status || wc.wr_id != wr_id)
		rt_fail("completion wr_id %#llx status %s (%d); expected wr_id %#llx status %s",
			(unsigned long long)wc.wr_id, ibv_wc_status_str(wc.status), wc.status,
			(unsigned long long)wr_id, ibv_wc_status_str(status));
	return wc;
}

int rt_async_event(struct ibv_context *ctx, int ms, struct ibv_async_event *ev)
{
	struct pollfd p = { .fd = ctx->async_fd, .events = POLLIN };

	if (poll(&p, 1, ms) <= 0)
		return -1;
	CHECK(ibv_get_async_event(ctx, ev) == 0);
	ibv_ack_async_event(ev);
	return ev->event_type;
}

uint64_t rt_counter(const char *name)
{
	char path[256];
	unsigned long long v;
	FILE *f;

	usleep(20000);	/* the core caches counter reads for up to a jiffy */
	snprintf(path, sizeof(path), "/sys/class/infiniband/%s/ports/1/hw_counters/%s",
		 rt_dev_name(), name);
	f = fopen(path, "r");
	if (!f)
		rt_fail("cannot read counter %s: %s", path, strerror(errno));
	if (fscanf(f, "%llu", &v) != 1)
		rt_fail("bad counter %s", path);
	fclose(f);
	return v;
}

double rt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

long rt_meminfo_kb(const char *field)
{
	size_t n = strlen(field);
	char line[256];
	long kb = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	CHECK(f);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':')
			kb = atol(line + n + 1);
	fclose(f);
	return kb;
}

double rt_write_stream(struct rt_rc_pair *p, struct ibv_mr *ls, uint8_t *src, size_t src_step,
		       struct ibv_mr *rd, uint8_t *dst, size_t len, uint32_t msg, int window)
{
	size_t n = len / msg, posted = 0, done = 0;
	struct ibv_wc wc[64];
	double t0 = rt_now_ns();

	CHECK(window > 0 && window <= 64);
	while (done < n) {
		int k, i;

		while (posted < n && posted - done < (size_t)window) {
			rt_post_send(p->qp[0], IBV_WR_RDMA_WRITE, posted, ls->lkey,
				     src + posted * src_step, msg,
				     (uintptr_t)(dst + posted * msg), rd->rkey);
			posted++;
		}
		k = ibv_poll_cq(p->cq[0], window, wc);
		CHECK(k >= 0);
		for (i = 0; i < k; i++)
			if (wc[i].status != IBV_WC_SUCCESS)
				rt_fail("completion %s", ibv_wc_status_str(wc[i].status));
		done += k;
	}
	return rt_now_ns() - t0;
}

void rt_wr_set_remote(struct ibv_send_wr *wr, uint64_t raddr, uint32_t rkey)
{
	if (wr->opcode == IBV_WR_ATOMIC_FETCH_AND_ADD || wr->opcode == IBV_WR_ATOMIC_CMP_AND_SWP) {
		wr->wr.atomic.remote_addr = raddr;
		wr->wr.atomic.rkey = rkey;
		wr->wr.atomic.compare_add = 1;
	} else {
		wr->wr.rdma.remote_addr = raddr;
		wr->wr.rdma.rkey = rkey;
	}
}

void rt_post_send(struct ibv_qp *qp, enum ibv_wr_opcode op, uint64_t wr_id, uint32_t lkey,
		  void *local, uint32_t len, uint64_t raddr, uint32_t rkey)
{
	struct ibv_sge sge = { .addr = (uintptr_t)local, .length = len, .lkey = lkey };
	struct ibv_send_wr wr = {
		.wr_id = wr_id, .opcode = op, .sg_list = &sge, .num_sge = 1,
		.send_flags = IBV_SEND_SIGNALED,
	}, *bad;

	rt_wr_set_remote(&wr, raddr, rkey);
	if (ibv_post_send(qp, &wr, &bad))
		rt_fail("ibv_post_send (opcode %d, wr_id %#llx): %s", op,
			(unsigned long long)wr_id, strerror(errno));
}

void rt_post_recv(struct ibv_qp *qp, uint64_t wr_id, uint32_t lkey, void *p, uint32_t len)
{
	struct ibv_sge sge = { .addr = (uintptr_t)p, .length = len, .lkey = lkey };
	struct ibv_recv_wr wr = { .wr_id = wr_id, .sg_list = &sge, .num_sge = 1 }, *bad;

	if (ibv_post_recv(qp, &wr, &bad))
		rt_fail("ibv_post_recv (wr_id %#llx): %s", (unsigned long long)wr_id,
			strerror(errno));
}

const struct rt_rc_opts rt_rdma_opts = {
	.access = IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ | IBV_ACCESS_REMOTE_ATOMIC,
	.timeout = 14, .retry_cnt = 7, .rnr_retry = 7, .min_rnr_timer = 1,
};

void rt_require_odp(struct ibv_context *ctx, uint32_t rc_caps)
{
	struct ibv_device_attr_ex attr = {};

	if (ibv_query_device_ex(ctx, NULL, &attr))
		rt_skip("ibv_query_device_ex failed: %s", strerror(errno));
	if (!(attr.odp_caps.general_caps & IBV_ODP_SUPPORT))
		rt_skip("the device reports no ODP support");
	if ((attr.odp_caps.per_transport_caps.rc_odp_caps & rc_caps) != rc_caps)
		rt_skip("RC ODP caps %#x lack %#x",
			attr.odp_caps.per_transport_caps.rc_odp_caps, rc_caps);
}

struct ibv_mr *rt_reg_odp(struct ibv_pd *pd, void *addr, size_t len, int access)
{
	struct ibv_mr *mr = ibv_reg_mr(pd, addr, len, IBV_ACCESS_ON_DEMAND | access);

	if (!mr)
		rt_fail("ibv_reg_mr(ODP, %p+%#zx, %#x): %s", addr, len, access, strerror(errno));
	return mr;
}

enum ibv_wc_status rt_do(struct rt_rc_pair *p, enum ibv_wr_opcode op, struct ibv_mr *lmr,
			 void *local, uint32_t len, struct ibv_mr *rmr, void *remote)
{
	static _Thread_local uint64_t id;	/* threads each drive their own pair */
	struct ibv_wc wc;

	rt_post_send(p->qp[0], op, ++id, lmr->lkey, local, len, (uintptr_t)remote,
		     rmr ? rmr->rkey : 0);
	wc = rt_wait_wc(p->cq[0], 30);
	if (wc.wr_id != id)
		rt_fail("completion of wr %llu, expected %llu", (unsigned long long)wc.wr_id,
			(unsigned long long)id);
	return wc.status;
}

void *rt_map(size_t len, size_t align)
{
	uint8_t *p = mmap(NULL, len + align, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t a;

	CHECK(p != MAP_FAILED);
	a = ((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1);
	if (a > (uintptr_t)p)
		munmap(p, a - (uintptr_t)p);
	if ((uintptr_t)p + align > a)
		munmap((void *)(a + len), (uintptr_t)p + align - a);
	return (void *)a;
}

static uint8_t rt_byte(size_t i, uint32_t seed)
{
	uint32_t x = (uint32_t)i * 2654435761u ^ seed * 40503u;

	return (uint8_t)(x >> 13 ^ x);
}

void rt_fill(void *p, size_t len, uint32_t seed)
{
	uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = rt_byte(i, seed);
}

long rt_mismatch(const void *p, size_t len, uint32_t seed)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != rt_byte(i, seed))
			return (long)i;
	return -1;
}

int rt_scaled(int n)
{
	const char *c = getenv("RXE_CHECKED");

	if (c && *c && strcmp(c, "0"))
		n /= 3;
	return n > 0 ? n : 1;
}
