#!/usr/bin/env python3
"""The ratios of issue 17 from bench/job/run.sh's measurements.

    bench/job/ratios.py RATIOS.jsonl

Each line is one measure.py result with `n` (resources) and `what` (check, compile, pkl, kcl).
Prints a Markdown table per size, warm and cold: Pkl's time / Strata compile's (target >= 2),
KCL's / Strata's, Strata's peak RSS / Pkl's (target <= 0.5), check at 40,000 (target <= 250 ms),
spread p90 / median of compile (target <= 1.3); then the growth of compile per 10x resources
(target <= 10.5). A target not met is marked "no".
"""

import json
import sys


def load(path):
    by = {}
    with open(path) as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                by[(r["n"], r["what"])] = r
    return by


def med(r, kind):
    t = r.get(f"{kind}_ms")
    return t["median"] if t else None


def mark(ok):
    return "yes" if ok else "**no**"


def main():
    by = load(sys.argv[1])
    sizes = sorted({n for n, _ in by})
    print("| resources | run | compile | pkl / compile (>= 2) | kcl / compile | check | compile p90 / median (<= 1.3) | RSS compile / pkl (<= 0.5) |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for n in sizes:
        c, p, k, ch = (by.get((n, w)) for w in ("compile", "pkl", "kcl", "check"))
        if not c:
            continue
        for kind in ("warm", "cold"):
            cm = med(c, kind)
            if cm is None:
                continue
            cells = [f"{n:,}", kind, f"{cm:.0f} ms"]
            if p and med(p, kind):
                ratio = med(p, kind) / cm
                cells.append(f"{ratio:.2f} ({mark(ratio >= 2)})")
            else:
                cells.append("-")
            cells.append(f"{med(k, kind) / cm:.2f}" if k and med(k, kind) else "-")
            if ch and med(ch, kind) is not None:
                cm_check = med(ch, kind)
                cells.append(f"{cm_check:.0f} ms" + (f" ({mark(cm_check <= 250)})" if n >= 40000 else ""))
            else:
                cells.append("-")
            spread = c[f"{kind}_ms"]["p90"] / cm
            cells.append(f"{spread:.2f} ({mark(spread <= 1.3)})")
            if p:
                rss = c["peak_rss_mib"] / p["peak_rss_mib"]
                cells.append(f"{c['peak_rss_mib']:.0f} / {p['peak_rss_mib']:.0f} MiB = {rss:.2f} ({mark(rss <= 0.5)})")
            else:
                cells.append(f"{c['peak_rss_mib']:.0f} MiB")
            print("| " + " | ".join(cells) + " |")
    print()
    for a, b in zip(sizes, sizes[1:]):
        if b == a * 10 and (a, "compile") in by and (b, "compile") in by:
            for kind in ("warm", "cold"):
                x, y = med(by[(a, "compile")], kind), med(by[(b, "compile")], kind)
                if x and y:
                    g = y / x
                    print(f"- compile growth {a:,} -> {b:,} resources ({kind}): {g:.1f}x ({mark(g <= 10.5)} for <= 10.5x)")


if __name__ == "__main__":
    main()
