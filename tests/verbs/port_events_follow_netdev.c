// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=rxe0 timeout=60
/*
 * Taking the netdev down raises IBV_EVENT_PORT_ERR on port 1, bringing it
 * back raises IBV_EVENT_PORT_ACTIVE - exactly once each.
 */
#include <fcntl.h>

#include "rxe_test.h"

/* The next async event within @ms, or -1; port events name port 1. */
static int next_event(struct ibv_context *ctx, int ms)
{
	struct ibv_async_event ev;
	int type = rt_async_event(ctx, ms, &ev);

	if (type == IBV_EVENT_PORT_ERR || type == IBV_EVENT_PORT_ACTIVE)
		CHECK(ev.element.port_num == 1);
	return type;
}

int main(void)
{
	const char *netdev = getenv("RXE_NETDEV") ? getenv("RXE_NETDEV") : "eth0";
	struct ibv_context *ctx;
	int ev;

	ctx = rt_open_dev();
	CHECK(fcntl(ctx->async_fd, F_SETFL, O_NONBLOCK) == 0);

	rt_sh("ip link set %s down", netdev);
	ev = next_event(ctx, 10000);
	if (ev != IBV_EVENT_PORT_ERR)
		rt_fail("netdev down: event %d, expected PORT_ERR (%d)", ev, IBV_EVENT_PORT_ERR);

	rt_sh("ip link set %s up", netdev);
	ev = next_event(ctx, 10000);
	if (ev != IBV_EVENT_PORT_ACTIVE)
		rt_fail("netdev up: event %d, expected PORT_ACTIVE (%d)", ev, IBV_EVENT_PORT_ACTIVE);

	ev = next_event(ctx, 1000);
	if (ev != -1)
		rt_fail("unexpected extra event %d", ev);

	CHECK(ibv_close_device(ctx) == 0);
	return 0;
}
