// SPDX-License-Identifier: GPL-2.0
/*
 * rxe_opcode.c - the opcode table: which headers each RoCEv2 opcode
 * carries and what kind of operation it is. The header offsets follow
 * from the header set and are computed once at module load.
 */
#include "rxe.h"
#include "rxe_hdr.h"

struct rxe_opinfo rxe_opinfo[256];

static const u8 rxe_hdr_size[RXE_HDR_COUNT] = {
	[RXE_HDR_XRCETH] = sizeof(struct rxe_xrceth),
	[RXE_HDR_FETH]	 = sizeof(struct rxe_feth),
	[RXE_HDR_DETH]	 = sizeof(struct rxe_deth),
	[RXE_HDR_RETH]	 = sizeof(struct rxe_reth),
	[RXE_HDR_ATMETH] = sizeof(struct rxe_atmeth),
	[RXE_HDR_AETH]	 = sizeof(struct rxe_aeth),
	[RXE_HDR_ATMACK] = sizeof(struct rxe_atmack),
	[RXE_HDR_IMMDT]	 = sizeof(__be32),
	[RXE_HDR_IETH]	 = sizeof(__be32),
};

#define REQ_SEND	(RXE_M_REQ | RXE_M_SEND | RXE_M_PAYLOAD)
#define REQ_WRITE	(RXE_M_REQ | RXE_M_WRITE | RXE_M_PAYLOAD)
#define ONLY		(RXE_M_START | RXE_M_END)

/* Operations of the connected transports, without the transport bits. */
static const u32 rxe_op_mask[32] = {
	[RXE_SEND_FIRST]	= REQ_SEND | RXE_M_START,
	[RXE_SEND_MIDDLE]	= REQ_SEND,
	[RXE_SEND_LAST]		= REQ_SEND | RXE_M_END | RXE_M_RWR,
	[RXE_SEND_LAST_IMM]	= REQ_SEND | RXE_M_END | RXE_M_RWR | RXE_M_IMMDT,
	[RXE_SEND_ONLY]		= REQ_SEND | ONLY | RXE_M_RWR,
	[RXE_SEND_ONLY_IMM]	= REQ_SEND | ONLY | RXE_M_RWR | RXE_M_IMMDT,
	[RXE_WRITE_FIRST]	= REQ_WRITE | RXE_M_START | RXE_M_RETH,
	[RXE_WRITE_MIDDLE]	= REQ_WRITE,
	[RXE_WRITE_LAST]	= REQ_WRITE | RXE_M_END,
	[RXE_WRITE_LAST_IMM]	= REQ_WRITE | RXE_M_END | RXE_M_RWR | RXE_M_IMMDT,
	[RXE_WRITE_ONLY]	= REQ_WRITE | ONLY | RXE_M_RETH,
	[RXE_WRITE_ONLY_IMM]	= REQ_WRITE | ONLY | RXE_M_RETH | RXE_M_RWR | RXE_M_IMMDT,
	[RXE_READ_REQUEST]	= RXE_M_REQ | RXE_M_READ | ONLY | RXE_M_RETH,
	[RXE_READ_RESP_FIRST]	= RXE_M_RESP | RXE_M_READ | RXE_M_PAYLOAD |
				  RXE_M_START | RXE_M_AETH,
	[RXE_READ_RESP_MIDDLE]	= RXE_M_RESP | RXE_M_READ | RXE_M_PAYLOAD,
	[RXE_READ_RESP_LAST]	= RXE_M_RESP | RXE_M_READ | RXE_M_PAYLOAD |
				  RXE_M_END | RXE_M_AETH,
	[RXE_READ_RESP_ONLY]	= RXE_M_RESP | RXE_M_READ | RXE_M_PAYLOAD | ONLY |
				  RXE_M_AETH,
	[RXE_ACK]		= RXE_M_RESP | ONLY | RXE_M_AETH,
	[RXE_ATOMIC_ACK]	= RXE_M_RESP | ONLY | RXE_M_AETH | RXE_M_ATMACK,
	[RXE_CMP_SWAP]		= RXE_M_REQ | RXE_M_ATOMIC | ONLY | RXE_M_ATMETH,
	[RXE_FETCH_ADD]		= RXE_M_REQ | RXE_M_ATOMIC | ONLY | RXE_M_ATMETH,
	[RXE_SEND_LAST_INV]	= REQ_SEND | RXE_M_END | RXE_M_RWR | RXE_M_IETH,
	[RXE_SEND_ONLY_INV]	= REQ_SEND | ONLY | RXE_M_RWR | RXE_M_IETH,
	[RXE_FLUSH]		= RXE_M_REQ | RXE_M_FLUSH | ONLY | RXE_M_FETH | RXE_M_RETH,
	[RXE_ATOMIC_WRITE]	= RXE_M_REQ | RXE_M_ATOMIC_WRITE | RXE_M_PAYLOAD | ONLY |
				  RXE_M_RETH,
};

static void rxe_opinfo_set(u8 opcode, u32 mask)
{
	struct rxe_opinfo *info = &rxe_opinfo[opcode];
	unsigned int off = sizeof(struct rxe_bth);
	int id;

	info->mask = mask | RXE_M_VALID;
	for (id = 0; id < RXE_HDR_COUNT; id++) {
		if (!(mask & BIT(id)))
			continue;
		info->offset[id] = off;
		off += rxe_hdr_size[id];
	}
	info->hdr_len = off;
}

/** rxe_opinfo_init() - fill the opcode table (at module load). */
void rxe_opinfo_init(void)
{
	static const u8 uc_ops[] = {
		RXE_SEND_FIRST, RXE_SEND_MIDDLE, RXE_SEND_LAST, RXE_SEND_LAST_IMM,
		RXE_SEND_ONLY, RXE_SEND_ONLY_IMM, RXE_WRITE_FIRST, RXE_WRITE_MIDDLE,
		RXE_WRITE_LAST, RXE_WRITE_LAST_IMM, RXE_WRITE_ONLY, RXE_WRITE_ONLY_IMM,
	};
	int op, i;

	for (op = 0; op < ARRAY_SIZE(rxe_op_mask); op++)
		if (rxe_op_mask[op])
			rxe_opinfo_set(RXE_OP_RC | op, rxe_op_mask[op]);
	for (i = 0; i < ARRAY_SIZE(uc_ops); i++)
		rxe_opinfo_set(RXE_OP_UC | uc_ops[i], rxe_op_mask[uc_ops[i]]);
	/* XRC: RC's operations but FLUSH and ATOMIC WRITE; requests name an SRQ */
	for (op = 0; op < ARRAY_SIZE(rxe_op_mask); op++) {
		u32 mask = rxe_op_mask[op];

		if (!mask || (mask & (RXE_M_FLUSH | RXE_M_ATOMIC_WRITE)))
			continue;
		rxe_opinfo_set(RXE_OP_XRC | op, mask & RXE_M_REQ ? mask | RXE_M_XRCETH : mask);
	}
	rxe_opinfo_set(RXE_OP_UD | RXE_SEND_ONLY, rxe_op_mask[RXE_SEND_ONLY] | RXE_M_DETH);
	rxe_opinfo_set(RXE_OP_UD | RXE_SEND_ONLY_IMM,
		       rxe_op_mask[RXE_SEND_ONLY_IMM] | RXE_M_DETH);
}
