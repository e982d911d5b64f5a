// SPDX-License-Identifier: GPL-2.0
/*
 * rdma_odp_test.c - test driver of the rdma_odp core, independent of any
 * RDMA device: /dev/rdma_odp_test lets a process register a range of its
 * address space as an ODP region, fault and prefetch it, read and write
 * through the region's translations (as a device would) and read the
 * table's state and the counters. See rdma_odp_test_uapi.h.
 *
 * Each open file holds at most one region; @rwsem (write for register and
 * unregister, read for the rest) keeps it alive during a call, so several
 * threads may use one file at once.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/rwsem.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <rdma/rdma_odp.h>

#include "rdma_odp_test_uapi.h"

MODULE_AUTHOR("rxe-odp developers");
MODULE_DESCRIPTION("Test driver of the rdma_odp on-demand-paging core");
MODULE_LICENSE("GPL");

/* READ/WRITE move data through a bounce buffer of this size */
#define ODPT_BOUNCE	(16 * PAGE_SIZE)

struct odpt_file {
	struct rw_semaphore rwsem;
	struct rdma_odp *odp;
};

static int odpt_open(struct inode *inode, struct file *filp)
{
	struct odpt_file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	init_rwsem(&f->rwsem);
	filp->private_data = f;
	return 0;
}

static int odpt_release(struct inode *inode, struct file *filp)
{
	struct odpt_file *f = filp->private_data;

	if (f->odp)
		rdma_odp_destroy(f->odp);
	kfree(f);
	return 0;
}

static int odpt_register(struct odpt_file *f, void __user *arg)
{
	struct rdma_odp_test_reg r;
	struct rdma_odp *odp;

	if (copy_from_user(&r, arg, sizeof(r)))
		return -EFAULT;
	if (r.flags & ~(RDMA_ODP_TEST_WRITABLE | RDMA_ODP_TEST_IMPLICIT))
		return -EINVAL;
	if (f->odp)
		return -EBUSY;
	odp = rdma_odp_create(current->mm, r.addr, r.len,
			      (r.flags & RDMA_ODP_TEST_WRITABLE ? RDMA_ODP_WRITABLE : 0) |
			      (r.flags & RDMA_ODP_TEST_IMPLICIT ? RDMA_ODP_IMPLICIT : 0),
			      NULL, NULL, NULL);
	if (IS_ERR(odp))
		return PTR_ERR(odp);
	f->odp = odp;
	return 0;
}

static int odpt_fault(struct rdma_odp *odp, void __user *arg, bool prefetch)
{
	struct rdma_odp_test_range r;
	unsigned int flags = 0;
	int err;

	if (copy_from_user(&r, arg, sizeof(r)))
		return -EFAULT;
	if (r.flags & ~(RDMA_ODP_TEST_FAULT_WRITE | RDMA_ODP_TEST_SNAPSHOT) ||
	    (!prefetch && (r.flags & RDMA_ODP_TEST_SNAPSHOT)))
		return -EINVAL;
	if (r.flags & RDMA_ODP_TEST_FAULT_WRITE)
		flags |= RDMA_ODP_FAULT_WRITE;
	if (r.flags & RDMA_ODP_TEST_SNAPSHOT)
		flags |= RDMA_ODP_FAULT_SNAPSHOT;
	if (prefetch)
		return rdma_odp_prefetch(odp, r.addr, r.len, flags);
	err = rdma_odp_map_and_lock(odp, r.addr, r.len, flags);
	if (!err)
		rdma_odp_unlock(odp);
	return err;
}

/*
 * Move data between the user's buffer and the region, a bounce buffer at
 * a time: the user copy happens with the region unlocked (it may fault,
 * and that fault may invalidate the region).
 */
