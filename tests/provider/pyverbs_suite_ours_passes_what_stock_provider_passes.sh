#!/bin/bash
# rxe-test: setup=none timeout=1200
# rdma-core's whole pyverbs suite on our driver, once through the distro's
# librxe and once through our provider, in one boot: every test that passes
# with the distro's provider passes with ours (no exceptions list). The
# tests that pass only with ours are listed (XRC's everywhere; on trixie
# and bookworm also the ODP prefetch tests, which need advise_mr), and no
# XRC test may fail with ours: the distro's provider has no XRC to compare.
set -u
. "$RXE_SRC/tests/lib/rxe.sh"

suite=/tmp/pyverbs-suite
rm -rf "$suite" && cp -r /usr/share/doc/rdma-core/tests "$suite" &&
	find "$suite" -name '*.gz' -exec gunzip -f {} + ||
	skip "no pyverbs tests in this distro (python3-pyverbs)"
PER_TEST=${PYVERBS_PER_TEST:-30}
# a crash of a test process prints its Python stack
export PYTHONFAULTHANDLER=1
none=/tmp/no-gaps.txt
: > "$none"

run_suite() {	# run_suite PROVIDER OUT
	local gid
	provider_use "$1" || fail "cannot switch to the $1 provider"
	rxe_add rxe0 "$RXE_NETDEV" || fail "rdma link add failed"
	wait_for 20 rxe_gid_index rxe0 || fail "no RoCE v2 IPv4 GID on rxe0"
	gid=$(rxe_gid_index rxe0)
	# hugetlb ODP tests need pages; both runs get the same
	echo 64 > /proc/sys/vm/nr_hugepages
	python3 "$RXE_SRC/tests/lib/pyverbs_run.py" "$suite" --timeout "$PER_TEST" \
		--dev rxe0 --gid "$gid" > "$2" 2> "$2.stderr"
	echo 0 > /proc/sys/vm/nr_hugepages
	cp "$2" "$2.stderr" "$RXE_RESULTS/logs/" 2>/dev/null
	grep -q "^PYV-SUMMARY" "$2" || {
		tail -5 "$2.stderr"
		fail "pyverbs run with the $1 provider did not finish (last: $(tail -1 "$2" | cut -c1-120))"
	}
	rdma link delete rxe0 || fail "rdma link delete failed"
}

rxe_load || fail "cannot load our modules"
run_suite stock stock-provider.txt
run_suite ours ours-provider.txt
provider_use "${RXE_PROVIDER:-ours}"

python3 "$RXE_SRC/tests/lib/pyverbs_compare.py" stock-provider.txt ours-provider.txt "$none" ||
	fail "a pyverbs test that passes with the distro's provider does not pass with ours"
only=$(comm -13 <(grep '^PYV ok ' stock-provider.txt | awk '{print $3}' | sort) \
		<(grep '^PYV ok ' ours-provider.txt | awk '{print $3}' | sort))
note "pass only with our provider ($(echo "$only" | grep -c .)): $(echo "$only" | sed 's/.*\.//' | tr '\n' ' ')"
xrc_bad=$(grep -E '^PYV (fail|error) [^ ]*xrc' ours-provider.txt | cut -c1-160)
[ -z "$xrc_bad" ] || fail "XRC pyverbs tests fail with our provider: $xrc_bad"
note "XRC tests with our provider: $(grep -cE '^PYV ok [^ ]*xrc' ours-provider.txt) passed," \
	"$(grep -cE '^PYV skip [^ ]*xrc' ours-provider.txt) skipped"
