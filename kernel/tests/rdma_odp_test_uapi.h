/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * rdma_odp_test_uapi.h - private interface of the rdma_odp_test module,
 * the test driver of the ODP core (/dev/rdma_odp_test). Each open file
 * holds at most one region of the opening process's address space.
 */
#ifndef RDMA_ODP_TEST_UAPI_H
#define RDMA_ODP_TEST_UAPI_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* rdma_odp_test_reg.flags */
#define RDMA_ODP_TEST_WRITABLE	1	/* translations may allow writes */
#define RDMA_ODP_TEST_IMPLICIT	2	/* the whole address space (addr, len ignored) */

/* rdma_odp_test_range.flags */
#define RDMA_ODP_TEST_FAULT_WRITE	1
#define RDMA_ODP_TEST_SNAPSHOT		2	/* PREFETCH only: fault nothing */

/* rdma_odp_test_info.stats[], in the core's enum rdma_odp_stat order */
enum {
	RDMA_ODP_TEST_STAT_FAULTS,
	RDMA_ODP_TEST_STAT_FAULT_PAGES,
	RDMA_ODP_TEST_STAT_FAULT_ERRORS,
	RDMA_ODP_TEST_STAT_FAULTS_BUSY,
	RDMA_ODP_TEST_STAT_INVALIDATIONS,
	RDMA_ODP_TEST_STAT_INVALIDATED_PAGES,
	RDMA_ODP_TEST_STAT_PREFETCHES,
	RDMA_ODP_TEST_STAT_PREFETCH_PAGES,
	RDMA_ODP_TEST_STAT_CHUNKS_ADDED,
	RDMA_ODP_TEST_STAT_CHUNKS_FREED,
	RDMA_ODP_TEST_STAT_IMPLICIT_CHILDREN_ADDED,
	RDMA_ODP_TEST_STAT_IMPLICIT_CHILDREN_FREED,
	RDMA_ODP_TEST_NSTATS = 16
};

struct rdma_odp_test_reg {
	__u64 addr;
	__u64 len;
	__u32 flags;
	__u32 pad;
};

/* FAULT (map and lock, then unlock) and PREFETCH */
struct rdma_odp_test_range {
	__u64 addr;
	__u64 len;
	__u32 flags;
	__u32 pad;
};

/* READ / WRITE through the region's translations; buf is a user pointer */
struct rdma_odp_test_io {
	__u64 addr;
	__u64 len;
	__u64 buf;
};

/* STATE: one byte per page into buf: 0 not mapped, 1 read, 2 writable */
struct rdma_odp_test_state {
	__u64 addr;
	__u64 npages;
	__u64 buf;
};

struct rdma_odp_test_info {
	__u64 stats[RDMA_ODP_TEST_NSTATS];
	__u64 npages;		/* translations present */
	__u64 table_bytes;	/* memory of the translation table */
};

#define RDMA_ODP_TEST_REGISTER	_IOW('O', 1, struct rdma_odp_test_reg)
#define RDMA_ODP_TEST_UNREGISTER _IO('O', 2)
#define RDMA_ODP_TEST_FAULT	_IOW('O', 3, struct rdma_odp_test_range)
#define RDMA_ODP_TEST_PREFETCH	_IOW('O', 4, struct rdma_odp_test_range)
#define RDMA_ODP_TEST_READ	_IOW('O', 5, struct rdma_odp_test_io)
#define RDMA_ODP_TEST_WRITE	_IOW('O', 6, struct rdma_odp_test_io)
#define RDMA_ODP_TEST_STATE	_IOW('O', 7, struct rdma_odp_test_state)
#define RDMA_ODP_TEST_INFO	_IOR('O', 8, struct rdma_odp_test_info)

#endif /* RDMA_ODP_TEST_UAPI_H */
