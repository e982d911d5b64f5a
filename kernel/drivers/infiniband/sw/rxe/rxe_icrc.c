// SPDX-License-Identifier: GPL-2.0
/*
 * rxe_icrc.c - the RoCEv2 invariant CRC (IBA 9.8.1, annex A17).
 *
 * The ICRC is a CRC-32 over the packet from the IP header to the end of
 * the pad, where every field a router may rewrite reads as all ones: an
 * 8-byte prefix standing for the InfiniBand LRH, the IPv4 TOS, TTL and
 * checksum, the IPv6 traffic class, flow label and hop limit, the UDP
 * checksum, and the BTH byte holding FECN/BECN. It travels after the pad,
 * least significant byte first, inverted.
 */
#include <crypto/hash.h>
#include <linux/crc32.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>

#include "rxe.h"
#include "rxe_hdr.h"

/* The largest masked prefix: IPv4 with options, UDP, BTH. */
#define RXE_ICRC_MASKED_MAX	(60 + sizeof(struct udphdr) + sizeof(struct rxe_bth))

/*
 * Where the library's crc32_le() is table-driven (kernels without
 * HAVE_CRC32_OPTIMIZATIONS), the crypto API's "crc32" runs the CPU's
 * carry-less multiply instead, several times faster per byte. Its key is
 * the seed; ours is always ~0, set once. NULL: use crc32_le().
 */
static struct crypto_shash *rxe_crc_tfm;

struct rxe_crc_seg {
	const void *p;
	unsigned int len;
};

/* crc32_le() seeded with ~0 over the segments in order, not inverted. */
static u32 rxe_crc_chain(const struct rxe_crc_seg *seg, int n)
{
	u32 crc = ~0U;
	int i;

	if (rxe_crc_tfm) {
		SHASH_DESC_ON_STACK(desc, rxe_crc_tfm);
		__le32 out;

		desc->tfm = rxe_crc_tfm;
		if (!crypto_shash_init(desc)) {
			for (i = 0; i < n; i++)
				crypto_shash_update(desc, seg[i].p, seg[i].len);
			if (!crypto_shash_final(desc, (u8 *)&out))
				return le32_to_cpu(out);
		}
	}
	for (i = 0; i < n; i++)
		crc = crc32_le(crc, seg[i].p, seg[i].len);
	return crc;
}

/**
 * rxe_icrc_init() - pick the fastest CRC-32 implementation (module load).
 *
 * Return: 0; without the crypto driver the library is used.
 */
int rxe_icrc_init(void)
{
	__le32 seed = cpu_to_le32(~0U);
	struct crypto_shash *tfm;

	if (IS_ENABLED(HAVE_CRC32_OPTIMIZATIONS))
		return 0;
	tfm = crypto_alloc_shash("crc32", 0, 0);
	if (IS_ERR(tfm))
		return 0;
	if (crypto_shash_setkey(tfm, (u8 *)&seed, sizeof(seed))) {
		crypto_free_shash(tfm);
		return 0;
	}
	rxe_crc_tfm = tfm;
	return 0;
}

/**
 * rxe_icrc_exit() - release what rxe_icrc_init() took (module unload).
 */
void rxe_icrc_exit(void)
{
	if (rxe_crc_tfm)
		crypto_free_shash(rxe_crc_tfm);
	rxe_crc_tfm = NULL;
}

static u32 rxe_icrc_compute(struct sk_buff *skb, const struct rxe_pkt *pkt)
{
	static const u8 lrh_ones[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	u8 buf[RXE_ICRC_MASKED_MAX];
	u8 *ip = skb_network_header(skb);
	unsigned int ip_len, len, rest;

	if ((ip[0] >> 4) == 4) {
		ip_len = (ip[0] & 0x0f) * 4;
		len = ip_len + sizeof(struct udphdr) + sizeof(struct rxe_bth);
		memcpy(buf, ip, len);
		buf[1] = 0xff;				/* TOS */
		buf[8] = 0xff;				/* TTL */
		buf[10] = buf[11] = 0xff;		/* header checksum */
	} else {
		ip_len = sizeof(struct ipv6hdr);
		len = ip_len + sizeof(struct udphdr) + sizeof(struct rxe_bth);
		memcpy(buf, ip, len);
		buf[0] |= 0x0f;				/* traffic class, */
		buf[1] = buf[2] = buf[3] = 0xff;	/* flow label */
		buf[7] = 0xff;				/* hop limit */
	}
	buf[ip_len + 6] = buf[ip_len + 7] = 0xff;	/* UDP checksum */
	buf[ip_len + sizeof(struct udphdr) + 4] = 0xff;	/* FECN, BECN, resv */

	rest = pkt->paylen + rxe_opinfo[pkt->opcode].hdr_len - sizeof(struct rxe_bth) +
	       ((rxe_bth(pkt)->flags & RXE_BTH_PAD_MASK) >> RXE_BTH_PAD_SHIFT);
	{
		const struct rxe_crc_seg seg[] = {
			{ lrh_ones, sizeof(lrh_ones) },
			{ buf, len },
			{ pkt->hdr + sizeof(struct rxe_bth), rest },
		};

		return ~rxe_crc_chain(seg, ARRAY_SIZE(seg));
	}
}

static u8 *rxe_icrc_addr(const struct rxe_pkt *pkt)
{
	return pkt->hdr + rxe_opinfo[pkt->opcode].hdr_len + pkt->paylen +
	       ((rxe_bth(pkt)->flags & RXE_BTH_PAD_MASK) >> RXE_BTH_PAD_SHIFT);
}

/**
 * rxe_icrc_set() - compute and store the ICRC of an outgoing packet.
 * @skb: the packet, linear, with its network and transport headers set.
 * @pkt: its parsed view.
 */
void rxe_icrc_set(struct sk_buff *skb, const struct rxe_pkt *pkt)
{
	put_unaligned_le32(rxe_icrc_compute(skb, pkt), rxe_icrc_addr(pkt));
}

/**
 * rxe_icrc_ok() - check the ICRC of a received packet.
 * @skb: the packet, linear, its network header set.
 * @pkt: its parsed view.
 *
 * Return: true when the ICRC matches.
 */
bool rxe_icrc_ok(struct sk_buff *skb, const struct rxe_pkt *pkt)
{
	return get_unaligned_le32(rxe_icrc_addr(pkt)) == rxe_icrc_compute(skb, pkt);
}
