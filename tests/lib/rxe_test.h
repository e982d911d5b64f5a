/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * rxe_test.h - helpers for the C tests. A test exits 0 to pass, 77 to
 * skip; it prints "FAIL: reason" / "SKIP: reason" as its last line.
 */
#ifndef RXE_TEST_H
#define RXE_TEST_H

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <infiniband/verbs.h>

#define TEST_SKIP 77

void rt_fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void rt_skip(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void rt_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Fail with the expression text and errno when @cond is false. */
#define CHECK(cond, ...)							\
	do {									\
		if (!(cond))							\
			rt_fail("%s:%d: %s (errno %d: %s)", __FILE__, __LINE__,	\
				#cond, errno, strerror(errno));			\
	} while (0)

/* The device under test: $RXE_DEV (default rxe0). */
const char *rt_dev_name(void);

/* Open the device under test; fails the test if it is absent. */
struct ibv_context *rt_open_dev(void);

/*
 * The index of the RoCE GID of the test netdev's IPv4 address (an
 * IPv4-mapped GID, ::ffff:a.b.c.d) on port 1, copied to @gid; fails the
 * test if there is none.
 */
int rt_ipv4_gid(struct ibv_context *ctx, union ibv_gid *gid);

/*
 * An RC QP on @pd with @cq for both directions, moved to INIT, holding
 * @nrecv posted receives with wr_ids 0 .. nrecv-1: moving it to ERR
 * produces exactly those completions (flushed), in that order.
 */
struct ibv_qp *rt_qp_with_receives(struct ibv_pd *pd, struct ibv_cq *cq, int nrecv);

/* Move @qp to the error state. */
void rt_qp_to_err(struct ibv_qp *qp);

/* Run a shell command, fail the test if it does not exit 0. */
void rt_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Connection parameters of rt_rc_pair() / rt_rc_connect(). */
struct rt_rc_opts {
	int access;		/* IBV_ACCESS_* the QPs allow their peer */
	enum ibv_mtu mtu;	/* 0: 1024 */
	uint8_t timeout, retry_cnt, rnr_retry, min_rnr_timer;
	struct ibv_srq *srq;	/* rt_rc_pair: qp[1] receives through it */
};

/*
 * Options of most tests: RDMA WRITE, READ and atomics allowed, long
 * timeout, seven retries, RNR retried forever.
 */
extern const struct rt_rc_opts rt_rdma_opts;

/* Two RC QPs of one device connected to each other, each with its CQ. */
struct rt_rc_pair {
	struct ibv_cq *cq[2];
	struct ibv_qp *qp[2];
};

/* Move a fresh RC QP through INIT and RTR to RTS, its path our IPv4 GID. */
void rt_rc_connect(struct ibv_qp *qp, uint32_t dest_qpn, const struct rt_rc_opts *o);
void rt_rc_pair(struct rt_rc_pair *p, struct ibv_pd *pd, const struct rt_rc_opts *o);
void rt_rc_pair_destroy(struct rt_rc_pair *p);

/*
 * The remote side of @wr by its opcode: the atomic fields (compare_add 1,
 * which a FETCH_AND_ADD adds) or the RDMA ones.
 */
void rt_wr_set_remote(struct ibv_send_wr *wr, uint64_t raddr, uint32_t rkey);

/*
 * Post one signaled send work request of one SGE; (raddr, rkey) is the
 * remote target of RDMA and atomic opcodes (fetch&add adds 1, compare&swap
 * compares with 1). Fails the test if posting fails.
 */
void rt_post_send(struct ibv_qp *qp, enum ibv_wr_opcode op, uint64_t wr_id, uint32_t lkey,
		  void *local, uint32_t len, uint64_t raddr, uint32_t rkey);
/* Post one receive of one SGE; fails the test if posting fails. */
void rt_post_recv(struct ibv_qp *qp, uint64_t wr_id, uint32_t lkey, void *p, uint32_t len);

/* Poll @cq until one completion arrives; fail after @secs seconds. */
struct ibv_wc rt_wait_wc(struct ibv_cq *cq, int secs);
/* The next completion of @cq must have @status and @wr_id. */
struct ibv_wc rt_expect_wc(struct ibv_cq *cq, enum ibv_wc_status status, uint64_t wr_id);

/*
 * The next async event of @ctx within @ms milliseconds, acknowledged and
 * copied to @ev (its element pointers stay valid); its type, or -1 if none
 * came. The caller has made ctx->async_fd non-blocking.
 */
int rt_async_event(struct ibv_context *ctx, int ms, struct ibv_async_event *ev);

/* A hardware counter of the device under test (sysfs hw_counters). */
uint64_t rt_counter(const char *name);
/* CLOCK_MONOTONIC in nanoseconds (guest instructions in the deterministic mode). */
double rt_now_ns(void);
/* A field of /proc/meminfo in kB ("SwapTotal", "Slab", ...), 0 if absent. */
long rt_meminfo_kb(const char *field);
/*
 * RDMA WRITE @len bytes from @src (advancing by @src_step per message: 0
 * resends the same @msg bytes) to @dst in @msg pieces, @window outstanding;
 * fails the test on an error completion. Return: nanoseconds taken.
 */
double rt_write_stream(struct rt_rc_pair *p, struct ibv_mr *ls, uint8_t *src, size_t src_step,
		       struct ibv_mr *rd, uint8_t *dst, size_t len, uint32_t msg, int window);

/*
 * Skip the test unless the device reports ODP support for RC with all of
 * @rc_caps (IBV_ODP_SUPPORT_* of ibv_query_device_ex()).
 */
void rt_require_odp(struct ibv_context *ctx, uint32_t rc_caps);
/* Register @len bytes at @addr with IBV_ACCESS_ON_DEMAND | @access; fails the test on error. */
struct ibv_mr *rt_reg_odp(struct ibv_pd *pd, void *addr, size_t len, int access);
/*
 * Post one signaled request (see rt_post_send()) and wait for its
 * completion; return its status.
 */
enum ibv_wc_status rt_do(struct rt_rc_pair *p, enum ibv_wr_opcode op, struct ibv_mr *lmr,
			 void *local, uint32_t len, struct ibv_mr *rmr, void *remote);
/*
 * A loop count or duration of a stress test, cut to a third on a checker
 * kernel (the debug target: $RXE_CHECKED), where KASAN and lockdep make
 * every operation about ten times dearer; at least 1.
 */
int rt_scaled(int n);
/* A fresh anonymous read-write mapping of @len bytes aligned to @align (never touched). */
void *rt_map(size_t len, size_t align);
/* Fill / check a pattern derived from @seed (check: offset of the first bad byte, or -1). */
void rt_fill(void *p, size_t len, uint32_t seed);
long rt_mismatch(const void *p, size_t len, uint32_t seed);

/*
 * An invalidation storm: a thread that, until rt_storm_stop(), keeps
 * invalidating random ranges of @nbufs buffers of @len bytes (page
 * multiples) without changing what they hold: mprotect flips, fork (COW
 * write protection), MADV_PAGEOUT, migration between NUMA nodes 0 and 1.
 * ops[] counts each kind.
 */
#define RT_STORM_OPS 4
struct rt_storm {
	uint8_t *const *bufs;
	int nbufs;
	size_t len;
	unsigned int seed;
	int stop;
	pthread_t thread;
	unsigned long ops[RT_STORM_OPS];	/* mprotect, fork, pageout, migrate */
};
void rt_storm_start(struct rt_storm *s, uint8_t *const *bufs, int nbufs, size_t len,
		    unsigned int seed);
void rt_storm_stop(struct rt_storm *s);

#endif /* RXE_TEST_H */
