// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=rxe0 timeout=240
/*
 * UD multicast on one device: a sender's datagrams to an IPv4 group
 * (QPN 0xFFFFFF, an AH to the group's GID) reach every QP attached to the
 * group and no other, each with the data, the sender's QPN and the group
 * as the GRH's destination; a wrong Q_Key drops them at every member.
 * Attaching joins the netdev to the IP group (/proc/net/igmp), detaching
 * the last QP leaves it, after which datagrams to the group reach no QP.
 * An attached QP cannot be destroyed; detaching a QP that
 * is not attached, attaching an RC QP or a unicast GID are refused, and a
 * group takes at most max_mcast_qp_attach QPs.
 */
#include <arpa/inet.h>

#include "rxe_test.h"

#define QKEY 0x22220000
#define GRH 40
#define LEN 256
#define NRECV 3
#define GROUP "239.1.2.3"

struct ud {
	struct ibv_cq *cq;
	struct ibv_qp *qp;
	struct ibv_mr *mr;
	uint8_t buf[GRH + LEN];
};

static struct ibv_pd *pd;

static struct ibv_qp *ud_qp(struct ibv_cq *cq, enum ibv_qp_type type)
{
	struct ibv_qp_init_attr init = {
		.send_cq = cq, .recv_cq = cq, .qp_type = type,
		.cap = { .max_send_wr = 8, .max_recv_wr = 8,
			 .max_send_sge = 1, .max_recv_sge = 1 },
	};

	return ibv_create_qp(pd, &init);
}

static void ud_up(struct ud *u)
{
	struct ibv_qp_attr a = { .qp_state = IBV_QPS_INIT, .port_num = 1, .qkey = QKEY };

	CHECK((u->cq = ibv_create_cq(pd->context, 16, NULL, NULL, 0)) != NULL);
	CHECK((u->qp = ud_qp(u->cq, IBV_QPT_UD)) != NULL);
	CHECK((u->mr = ibv_reg_mr(pd, u->buf, sizeof(u->buf), IBV_ACCESS_LOCAL_WRITE)) != NULL);
	CHECK(ibv_modify_qp(u->qp, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX |
			    IBV_QP_PORT | IBV_QP_QKEY) == 0);
	a.qp_state = IBV_QPS_RTR;
	CHECK(ibv_modify_qp(u->qp, &a, IBV_QP_STATE) == 0);
	a.qp_state = IBV_QPS_RTS;
	CHECK(ibv_modify_qp(u->qp, &a, IBV_QP_STATE | IBV_QP_SQ_PSN) == 0);
}

static void ud_down(struct ud *u)
{
	CHECK(ibv_destroy_qp(u->qp) == 0);
	CHECK(ibv_dereg_mr(u->mr) == 0);
	CHECK(ibv_destroy_cq(u->cq) == 0);
}

/* Whether /proc/net/igmp lists @group as joined. */
static bool igmp_joined(struct in_addr group)
{
	char line[256], hex[16];
	bool found = false;
	FILE *f;

	snprintf(hex, sizeof(hex), "%08X", group.s_addr);
	CHECK((f = fopen("/proc/net/igmp", "r")) != NULL);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, hex))
			found = true;
	fclose(f);
	return found;
}

/* Send @seed's pattern to the group with @qkey; wait for the send completion. */
static void send_group(struct ud *s, struct ibv_ah *ah, uint32_t qkey, uint32_t seed)
{
	struct ibv_sge sge = { (uintptr_t)s->buf, LEN, s->mr->lkey };
	struct ibv_send_wr wr = {
		.wr_id = seed, .sg_list = &sge, .num_sge = 1,
		.opcode = seed & 1 ? IBV_WR_SEND_WITH_IMM : IBV_WR_SEND,
		.send_flags = IBV_SEND_SIGNALED, .imm_data = htonl(seed),
		.wr.ud = { .ah = ah, .remote_qpn = 0xffffff, .remote_qkey = qkey },
	}, *bad;

	rt_fill(s->buf, LEN, seed);
	CHECK(ibv_post_send(s->qp, &wr, &bad) == 0);
	rt_expect_wc(s->cq, IBV_WC_SUCCESS, seed);
}

static void post_recv(struct ud *r, uint64_t wr_id)
{
	rt_post_recv(r->qp, wr_id, r->mr->lkey, r->buf, sizeof(r->buf));
}

