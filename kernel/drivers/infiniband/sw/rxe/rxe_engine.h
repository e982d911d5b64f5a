/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rxe_engine.h - state of the packet engine of a QP.
 *
 * Each QP has one engine (rxe_qp_drive() in rxe_qp.c) that runs the
 * three machines of the RC transport, never concurrently with itself:
 *
 *   responder  (rxe_resp.c)  requests in, data placed, ACK/NAK/READ
 *                            responses out, receive WQEs completed
 *   completer  (rxe_comp.c)  ACKs, NAKs and responses in, send WQEs
 *                            completed in order, retransmission decided
 *   requester  (rxe_req.c)   send WQEs out as packets, within the PSN
 *                            window and the RDMA READ/atomic limit
 *
 * The engine is the only consumer of the SQ and the RQ, so the machines
 * touch their state without locks. Packets reach it through
 * qp->rx_queue; timers are delayed works that only kick it.
 *
 * Who runs it is decided by qp->eng (enum rxe_eng_state): a kick from a
 * context that may sleep (a user's post_send, a packet looped back by
 * another engine, a timer) runs it right there when nobody else does;
 * other kicks (packets from the network, kernel consumers) queue the
 * QP's work item. A kick while it runs makes the runner go round once
 * more instead of waking anybody. This saves two context switches per
 * message on loopback and a scheduler delay before each (the stock
 * driver of 6.1 ran its tasks inline the same way).
 */
#ifndef RXE_ENGINE_H
#define RXE_ENGINE_H

#include <linux/workqueue.h>
#include <rdma/rdma_user_rxe.h>

struct rxe_srq;

/* Packets the requester may have unacknowledged. */
#define RXE_WINDOW_PSNS		128
/* The requester asks for an ACK at least this often within a message. */
#define RXE_PKTS_PER_ACKREQ	16
/* Packets one run handles before it hands over to the work item. */
#define RXE_RUN_BUDGET		256
/* How deep engines may run inside each other (loopback: A runs B). */
#define RXE_MAX_NESTING		1

/**
 * enum rxe_eng_state - who runs a QP's engine (qp->eng).
 * @RXE_ENG_IDLE: nobody; the next kick starts a run.
 * @RXE_ENG_RUNNING: one runner (the work item or a kicker inline).
 * @RXE_ENG_AGAIN: kicked while running: the runner goes round again.
 */
enum rxe_eng_state {
	RXE_ENG_IDLE,
	RXE_ENG_RUNNING,
	RXE_ENG_AGAIN,
};

/* Work request opcodes of the uAPI not known to every kernel's verbs. */
#define RXE_WR_FLUSH		14
#define RXE_WR_ATOMIC_WRITE	15
#define RXE_WC_FLUSH		8
#define RXE_WC_ATOMIC_WRITE	9

/* ibv_wc_flags as libibverbs defines them (user CQEs). */
#define RXE_UWC_GRH		BIT(0)
#define RXE_UWC_WITH_IMM	BIT(1)
#define RXE_UWC_WITH_INV	BIT(3)

/* The FLUSH work request as the uAPI lays it over wr.wr (6.2 and later). */
struct rxe_wr_flush {
	__aligned_u64 remote_addr;
	__u32 length;
	__u32 rkey;
	__u8 type;
	__u8 level;
};

/* Life of a send WQE. */
enum rxe_wqe_state {
	RXE_WQE_NEW,		/* in the ring, not looked at yet */
	RXE_WQE_SENDING,	/* packets left to send */
	RXE_WQE_SENT,		/* all sent, waiting for the responder */
	RXE_WQE_DONE,		/* finished (status says how), to be reported */
};

/**
 * struct rxe_swqe - the kernel's copy and progress of one send WQE; one
 * per SQ slot. Scatter lists and inline data stay in the ring slot,
 * which user space may not reuse before the completion.
 * @wr: the work request, copied from the ring when first seen.
 * @av: UD: the destination.
 * @length: message length in bytes.
 * @num_sge: SGEs in the ring slot (checked against the QP's cap).
 * @mask: RXE_M_* class of the operation (SEND, WRITE, READ, ...).
 * @state: see enum rxe_wqe_state.
 * @status: the completion status once DONE.
 * @first_psn: PSN of the first packet (or READ response).
 * @last_psn: PSN of the last packet (or expected READ response).
 * @sent: bytes sent (requester cursor).
 * @done: READ: bytes of the response placed.
 * @rd_atomic: holds one of the QP's RDMA READ/atomic slots.
 * @inline_data: payload is in the ring slot, not behind SGEs.
 */
struct rxe_swqe {
	struct rxe_send_wr wr;
	struct rxe_av av;
	u32 length;
	u32 num_sge;
	u32 mask;
	enum rxe_wqe_state state;
	enum ib_wc_status status;
	u32 first_psn;
	u32 last_psn;
	u32 sent;
	u32 done;
	bool rd_atomic;
	bool inline_data;
};

/**
 * struct rxe_req - requester state.
 * @index: ring index of the next WQE to send from.
 * @psn: the next PSN to use.
 * @rd_atomic: READ/atomic requests outstanding.
 * @noack: packets sent since the last AckReq.
 * @rnr_wait: an RNR NAK stopped us until the RNR timer fires.
 */
