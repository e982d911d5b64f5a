/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rxe_hdr.h - RoCEv2 packets: opcodes, transport headers and the
 * per-packet information the engine passes around.
 *
 * A RoCEv2 packet is IP | UDP (dport 4791) | BTH | extension headers |
 * payload | pad (to 4 bytes) | ICRC (4 bytes). The extension headers an
 * opcode carries are fixed by the IBA (ch. 9.2-9.4); their order in the
 * packet is the order of enum rxe_hdr_id. All fields are big endian.
 */
#ifndef RXE_HDR_H
#define RXE_HDR_H

#include <linux/skbuff.h>
#include <linux/types.h>

#define RXE_UDP_PORT		4791
#define RXE_ICRC_SIZE		4
#define RXE_PSN_MASK		0xffffff
#define RXE_QPN_MASK		0xffffff
#define RXE_BTH_TVER		0

/* Transport of an opcode: its top three bits. */
#define RXE_OP_RC		0x00
#define RXE_OP_UC		0x20
#define RXE_OP_UD		0x60
#define RXE_OP_XRC		0xa0
#define RXE_OP_TRANSPORT(op)	((op) & 0xe0)

/* Operations (low five bits), IBA table 38 and the 1.5/1.6 additions. */
enum rxe_op {
	RXE_SEND_FIRST			= 0x00,
	RXE_SEND_MIDDLE			= 0x01,
	RXE_SEND_LAST			= 0x02,
	RXE_SEND_LAST_IMM		= 0x03,
	RXE_SEND_ONLY			= 0x04,
	RXE_SEND_ONLY_IMM		= 0x05,
	RXE_WRITE_FIRST			= 0x06,
	RXE_WRITE_MIDDLE		= 0x07,
	RXE_WRITE_LAST			= 0x08,
	RXE_WRITE_LAST_IMM		= 0x09,
	RXE_WRITE_ONLY			= 0x0a,
	RXE_WRITE_ONLY_IMM		= 0x0b,
	RXE_READ_REQUEST		= 0x0c,
	RXE_READ_RESP_FIRST		= 0x0d,
	RXE_READ_RESP_MIDDLE		= 0x0e,
	RXE_READ_RESP_LAST		= 0x0f,
	RXE_READ_RESP_ONLY		= 0x10,
	RXE_ACK				= 0x11,
	RXE_ATOMIC_ACK			= 0x12,
	RXE_CMP_SWAP			= 0x13,
	RXE_FETCH_ADD			= 0x14,
	RXE_SEND_LAST_INV		= 0x16,
	RXE_SEND_ONLY_INV		= 0x17,
	RXE_FLUSH			= 0x1c,
	RXE_ATOMIC_WRITE		= 0x1d,
};

/* Extension headers, in packet order. */
enum rxe_hdr_id {
	RXE_HDR_XRCETH,		/* XRC requests: the target's XRC SRQ */
	RXE_HDR_FETH,		/* FLUSH */
	RXE_HDR_DETH,		/* UD: Q_Key and source QP */
	RXE_HDR_RETH,		/* remote address, rkey, DMA length */
	RXE_HDR_ATMETH,		/* atomic request */
	RXE_HDR_AETH,		/* acknowledge: syndrome and MSN */
	RXE_HDR_ATMACK,		/* atomic acknowledge: original value */
	RXE_HDR_IMMDT,		/* immediate data */
	RXE_HDR_IETH,		/* rkey to invalidate */
	RXE_HDR_COUNT
};

/* What an opcode is and carries (struct rxe_opinfo.mask). */
enum rxe_opmask {
	RXE_M_XRCETH	= BIT(RXE_HDR_XRCETH),
	RXE_M_FETH	= BIT(RXE_HDR_FETH),
	RXE_M_DETH	= BIT(RXE_HDR_DETH),
	RXE_M_RETH	= BIT(RXE_HDR_RETH),
	RXE_M_ATMETH	= BIT(RXE_HDR_ATMETH),
	RXE_M_AETH	= BIT(RXE_HDR_AETH),
	RXE_M_ATMACK	= BIT(RXE_HDR_ATMACK),
	RXE_M_IMMDT	= BIT(RXE_HDR_IMMDT),
	RXE_M_IETH	= BIT(RXE_HDR_IETH),

	RXE_M_REQ	= BIT(12),	/* requester to responder */
	RXE_M_RESP	= BIT(13),	/* responder to requester */
	RXE_M_START	= BIT(14),	/* first packet of a message */
	RXE_M_END	= BIT(15),	/* last packet of a message */
	RXE_M_PAYLOAD	= BIT(16),	/* may carry data */
	RXE_M_SEND	= BIT(17),
	RXE_M_WRITE	= BIT(18),
	RXE_M_READ	= BIT(19),
	RXE_M_ATOMIC	= BIT(20),	/* compare&swap, fetch&add */
	RXE_M_ATOMIC_WRITE = BIT(21),
	RXE_M_FLUSH	= BIT(22),
	RXE_M_RWR	= BIT(23),	/* consumes a receive WQE at the end */
	RXE_M_LOCAL	= BIT(24),	/* work request done locally: REG_MR, LOCAL_INV */
	RXE_M_VALID	= BIT(31),	/* a known opcode */
};

/** struct rxe_opinfo - what the engine knows of one opcode. */
struct rxe_opinfo {
	u32 mask;
	u8 hdr_len;			/* BTH and extension headers */
	u8 offset[RXE_HDR_COUNT];	/* of each present header, from BTH */
};

