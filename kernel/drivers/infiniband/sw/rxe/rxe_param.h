/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rxe_param.h - the limits our device advertises.
 */
#ifndef RXE_PARAM_H
#define RXE_PARAM_H

#include <linux/sizes.h>

#define RXE_VENDOR_ID			0xffffff	/* no IEEE OUI: software device */
#define RXE_VENDOR_PART_ID		0
#define RXE_HW_VER			0
#define RXE_UVERBS_ABI_VERSION		2	/* what the rdma-core rxe provider matches */

#define RXE_MAX_MR_SIZE			(~0ULL)
#define RXE_PAGE_SIZE_CAP		0xfffff000ULL	/* 4 KiB .. 2 GiB pages */
#define RXE_MAX_QP			0x10000
#define RXE_MAX_QP_WR			0x4000
#define RXE_MAX_SGE			32
#define RXE_MAX_SGE_RD			32
#define RXE_MAX_CQ			0x4000
#define RXE_MAX_CQE			0x7fff
#define RXE_MAX_MR			0x40000
#define RXE_MAX_MW			0x10000
#define RXE_MW_INDEX_BASE		0x800000	/* above every MR index */
#define RXE_MAX_FAST_REG_PAGES		512
#define RXE_MAX_PD			0x10000
#define RXE_MAX_QP_RD_ATOM		128
#define RXE_MAX_RES_RD_ATOM		0x3f000
#define RXE_MAX_SRQ			0x4000
#define RXE_MAX_SRQ_WR			0x4000
#define RXE_MAX_AH			0x10000
#define RXE_MAX_MCAST_GRP		8192
#define RXE_MAX_MCAST_QP_ATTACH		56
#define RXE_MAX_INLINE_DATA		400
#define RXE_MAX_PKEYS			1
#define RXE_DEFAULT_PKEY		0xffff
#define RXE_MAX_MSG_SIZE		SZ_2G
#define RXE_MAX_PAYLOAD			4096	/* of a packet: the largest IB MTU */
/* the requester's pause when an ODP page of its payload is busy */
#define RXE_REQ_BUSY_PAUSE_US		100
#define RXE_PORT_GID_TBL_LEN		1024
#define RXE_PORT			1	/* the device has one port */

#endif /* RXE_PARAM_H */