static int odpt_io(struct rdma_odp *odp, void __user *arg, bool to_region)
{
	struct rdma_odp_test_io io;
	void *bounce;
	int err = 0;

	if (copy_from_user(&io, arg, sizeof(io)))
		return -EFAULT;
	bounce = kmalloc(ODPT_BOUNCE, GFP_KERNEL);
	if (!bounce)
		return -ENOMEM;
	while (io.len) {
		unsigned long n = min_t(u64, io.len, ODPT_BOUNCE);
		void __user *ubuf = u64_to_user_ptr(io.buf);

		if (to_region && copy_from_user(bounce, ubuf, n)) {
			err = -EFAULT;
			break;
		}
		err = rdma_odp_map_and_lock(odp, io.addr, n,
					    to_region ? RDMA_ODP_FAULT_WRITE : 0);
		if (err)
			break;
		rdma_odp_copy_locked(odp, io.addr, bounce, n, to_region);
		rdma_odp_unlock(odp);
		if (!to_region && copy_to_user(ubuf, bounce, n)) {
			err = -EFAULT;
			break;
		}
		io.addr += n;
		io.buf += n;
		io.len -= n;
	}
	kfree(bounce);
	return err;
}

static int odpt_state(struct rdma_odp *odp, void __user *arg)
{
	struct rdma_odp_test_state st;
	u8 __user *out;
	u64 i;

	if (copy_from_user(&st, arg, sizeof(st)))
		return -EFAULT;
	if (st.addr & ~PAGE_MASK || !st.npages || st.npages > (odp->end - odp->start) >> PAGE_SHIFT ||
	    st.addr < odp->start || st.addr > odp->end - (st.npages << PAGE_SHIFT))
		return -EINVAL;
	out = u64_to_user_ptr(st.buf);
	for (i = 0; i < st.npages; i++) {
		u8 v;

		mutex_lock(&odp->lock);
		v = rdma_odp_page_state(odp, st.addr + (i << PAGE_SHIFT));
		mutex_unlock(&odp->lock);
		if (put_user(v, out + i))
			return -EFAULT;
	}
	return 0;
}

static int odpt_info(struct rdma_odp *odp, void __user *arg)
{
	struct rdma_odp_test_info info = {};
	int i;

	for (i = 0; i < RDMA_ODP_STAT_MAX; i++)
		info.stats[i] = rdma_odp_stat(odp, i);
	mutex_lock(&odp->lock);
	info.npages = odp->npages;
	mutex_unlock(&odp->lock);
	info.table_bytes = rdma_odp_table_bytes(odp);
	return copy_to_user(arg, &info, sizeof(info)) ? -EFAULT : 0;
}

static long odpt_ioctl(struct file *filp, unsigned int cmd, unsigned long uarg)
{
	struct odpt_file *f = filp->private_data;
	void __user *arg = (void __user *)uarg;
	long err;

	if (cmd == RDMA_ODP_TEST_REGISTER || cmd == RDMA_ODP_TEST_UNREGISTER) {
		down_write(&f->rwsem);
		if (cmd == RDMA_ODP_TEST_REGISTER) {
			err = odpt_register(f, arg);
		} else if (f->odp) {
			rdma_odp_destroy(f->odp);
			f->odp = NULL;
			err = 0;
		} else {
			err = -ENOENT;
		}
		up_write(&f->rwsem);
		return err;
	}

	down_read(&f->rwsem);
	if (!f->odp) {
		up_read(&f->rwsem);
		return -ENOENT;
	}
	switch (cmd) {
	case RDMA_ODP_TEST_FAULT:
		err = odpt_fault(f->odp, arg, false);
		break;
	case RDMA_ODP_TEST_PREFETCH:
		err = odpt_fault(f->odp, arg, true);
		break;
	case RDMA_ODP_TEST_READ:
		err = odpt_io(f->odp, arg, false);
		break;
	case RDMA_ODP_TEST_WRITE:
		err = odpt_io(f->odp, arg, true);
		break;
	case RDMA_ODP_TEST_STATE:
		err = odpt_state(f->odp, arg);
		break;
	case RDMA_ODP_TEST_INFO:
		err = odpt_info(f->odp, arg);
		break;
	default:
		err = -ENOTTY;
	}
	up_read(&f->rwsem);
	return err;
}

static const struct file_operations odpt_fops = {
	.owner = THIS_MODULE,
	.open = odpt_open,
	.release = odpt_release,
	.unlocked_ioctl = odpt_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice odpt_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "rdma_odp_test",
	.fops = &odpt_fops,
};

module_misc_device(odpt_misc);