extern struct rxe_opinfo rxe_opinfo[256];
void rxe_opinfo_init(void);

/* Base Transport Header. */
struct rxe_bth {
	u8 opcode;
	u8 flags;		/* SE, MigReq, pad count, transport version */
	__be16 pkey;
	__be32 qpn;		/* FECN, BECN, reserved (byte 0); dest QP */
	__be32 apsn;		/* AckReq (bit 31), PSN */
} __packed;

#define RXE_BTH_SE		0x80
#define RXE_BTH_MIG		0x40
#define RXE_BTH_PAD_SHIFT	4
#define RXE_BTH_PAD_MASK	0x30
#define RXE_BTH_TVER_MASK	0x0f
#define RXE_BTH_ACKREQ		0x80000000u

struct rxe_reth {
	__be64 va;
	__be32 rkey;
	__be32 len;
} __packed;

struct rxe_aeth {
	__be32 smsn;		/* syndrome (8) and MSN (24) */
} __packed;

struct rxe_atmeth {
	__be64 va;
	__be32 rkey;
	__be64 swap_add;
	__be64 compare;
} __packed;

struct rxe_atmack {
	__be64 orig;
} __packed;

struct rxe_deth {
	__be32 qkey;
	__be32 sqp;		/* reserved (8), source QP (24) */
} __packed;

struct rxe_xrceth {
	__be32 srqn;		/* reserved (8), XRC SRQ number (24) */
} __packed;

struct rxe_feth {
	__be32 bits;		/* selectivity level (5:4), placement type (3:0) */
} __packed;

#define RXE_FETH_PLT_MASK	0x0f
#define RXE_FETH_SEL_SHIFT	4
#define RXE_FETH_SEL_MASK	0x30

/* AETH syndromes (IBA 9.7.5.2.1). */
#define RXE_AETH_TYPE_MASK	0xe0
#define RXE_AETH_ACK		0x00
#define RXE_AETH_RNR_NAK	0x20
#define RXE_AETH_NAK		0x60
#define RXE_AETH_CREDIT_MASK	0x1f
#define RXE_AETH_ACK_UNLIMITED	0x1f	/* no end-to-end credits */
#define RXE_NAK_PSN_SEQ		0x60
#define RXE_NAK_INVALID_REQ	0x61
#define RXE_NAK_REM_ACCESS	0x62
#define RXE_NAK_REM_OP		0x63
#define RXE_NAK_INVALID_RD_REQ	0x64

/**
 * struct rxe_pkt - the parsed view of a packet, kept in skb->cb.
 * @rxe: the device that sent or received it.
 * @hdr: the BTH; the extension headers follow.
 * @mask: rxe_opinfo[@opcode].mask.
 * @psn: the PSN.
 * @qpn: the destination QP.
 * @paylen: payload bytes (without pad and ICRC).
 * @opcode: the BTH opcode.
 */
struct rxe_pkt {
	struct rxe_dev *rxe;
	u8 *hdr;
	u32 mask;
	u32 psn;
	u32 qpn;
	u32 paylen;
	u8 opcode;
};

static inline struct rxe_pkt *rxe_pkt(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct rxe_pkt) > sizeof(skb->cb));
	return (struct rxe_pkt *)skb->cb;
}

static inline struct rxe_bth *rxe_bth(const struct rxe_pkt *pkt)
{
	return (struct rxe_bth *)pkt->hdr;
}

/* The extension header @id of @pkt (which must carry it). */
static inline void *rxe_ext(const struct rxe_pkt *pkt, enum rxe_hdr_id id)
{
	return pkt->hdr + rxe_opinfo[pkt->opcode].offset[id];
}

static inline void *rxe_payload(const struct rxe_pkt *pkt)
{
	return pkt->hdr + rxe_opinfo[pkt->opcode].hdr_len;
}

static inline bool rxe_bth_ackreq(const struct rxe_pkt *pkt)
{
	return be32_to_cpu(rxe_bth(pkt)->apsn) & RXE_BTH_ACKREQ;
}

static inline bool rxe_bth_se(const struct rxe_pkt *pkt)
{
	return rxe_bth(pkt)->flags & RXE_BTH_SE;
}

static inline u32 rxe_xrceth_srqn(const struct rxe_pkt *pkt)
{
	return be32_to_cpu(((struct rxe_xrceth *)rxe_ext(pkt, RXE_HDR_XRCETH))->srqn) &
	       RXE_QPN_MASK;
}

static inline u8 rxe_aeth_syndrome(const struct rxe_pkt *pkt)
{
	return be32_to_cpu(((struct rxe_aeth *)rxe_ext(pkt, RXE_HDR_AETH))->smsn) >> 24;
}

static inline u32 rxe_aeth_msn(const struct rxe_pkt *pkt)
{
	return be32_to_cpu(((struct rxe_aeth *)rxe_ext(pkt, RXE_HDR_AETH))->smsn) &
	       RXE_PSN_MASK;
}

/* PSN arithmetic on the 24-bit circle: <0, 0, >0 like a comparison. */
static inline int rxe_psn_cmp(u32 a, u32 b)
{
	return (s32)((a - b) << 8);
}

static inline u32 rxe_psn_add(u32 psn, u32 n)
{
	return (psn + n) & RXE_PSN_MASK;
}

#endif /* RXE_HDR_H */
