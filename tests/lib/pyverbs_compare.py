#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Compare two pyverbs_run.py outputs (stock driver, ours).

  pyverbs_compare.py STOCK OURS GAPS_FILE
  pyverbs_compare.py --to-run STOCK GAPS_FILE   (what ours must run)
  pyverbs_compare.py --gaps-to-run STOCK GAPS_FILE  (the gaps stock passes)

Prints the counts and every test that passes on stock but not on ours.
A test named in GAPS_FILE (one id per line, '#' comments) is a known gap:
it is listed but does not fail the comparison. Exits 1 on any other
difference, 0 otherwise.
"""
import collections
import sys


def load(path):
    res = {}
    with open(path) as f:
        for line in f:
            parts = line.split(" ", 3)
            if len(parts) >= 3 and parts[0] == "PYV":
                res[parts[2].strip()] = (parts[1], parts[3].strip() if len(parts) > 3 else "")
    return res


def load_gaps(path):
    try:
        with open(path) as f:
            return {l.split("#")[0].strip() for l in f} - {""}
    except FileNotFoundError:
        return set()


def main():
    if sys.argv[1] in ("--to-run", "--gaps-to-run"):
        stock, gaps = load(sys.argv[2]), load_gaps(sys.argv[3])
        want_gap = sys.argv[1] == "--gaps-to-run"
        for t in sorted(t for t, (s, _) in stock.items()
                        if s == "ok" and (t in gaps) == want_gap):
            print(t)
        return 0
    stock, ours = load(sys.argv[1]), load(sys.argv[2])
    gaps = load_gaps(sys.argv[3])
    for name, res in (("stock", stock), ("ours", ours)):
        c = collections.Counter(s for s, _ in res.values())
        print(f"# {name}: {len(res)} tests: {c['ok']} ok, {c['skip']} skipped, "
              f"{c['fail'] + c['error']} failed")
    passing = sorted(t for t, (s, _) in stock.items() if s == "ok")
    missing = [t for t in passing if ours.get(t, ("absent", ""))[0] != "ok"]
    regress = [t for t in missing if t not in gaps]
    known = [t for t in missing if t in gaps]
    print(f"# {len(passing)} pass on stock; {len(passing) - len(missing)} of them pass on "
          f"ours; {len(known)} known gaps; {len(regress)} regressions")
    for t in sorted(gaps):
        if ours.get(t, ("absent", ""))[0] == "ok":
            print(f"GAP-NOW-PASSES {t}")
    for t in regress:
        st, why = ours.get(t, ("absent", "not run"))
        print(f"REGRESSION {t}: {st} {why}")
    if regress:
        print(f"FAIL: {len(regress)} pyverbs tests pass on the stock side but not on ours")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