struct rxe_req {
	u32 index;
	u32 psn;
	u32 rd_atomic;
	u32 noack;
	bool rnr_wait;
};

/**
 * struct rxe_comp - completer state.
 * @psn: the oldest PSN not acknowledged yet.
 * @retry: transport retries left (retry_cnt).
 * @rnr_retry: RNR retries left (7: unlimited).
 * @progress: an ACK or response moved @psn since the timer was armed.
 * @read_gap: a READ response was missing and the READs were asked again;
 *	responses still arriving from before, up to @read_gap_end, are the
 *	old burst: out of order, but no reason to ask yet again.
 * @read_gap_end: the next PSN the requester would have sent when it
 *	asked again; see @read_gap.
 */
struct rxe_comp {
	u32 psn;
	u8 retry;
	u8 rnr_retry;
	bool progress;
	bool read_gap;
	u32 read_gap_end;
};

/* A responder resource: an RDMA READ or atomic that may be asked again. */
enum rxe_res_type {
	RXE_RES_NONE,
	RXE_RES_READ,
	RXE_RES_ATOMIC,		/* also ATOMIC WRITE and FLUSH: replay the ack */
};

/**
 * struct rxe_res - responder resource (IBA 9.7.5.1.4 duplicate requests).
 * @type: what it remembers.
 * @opcode: the request's opcode.
 * @first_psn: PSN of the request (and of the first response).
 * @last_psn: PSN of the last response.
 * @va: READ: remote address of the first response's data.
 * @rkey: READ: the rkey.
 * @length: READ: total length.
 * @orig: atomic: the value returned.
 * @srq_num: XRC target QPs: the XRC SRQ the request named, whose PD the
 *	rkey is checked against again for each run of responses.
 */
struct rxe_res {
	enum rxe_res_type type;
	u8 opcode;
	u32 first_psn;
	u32 last_psn;
	u64 va;
	u32 rkey;
	u32 length;
	u64 orig;
	u32 srq_num;
};

/**
 * struct rxe_resp - responder state.
 * @psn: the next PSN expected.
 * @msn: message sequence number (count of completed requests).
 * @last_op: opcode of the last packet accepted (for sequence checks).
 * @nak_sent: a PSN sequence error NAK was sent; no other until the
 *	expected packet arrives.
 * @recv_active: a receive WQE is taken by a SEND in progress.
 * @recv: the kernel copy of that WQE's header.
 * @sges: its scatter list: in the RQ slot (consumed when the message
 *	completes), or in @srq_wqe.
 * @srq_wqe: with an SRQ, the whole WQE taken from it (it is consumed at
 *	once: other QPs take the next ones); sized for the SRQ's max_sge.
 * @recv_offset: bytes of the SEND placed so far.
 * @last_wqe_reported: Last WQE Reached was raised (SRQ QPs; until RESET).
 * @comm_est_reported: Communication Established was raised (until RESET).
 * @write_mr: the MR of the RDMA WRITE in progress (reference held).
 * @write_va: where its next payload goes.
 * @write_resid: bytes of it still to come.
 * @write_len: its total length (the RETH's DMA length).
 * @res: the resources, @res_count of them (max_dest_rd_atomic).
 * @res_next: the slot the next READ/atomic takes.
 * @res_count: number of slots.
 * @reply: the READ whose responses are still going out, or NULL. They
 *	go a run's budget at a time (a 1 MiB READ is 1024 packets: sent
 *	in one go, they all wait as skbs for the requester, and the slab
 *	allocator pays for them); no new request is taken meanwhile, since
 *	the responses' PSNs come first.
 * @reply_psn: the PSN of its next response.
 * @reply_first: that response is the first of the answer (a READ asked
 *	again from a PSN inside it is answered from there with a FIRST).
 * @xsrq: XRC target QPs: the XRC SRQ named by the request being executed
 *	(reference held); its PD checks the keys, its ring gives the receive
 *	WQEs, its CQ takes the completions. Held for one engine run at most
 *	(rxe_resp_xrc_release()), so destroying the SRQ never waits for a
 *	peer to finish a message.
 * @xsrq_num: the number of the XRC SRQ of the message in progress (0:
 *	none); its later packets must name the same one.
 */
struct rxe_resp {
	u32 psn;
	u32 msn;
	u8 last_op;
	bool nak_sent;
	bool recv_active;
	struct rxe_recv_wqe recv;
	const struct rxe_sge *sges;
	struct rxe_recv_wqe *srq_wqe;
	u32 recv_offset;
	bool last_wqe_reported;
	bool comm_est_reported;
	struct rxe_mr *write_mr;
	u64 write_va;
	u32 write_resid;
	u32 write_len;
	struct rxe_res *res;
	u32 res_next;
	u32 res_count;
	const struct rxe_res *reply;
	u32 reply_psn;
	bool reply_first;
	struct rxe_srq *xsrq;
	u32 xsrq_num;
};

#endif /* RXE_ENGINE_H */