/* @r got datagram @seed from @s: data, source QPN, immediate, GRH. */
static void expect_datagram(struct ud *r, struct ud *s, uint32_t seed, uint64_t wr_id,
			    struct in_addr group, const char *who)
{
	struct ibv_wc wc = rt_expect_wc(r->cq, IBV_WC_SUCCESS, wr_id);
	uint32_t daddr;
	long bad;

	if (wc.byte_len != GRH + LEN || wc.src_qp != s->qp->qp_num ||
	    !(wc.wc_flags & IBV_WC_GRH))
		rt_fail("%s, datagram %u: byte_len %u src_qp %u flags %#x (want %u, %u, GRH)",
			who, seed, wc.byte_len, wc.src_qp, wc.wc_flags, GRH + LEN,
			s->qp->qp_num);
	if (!!(wc.wc_flags & IBV_WC_WITH_IMM) != (seed & 1) ||
	    ((seed & 1) && ntohl(wc.imm_data) != seed))
		rt_fail("%s, datagram %u: immediate wrong (flags %#x)", who, seed, wc.wc_flags);
	bad = rt_mismatch(r->buf + GRH, LEN, seed);
	if (bad >= 0)
		rt_fail("%s, datagram %u: byte %ld differs", who, seed, bad);
	/* RoCEv2 over IPv4: the GRH's last 20 bytes are the IP header */
	memcpy(&daddr, r->buf + 20 + 16, 4);
	if (daddr != group.s_addr)
		rt_fail("%s, datagram %u: GRH destination %08x, not the group", who, seed,
			ntohl(daddr));
}

static void expect_nothing(struct ud *r, const char *who)
{
	struct ibv_wc wc;

	usleep(200 * 1000);
	if (ibv_poll_cq(r->cq, 1, &wc))
		rt_fail("%s received a datagram it should not have (wr_id %llu, status %d)",
			who, (unsigned long long)wc.wr_id, wc.status);
}

/* Attach QPs until the group is full; one more gets ENOMEM. */
static void group_limit(struct ibv_context *ctx, union ibv_gid *mgid)
{
	struct ibv_device_attr da;
	struct ibv_qp **qps;
	struct ibv_cq *cq;
	int i, n;

	CHECK(ibv_query_device(ctx, &da) == 0);
	n = da.max_mcast_qp_attach;
	CHECK(n > 0 && n < 4096);
	CHECK((qps = calloc(n + 1, sizeof(*qps))) != NULL);
	CHECK((cq = ibv_create_cq(ctx, 4, NULL, NULL, 0)) != NULL);
	for (i = 0; i <= n; i++)
		CHECK((qps[i] = ud_qp(cq, IBV_QPT_UD)) != NULL);
	for (i = 0; i < n; i++)
		if (ibv_attach_mcast(qps[i], mgid, 0))
			rt_fail("attach of QP %d of %d refused: %s", i + 1, n, strerror(errno));
	errno = 0;
	if (ibv_attach_mcast(qps[n], mgid, 0) != ENOMEM && errno != ENOMEM)
		rt_fail("QP %d attached to a group of max_mcast_qp_attach %d", n + 1, n);
	for (i = 0; i < n; i++)
		CHECK(ibv_detach_mcast(qps[i], mgid, 0) == 0);
	for (i = 0; i <= n; i++)
		CHECK(ibv_destroy_qp(qps[i]) == 0);
	CHECK(ibv_destroy_cq(cq) == 0);
	free(qps);
	rt_note("a group takes %d QPs, the next one gets ENOMEM", n);
}

