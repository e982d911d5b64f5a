# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# rxe-odp: Soft-RoCE with on-demand paging, built and tested against
# Debian's kernels in QEMU guests. `make help` lists the targets.

KERNELS ?= sid trixie bookworm
KERNEL ?= sid
T ?=
PROVIDER ?=
provider = $(if $(PROVIDER),--provider $(PROVIDER))

export KERNELS

.PHONY: all help deps provision build sparse test bench selftest demo shell clean distclean

all: build

help:
	@echo 'make [KERNELS="sid trixie bookworm"]   provision the trees and build (default)'
	@echo 'make test [T="pattern ..."]            build, then run the tests in guests (names matching any pattern)'
	@echo 'make bench [B=name] [WALLCLOCK=1]      perf/ benchmarks, ours vs stock, report in perf/results/'
	@echo 'make demo [KERNEL=sid]                 boot a guest and show our stack at work'
	@echo 'make shell [KERNEL=sid]                interactive guest, our modules loaded, rxe0 up'
	@echo 'make ... PROVIDER=ours|stock           test/bench/demo/shell/selftest: rdma-core provider'
	@echo '                                       with our driver (default $$RXE_PROVIDER, else ours)'
	@echo 'make sparse                            sparse (C=2) on the newest kernel (sid)'
	@echo 'make selftest [KERNEL=sid]             check the test runner failure handling'
	@echo 'make clean                             drop build products in the trees'
	@echo 'make distclean                         drop the whole cache ($${RXE_CACHE:-~/.cache/rxe-odp})'

deps:
	@tools/host-deps.sh

provision: deps
	@for k in $(KERNELS); do tools/provision.sh $$k || exit 1; done

build: provision
	@for k in $(KERNELS); do tools/build.sh $$k || exit 1; done

sparse: deps
	@tools/provision.sh sid
	@tools/build.sh --sparse sid

test: build
	@tools/vm.py test --kernels "$(KERNELS)" --filter "$(T)" $(provider)

bench: build
	@tools/vm.py bench --kernels "$(KERNELS)" --filter "$(B)" $(if $(WALLCLOCK),--wallclock) $(provider)

selftest:
	@$(MAKE) --no-print-directory build KERNELS=$(KERNEL)
	@tools/vm.py selftest --kernel $(KERNEL) $(provider)

demo:
	@$(MAKE) --no-print-directory build KERNELS=$(KERNEL)
	@tools/vm.py demo --kernel $(KERNEL) $(provider)

shell:
	@$(MAKE) --no-print-directory build KERNELS=$(KERNEL)
	@tools/vm.py shell --kernel $(KERNEL) $(provider)

clean:
	@for k in $(KERNELS); do \
		r="$${RXE_CACHE:-$$HOME/.cache/rxe-odp}/roots/$$k"; \
		rm -rf "$$r/opt/rxe-odp/src" "$$r/opt/rxe-odp/build" "$$r"/lib/modules/*/updates/rxe-odp; \
	done

distclean:
	rm -rf "$${RXE_CACHE:-$$HOME/.cache/rxe-odp}"
