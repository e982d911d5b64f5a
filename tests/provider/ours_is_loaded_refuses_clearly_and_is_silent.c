// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=rxe0 timeout=60
/*
 * Our provider (userspace/providers/rxe) is the one libibverbs loaded for
 * the rxe device: the librxe mapped into this process is the file we
 * built. Calls it refuses (among them a BIND_MW work request without its
 * window) return the errno the verbs man pages give, and
 * the library prints nothing while doing so, unless RXE_PROVIDER_DEBUG=1
 * was set when the context was opened: then one line says why.
 */
#include <fcntl.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rxe_test.h"

/* The librxe file mapped into this process (after a device was opened). */
static void mapped_provider(struct stat *st)
{
	char line[512], *path;
	FILE *f = fopen("/proc/self/maps", "r");

	CHECK(f);
	while (fgets(line, sizeof(line), f)) {
		path = strchr(line, '/');
		if (!path || !strstr(path, "/librxe-rdmav"))
			continue;
		path[strcspn(path, "\n")] = 0;
		CHECK(stat(path, st) == 0);
		rt_note("mapped provider: %s", path);
		fclose(f);
		return;
	}
	rt_fail("no librxe-rdmav*.so mapped after opening %s", rt_dev_name());
}

static void check_ours_is_loaded(void)
{
	struct stat mapped, built;
	glob_t g;

	CHECK(glob("/opt/rxe-odp/build/provider/librxe-rdmav*.so", 0, NULL, &g) == 0);
	CHECK(stat(g.gl_pathv[0], &built) == 0);
	mapped_provider(&mapped);
	if (mapped.st_dev != built.st_dev || mapped.st_ino != built.st_ino)
		rt_fail("the mapped librxe is not ours (%s)", g.gl_pathv[0]);
	globfree(&g);
}

/* Run the refused calls; return what they wrote to stderr. */
static size_t refused_calls(struct ibv_context *ctx, char *out, size_t outlen)
{
	struct ibv_cq_init_attr_ex cq_attr = {
		.cqe = 16, .wc_flags = IBV_WC_EX_WITH_COMPLETION_TIMESTAMP,
	};
	struct ibv_pd *pd = ibv_alloc_pd(ctx);
	struct ibv_cq *cq = ibv_create_cq(ctx, 4, NULL, NULL, 0);
	struct ibv_qp_init_attr qa = {
		.send_cq = cq, .recv_cq = cq, .qp_type = IBV_QPT_RC,
		.cap = { .max_send_wr = 1, .max_recv_wr = 1, .max_send_sge = 1,
			 .max_recv_sge = 1 },
	};
	struct ibv_send_wr bind = { .opcode = IBV_WR_BIND_MW }, *bad;
	struct ibv_qp *qp;
	struct ibv_sge sge = {};
	int fd, saved;
	ssize_t n;
	FILE *tmp = tmpfile();

	CHECK(pd && cq && tmp);
	CHECK((qp = ibv_create_qp(pd, &qa)) != NULL);
	fflush(stderr);
	saved = dup(2);
	CHECK(saved >= 0 && dup2(fileno(tmp), 2) == 2);

	/* a completion field the device has no value for */
	errno = 0;
	CHECK(!ibv_create_cq_ex(ctx, &cq_attr));
	CHECK(errno == EOPNOTSUPP);
	/* prefetch of nothing */
	CHECK(ibv_advise_mr(pd, IBV_ADVISE_MR_ADVICE_PREFETCH,
			    IBV_ADVISE_MR_FLAG_FLUSH, &sge, 0) == EINVAL);
	/* prefetch through a key that is not an MR */
	sge.lkey = 0xdead00;
	sge.length = 4096;
	CHECK(ibv_advise_mr(pd, IBV_ADVISE_MR_ADVICE_PREFETCH,
			    IBV_ADVISE_MR_FLAG_FLUSH, &sge, 1) == EINVAL);
	/* a window bind without the window */
	CHECK(ibv_post_send(qp, &bind, &bad) == EINVAL && bad == &bind);

	fflush(stderr);
	CHECK(dup2(saved, 2) == 2);
	close(saved);
	fd = fileno(tmp);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	n = read(fd, out, outlen - 1);
	CHECK(n >= 0);
	out[n] = 0;
	fclose(tmp);
	CHECK(ibv_destroy_qp(qp) == 0 && ibv_destroy_cq(cq) == 0);
	CHECK(ibv_dealloc_pd(pd) == 0);
	return n;
}

int main(void)
{
	struct ibv_context *ctx;
	const char *which = getenv("RXE_PROVIDER");
	char out[4096];

	if (which && strcmp(which, "ours"))
		rt_skip("this run uses the %s provider (RXE_PROVIDER)", which);

	unsetenv("RXE_PROVIDER_DEBUG");
	ctx = rt_open_dev();
	check_ours_is_loaded();
	if (refused_calls(ctx, out, sizeof(out)))
		rt_fail("the provider printed without being asked: %s", out);
	CHECK(ibv_close_device(ctx) == 0);
	rt_note("refused calls: right errno, nothing printed");

	setenv("RXE_PROVIDER_DEBUG", "1", 1);
	ctx = rt_open_dev();
	refused_calls(ctx, out, sizeof(out));
	if (!strstr(out, "wc_flags") || !strstr(out, "empty SGE list") ||
	    !strstr(out, "advice") || !strstr(out, "BIND_MW without a window"))
		rt_fail("with RXE_PROVIDER_DEBUG=1 the reasons are missing: '%s'", out);
	rt_note("with RXE_PROVIDER_DEBUG=1:\n%s", out);
	CHECK(ibv_close_device(ctx) == 0);
	return 0;
}
