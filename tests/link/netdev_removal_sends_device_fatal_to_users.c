// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=modules timeout=120
/*
 * Deleting the netdev of a device a process is using: the process gets
 * IBV_EVENT_DEVICE_FATAL, the device disappears at once rather than when
 * the process exits, new verbs on it fail, and the process can still
 * release what it held and close the device.
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "rxe_test.h"

#define DEV "rxe_f0"

static bool dev_present(void)
{
	struct stat st;

	return stat("/sys/class/infiniband/" DEV, &st) == 0;
}

int main(void)
{
	struct ibv_qp_init_attr init = {
		.qp_type = IBV_QPT_RC,
		.cap = { .max_send_wr = 4, .max_recv_wr = 4, .max_send_sge = 1, .max_recv_sge = 1 },
	};
	struct ibv_qp_attr a = { .qp_state = IBV_QPS_INIT, .port_num = 1 };
	struct ibv_async_event ev;
	struct ibv_context *ctx;
	struct ibv_mr *mr, *odp;
	struct ibv_pd *pd, *pd2;
	struct ibv_cq *cq;
	struct ibv_qp *qp;
	static char buf[1 << 16];
	int i, type;

	rt_sh("ip link add rxe_vf0 type veth peer name rxe_vf1 && ip link set rxe_vf0 up && "
	      "ip link set rxe_vf1 up && rdma link add " DEV " type rxe netdev rxe_vf0");
	setenv("RXE_DEV", DEV, 1);
	ctx = rt_open_dev();
	CHECK((pd = ibv_alloc_pd(ctx)) != NULL);
	CHECK((cq = ibv_create_cq(ctx, 8, NULL, NULL, 0)) != NULL);
	init.send_cq = init.recv_cq = cq;
	CHECK((qp = ibv_create_qp(pd, &init)) != NULL);
	CHECK(ibv_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT |
			    IBV_QP_ACCESS_FLAGS) == 0);
	CHECK((mr = ibv_reg_mr(pd, buf, sizeof(buf), IBV_ACCESS_LOCAL_WRITE)) != NULL);
	odp = ibv_reg_mr(pd, NULL, SIZE_MAX, IBV_ACCESS_ON_DEMAND | IBV_ACCESS_LOCAL_WRITE);
	CHECK(fcntl(ctx->async_fd, F_SETFL, O_NONBLOCK) == 0);

	rt_sh("ip link del rxe_vf0");
	/* port and GID events may come first */
	for (i = 0; i < 16; i++) {
		type = rt_async_event(ctx, 20000, &ev);
		if (type == IBV_EVENT_DEVICE_FATAL || type < 0)
			break;
		rt_note("async event before it: %s", ibv_event_type_str(type));
	}
	if (type != IBV_EVENT_DEVICE_FATAL)
		rt_fail("no DEVICE_FATAL within 20 s of deleting the netdev (last event %d)", type);
	for (i = 0; i < 200 && dev_present(); i++)
		usleep(100 * 1000);
	if (dev_present())
		rt_fail(DEV " still present while its user holds it open");
	pd2 = ibv_alloc_pd(ctx);
	if (pd2)
		rt_fail("a PD was allocated on a removed device");
	rt_note("DEVICE_FATAL delivered, device gone while in use, new verbs fail (errno %d)",
		errno);

	/* releasing what it held and closing still work (errors allowed) */
	ibv_destroy_qp(qp);
	ibv_destroy_cq(cq);
	if (odp)
		ibv_dereg_mr(odp);
	ibv_dereg_mr(mr);
	ibv_dealloc_pd(pd);
	CHECK(ibv_close_device(ctx) == 0);
	printf("PASS\n");
	return 0;
}
