/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rxe_odp_compat.h - the one place where kernel differences are handled.
 *
 * Every difference is detected by a feature test in compat/tests/ that
 * defines a HAVE_* macro in the generated compat_autoconf.h; this header
 * turns those macros into small predicates and inline shims so that the
 * driver code itself never needs an #ifdef.
 */
#ifndef RXE_ODP_COMPAT_H
#define RXE_ODP_COMPAT_H

#include <linux/hrtimer.h>
#include <linux/types.h>
#include <net/udp_tunnel.h>
#include <rdma/ib_umem.h>
#include <rdma/ib_verbs.h>
#include <rdma/uverbs_ioctl.h>
#include "compat_autoconf.h"

#ifdef HAVE_LINUX_UNALIGNED_H
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/*
 * compat_core_reports_port_events() - true when ib_core turns netdev
 * up/down/change events of the device's netdev into IB port events itself
 * (ib_dispatch_port_state_event()); the driver must then not report them
 * again.
 */
static inline bool compat_core_reports_port_events(void)
{
	return IS_ENABLED(HAVE_IB_DISPATCH_PORT_STATE_EVENT);
}

/*
 * Verbs whose prototype changed between kernels. A driver implements the
 * verb once with the prototype given here and names the ops-table entry
 * with COMPAT_DEFINE_<VERB>(op_name, impl), which defines op_name with the
 * prototype the running kernel expects.
 */

/* impl: int (*)(struct ib_cq *, const struct ib_cq_init_attr *, struct ib_udata *) */
#ifdef HAVE_CREATE_CQ_ATTR_BUNDLE
#define COMPAT_DEFINE_CREATE_CQ(op_name, impl)					\
static int op_name(struct ib_cq *cq, const struct ib_cq_init_attr *attr,	\
		   struct uverbs_attr_bundle *attrs)				\
{										\
	return impl(cq, attr, attrs ? &attrs->driver_udata : NULL);		\
}
#else
#define COMPAT_DEFINE_CREATE_CQ(op_name, impl)					\
static int op_name(struct ib_cq *cq, const struct ib_cq_init_attr *attr,	\
		   struct ib_udata *udata)					\
{										\
	return impl(cq, attr, udata);						\
}
#endif

/*
 * impl: struct ib_mr *(*)(struct ib_pd *, u64 start, u64 length, u64 iova,
 *			   int access, struct ib_udata *)
 * A DMA handle, where the kernel passes one, has no meaning for a software
 * device and is not forwarded.
 */
#ifdef HAVE_REG_USER_MR_DMAH
#define COMPAT_DEFINE_REG_USER_MR(op_name, impl)				\
static struct ib_mr *op_name(struct ib_pd *pd, u64 start, u64 length,		\
			     u64 iova, int access, struct ib_dmah *dmah,	\
			     struct ib_udata *udata)				\
{										\
	return impl(pd, start, length, iova, access, udata);			\
}
#else
#define COMPAT_DEFINE_REG_USER_MR(op_name, impl)				\
static struct ib_mr *op_name(struct ib_pd *pd, u64 start, u64 length,		\
			     u64 iova, int access, struct ib_udata *udata)	\
{										\
	return impl(pd, start, length, iova, access, udata);			\
}
#endif

/*
 * impl: int (*)(struct ib_cq *, unsigned int cqe, struct ib_udata *)
 * COMPAT_RESIZE_CQ_OP(op_name) names the ops-table member.
 */
#ifdef HAVE_RESIZE_USER_CQ
#define COMPAT_DEFINE_RESIZE_CQ(op_name, impl)					\
static int op_name(struct ib_cq *cq, unsigned int cqe, struct ib_udata *udata)	\
{										\
	return impl(cq, cqe, udata);						\
}
#define COMPAT_RESIZE_CQ_OP(op_name) .resize_user_cq = op_name
#else
#define COMPAT_DEFINE_RESIZE_CQ(op_name, impl)					\
static int op_name(struct ib_cq *cq, int cqe, struct ib_udata *udata)		\
{										\
	return cqe < 0 ? -EINVAL : impl(cq, cqe, udata);			\
}
#define COMPAT_RESIZE_CQ_OP(op_name) .resize_cq = op_name
#endif

/**
 * compat_umem_get() - pin user memory (ib_umem_get_va() or ib_umem_get()).
 * @dev: the device.
 * @addr: start of the user range.
 * @size: its length.
 * @access: IB_ACCESS_* flags (write access pins for writing).
 *
 * Return: the umem or an ERR_PTR.
 */
static inline struct ib_umem *compat_umem_get(struct ib_device *dev,
					      unsigned long addr, size_t size,
					      int access)
{
#ifdef HAVE_IB_UMEM_GET_VA
	return ib_umem_get_va(dev, addr, size, access);
#else
	return ib_umem_get(dev, addr, size, access);
#endif
}

/*
 * UDP tunnel sockets: setup_udp_tunnel_sock() and udp_tunnel_sock_release()
 * take the struct sock on newer kernels, the struct socket before.
 */
static inline void compat_setup_udp_tunnel_sock(struct net *net, struct socket *sock,
						struct udp_tunnel_sock_cfg *cfg)
{
#ifdef HAVE_UDP_TUNNEL_SOCK_SK
	setup_udp_tunnel_sock(net, sock->sk, cfg);
#else
	setup_udp_tunnel_sock(net, sock, cfg);
#endif
}

static inline void compat_udp_tunnel_sock_release(struct socket *sock)
{
#ifdef HAVE_UDP_TUNNEL_SOCK_SK
	udp_tunnel_sock_release(sock->sk);
#else
	udp_tunnel_sock_release(sock);
#endif
}

/*
 * FLUSH placement types the device offers (kernels whose verbs know
 * FLUSH); 0 where the core would refuse the MR access flags anyway.
 */
#ifdef HAVE_IB_DEVICE_FLUSH_GLOBAL
#define COMPAT_DEVICE_FLUSH_CAPS	(IB_DEVICE_FLUSH_GLOBAL | IB_DEVICE_FLUSH_PERSISTENT)
#define COMPAT_ACCESS_FLUSH_PERSISTENT	IB_ACCESS_FLUSH_PERSISTENT
#else
#define COMPAT_DEVICE_FLUSH_CAPS	0
#define COMPAT_ACCESS_FLUSH_PERSISTENT	0
#endif

/*
 * ODP capability bits of FLUSH and ATOMIC WRITE, where the verbs name
 * them (the operations work on ODP MRs on every kernel).
 */
#ifdef HAVE_IB_ODP_SUPPORT_FLUSH
#define COMPAT_ODP_SUPPORT_FLUSH_ATOMIC_WRITE	(IB_ODP_SUPPORT_FLUSH | IB_ODP_SUPPORT_ATOMIC_WRITE)
#else
#define COMPAT_ODP_SUPPORT_FLUSH_ATOMIC_WRITE	0
#endif

/* compat_hrtimer_setup() - hrtimer_setup(), or hrtimer_init() and the callback. */
static inline void compat_hrtimer_setup(struct hrtimer *timer,
					enum hrtimer_restart (*fn)(struct hrtimer *),
					clockid_t clock, enum hrtimer_mode mode)
{
#ifdef HAVE_HRTIMER_SETUP
	hrtimer_setup(timer, fn, clock, mode);
#else
	hrtimer_init(timer, clock, mode);
	timer->function = fn;
#endif
}

#endif /* RXE_ODP_COMPAT_H */
