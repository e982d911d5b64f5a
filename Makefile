# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# rxe-odp: Soft-RoCE with on-demand paging, built and tested against
# Debian's kernels in QEMU guests. `make help` lists the targets.

KERNELS ?= sid trixie bookworm debug
KERNEL ?= sid
T ?=
PROVIDER ?=
provider = $(if $(PROVIDER),--provider $(PROVIDER))

export KERNELS

# soak and fuzz run on the debug target unless KERNEL= is given
RELIABILITY_KERNEL = $(if $(filter command line environment,$(origin KERNEL)),$(KERNEL),debug)
DURATION ?= 600

.PHONY: all help deps provision build sparse test bench selftest demo shell soak fuzz clean distclean

all: build

help:
	@echo 'make [KERNELS="sid trixie bookworm debug"]'
	@echo '                                       provision the trees and build (default); debug is'
	@echo '                                       trixie'"'"'s kernel with KASAN, lockdep, kmemleak (built once)'
	@echo 'make test [T="pattern ..."]            build, then run the tests in guests (names matching any pattern)'
	@echo 'make bench [B="pattern ..."] [WALLCLOCK=1]'
	@echo '                                       perf/ benchmarks, ours vs stock, report and plots in perf/results/'
	@echo 'make demo [KERNEL=sid]                 boot a guest and show our stack at work'
	@echo 'make shell [KERNEL=sid]                interactive guest, our modules loaded, rxe0 up'
	@echo 'make ... PROVIDER=ours|stock           test/bench/demo/shell/selftest: rdma-core provider'
	@echo '                                       with our driver (default $$RXE_PROVIDER, else ours)'
	@echo 'make sparse                            sparse (C=2) on the newest kernel (sid)'
	@echo 'make soak [DURATION=600] [KERNEL=debug] traffic, invalidation storms, SIGKILLs, link and'
	@echo '                                       module cycles; zero mismatches, clean kernel log'
	@echo 'make fuzz [DURATION=600] [SEED=n] [KERNEL=debug]'
	@echo '                                       random verbs calls and malformed packets, seeded'
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

# The debug kernel builds on one CPU while the other targets' tests run
# on the other (vm.py --prepare).
test:
	@$(MAKE) --no-print-directory build KERNELS="$(filter-out debug,$(KERNELS))"
	@tools/vm.py test --kernels "$(KERNELS)" --filter "$(T)" $(provider) --prepare

bench: build
	@tools/vm.py bench --kernels "$(KERNELS)" --filter "$(B)" $(if $(WALLCLOCK),--wallclock) $(provider)

soak:
	@$(MAKE) --no-print-directory build KERNELS=$(RELIABILITY_KERNEL)
	@RXE_T_SOAK_SECS=$(DURATION) tools/vm.py test --kernels $(RELIABILITY_KERNEL) \
		--filter reliability/soak $(provider)

fuzz:
	@$(MAKE) --no-print-directory build KERNELS=$(RELIABILITY_KERNEL)
	@RXE_T_FUZZ_SECS=$(DURATION) $(if $(SEED),RXE_T_FUZZ_SEED=$(SEED)) \
		tools/vm.py test --kernels $(RELIABILITY_KERNEL) --filter reliability/fuzz $(provider)

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
		[ $$k != debug ] || { r=$${r%/debug}/trixie; rm -rf "$$r/opt/rxe-odp/debug/kernel-src"; continue; }; \
		rm -rf "$$r/opt/rxe-odp/src" "$$r/opt/rxe-odp/build" "$$r"/lib/modules/*/updates/rxe-odp; \
	done

distclean:
	rm -rf "$${RXE_CACHE:-$$HOME/.cache/rxe-odp}"