int main(void)
{
	struct ibv_context *ctx = rt_open_dev();
	struct ibv_ah_attr aa = { .is_global = 1, .port_num = 1 };
	union ibv_gid mgid = {}, unicast;
	uint64_t mcast0, noqp0;
	struct ud s, r[NRECV];
	struct in_addr group;
	struct ibv_qp *rc;
	struct ibv_ah *ah;
	uint32_t seed;
	int i;

	CHECK((pd = ibv_alloc_pd(ctx)) != NULL);
	CHECK(inet_pton(AF_INET, GROUP, &group) == 1);
	mgid.raw[10] = mgid.raw[11] = 0xff;
	memcpy(&mgid.raw[12], &group, 4);
	aa.grh.sgid_index = rt_ipv4_gid(ctx, &unicast);
	aa.grh.dgid = mgid;
	aa.grh.hop_limit = 1;
	CHECK((ah = ibv_create_ah(pd, &aa)) != NULL);
	ud_up(&s);
	for (i = 0; i < NRECV; i++)
		ud_up(&r[i]);

	/* refused: unicast GID, RC QP */
	if (ibv_attach_mcast(r[0].qp, &unicast, 0) == 0)
		rt_fail("a unicast GID was accepted as a multicast group");
	CHECK((rc = ud_qp(s.cq, IBV_QPT_RC)) != NULL);
	if (ibv_attach_mcast(rc, &mgid, 0) == 0)
		rt_fail("an RC QP was attached to a multicast group");
	CHECK(ibv_destroy_qp(rc) == 0);
	if (igmp_joined(group))
		rt_fail(GROUP " joined before any QP was attached");

	/* r0 and r1 attached (r0 twice: one attachment), r2 not */
	CHECK(ibv_attach_mcast(r[0].qp, &mgid, 0) == 0);
	CHECK(ibv_attach_mcast(r[0].qp, &mgid, 0) == 0);
	CHECK(ibv_attach_mcast(r[1].qp, &mgid, 0) == 0);
	if (!igmp_joined(group))
		rt_fail("attach did not join " GROUP " on the netdev (/proc/net/igmp)");
	mcast0 = rt_counter("rcvd_mcast_pkts");
	for (seed = 1; seed <= 6; seed++) {
		for (i = 0; i < NRECV; i++)
			post_recv(&r[i], seed);
		send_group(&s, ah, QKEY, seed);
		expect_datagram(&r[0], &s, seed, seed, group, "attached QP 0");
		expect_datagram(&r[1], &s, seed, seed, group, "attached QP 1");
	}
	expect_nothing(&r[2], "the QP not attached");
	if (rt_counter("rcvd_mcast_pkts") - mcast0 != 6)
		rt_fail("rcvd_mcast_pkts rose by %llu for 6 datagrams",
			(unsigned long long)(rt_counter("rcvd_mcast_pkts") - mcast0));
	rt_note("6 datagrams reached both attached QPs, checked, and not the third");

	/* a wrong Q_Key: dropped at both members, the posted receives stay */
	post_recv(&r[0], 7);
	post_recv(&r[1], 7);
	noqp0 = rt_counter("rcvd_no_qp");
	send_group(&s, ah, QKEY + 1, 7);
	expect_nothing(&r[0], "attached QP 0 (wrong Q_Key)");
	expect_nothing(&r[1], "attached QP 1 (wrong Q_Key)");
	if (rt_counter("rcvd_no_qp") - noqp0 != 2)
		rt_fail("a wrong-Q_Key datagram to 2 members counted %llu drops",
			(unsigned long long)(rt_counter("rcvd_no_qp") - noqp0));

	/* r1 detached: only r0 gets the next one (into the receive posted for 7) */
	CHECK(ibv_detach_mcast(r[1].qp, &mgid, 0) == 0);
	errno = 0;
	if (ibv_detach_mcast(r[1].qp, &mgid, 0) == 0)
		rt_fail("detaching a QP that is not attached succeeded");
	send_group(&s, ah, QKEY, 8);
	expect_datagram(&r[0], &s, 8, 7, group, "QP 0 after QP 1 left");
	expect_nothing(&r[1], "QP 1 after it detached");

	/* an attached QP stays; the last detach leaves the IP group */
	if (ibv_destroy_qp(r[0].qp) == 0)
		rt_fail("an attached QP was destroyed");
	CHECK(ibv_detach_mcast(r[0].qp, &mgid, 0) == 0);
	if (igmp_joined(group))
		rt_fail("the last detach did not leave " GROUP);
	post_recv(&r[0], 9);
	send_group(&s, ah, QKEY, 9);
	expect_nothing(&r[0], "QP 0 after the group emptied");
	rt_note("detach: datagrams stop; the last one leaves the IP group");

	group_limit(ctx, &mgid);

	for (i = 0; i < NRECV; i++)
		ud_down(&r[i]);
	ud_down(&s);
	CHECK(ibv_destroy_ah(ah) == 0);
	CHECK(ibv_dealloc_pd(pd) == 0);
	CHECK(ibv_close_device(ctx) == 0);
	printf("PASS\n");
	return 0;
}
