/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rdma_odp.h - API of the rdma_odp on-demand-paging core module.
 *
 * Exported symbols carry the rdma_odp_ prefix so that they never clash
 * with the in-tree ib_umem_odp_* of ib_uverbs.
 */
#ifndef RDMA_ODP_H
#define RDMA_ODP_H

#define RDMA_ODP_VERSION "rxe-odp-0.1"

#endif /* RDMA_ODP_H */
