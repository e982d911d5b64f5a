// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
