#!/usr/bin/env python3
"""Markdown report of bench/compare/run.sh (called by it; not meant to be run by hand).

    report.py RESULTS.tsv VERSIONS.txt WORKDIR STARTED LOAD_BEFORE LOAD_AFTER RUNS RUNS_SLOW RUNS_LARGE
              TIMEOUT ENV SIZE...
"""
import json
import math
import os
import platform
import subprocess
import sys

(results_path, versions_path, work, started, load_before, load_after, runs, runs_slow, runs_large,
 timeout, env, *sizes) = sys.argv[1:]

rows = {}
for line in open(results_path):
    n, label, mean, sd, count, codes = line.rstrip("\n").split("\t")
    rows[(n, label)] = (float(mean), float(sd), int(count), codes)


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""


model = sh("lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1") or platform.processor()
mem_kib = int(sh("sed -n 's/^MemTotal:[[:space:]]*\\([0-9]*\\).*/\\1/p' /proc/meminfo") or 0)
machine = (f"{os.cpu_count()} cores ({sh('nproc')} online), {model}, "
           f"{mem_kib / 1024 / 1024:.1f} GiB RAM, {platform.system()} {platform.release()}")


def fmt_time(mean, sd):
    if mean >= 1:
        return f"{mean:,.2f} ± {sd:,.2f} s"
    return f"{mean * 1000:,.1f} ± {sd * 1000:,.1f} ms"


def fmt_one(mean):
    return f"{mean:,.2f} s" if mean >= 1 else f"{mean * 1000:,.1f} ms"


def ratio(a, b):
    """a / b with the standard deviation propagated from both (independent errors)."""
    (ma, sa), (mb, sb) = a, b
    r = ma / mb
    rs = r * math.sqrt((sa / ma) ** 2 + (sb / mb) ** 2) if ma and mb else 0.0
    if r >= 10:
        return f"{r:,.0f} ± {rs:,.0f}"
    return f"{r:.1f} ± {rs:.1f}"


TOOLS = [
    # label, what it does, what it reads, the compile it is set against
    ("strata check", "parse, type-check, graph, all policies, cost", "the Strata project", None),
    ("strata compile", "check, then write CloudFormation and Terraform", "the Strata project", None),
    ("strata compile --target cloudformation", "check, then write CloudFormation", "the Strata project",
     None),
    ("pkl", "`pkl eval` → JSON (native binary)", "main.pkl", "strata compile --target cloudformation"),
    ("kcl", "`exec_program` → JSON (Python API)", "main.k", "strata compile --target cloudformation"),
    ("jsonnet", "`evaluate_file` → JSON (C++ via Python)", "main.jsonnet",
     "strata compile --target cloudformation"),
    ("cfn-lint", "lint the templates", "Strata's CloudFormation", "strata compile"),
    ("checkov", "scan CloudFormation + Terraform", "Strata's output", "strata compile"),
]
SHORT = {"strata compile": "compile (CFN + TF)", "strata compile --target cloudformation": "compile (CFN)"}


def sizes_of(n):
    out = {}
    path = os.path.join(work, f"n{n}", "sizes.tsv")
    if os.path.exists(path):
        for line in open(path):
            _, key, value = line.rstrip("\n").split("\t")
            out[key] = int(value)
    return out


def findings(n):
    """One line on what cfn-lint and checkov said about Strata's output."""
    parts = []
    p = os.path.join(work, f"n{n}", "cfn-lint.txt")
    if os.path.exists(p):
        rules = {}
        for line in open(p):
            word = line.split(" ", 1)[0]
            if len(word) >= 5 and word[0] in "EWI" and word[1:].isdigit():
                rules[word] = rules.get(word, 0) + 1
        parts.append("cfn-lint: " + (", ".join(f"{k} × {v}" for k, v in sorted(rules.items())) or "nothing"))
    p = os.path.join(work, f"n{n}", "checkov.json")
    if os.path.exists(p):
        try:
            data = json.load(open(p))
            reports = data if isinstance(data, list) else [data]
            passed = sum(r.get("summary", {}).get("passed", 0) for r in reports)
            failed = {}
            for r in reports:
                for c in r.get("results", {}).get("failed_checks", []):
                    key = (r.get("check_type", "?"), c["check_id"])
                    failed[key] = failed.get(key, 0) + 1
            parts.append(f"checkov: {passed:,} passed, {sum(failed.values()):,} failed ("
                         + ", ".join(f"{t} {k} × {v}" for (t, k), v in sorted(failed.items())) + ")")
        except (ValueError, KeyError, AttributeError):
            parts.append("checkov: unreadable report")
    return "; ".join(parts)


print(f"## Side by side, {started} (`bench/compare/run.sh`)")
print()
print(f"Machine: {machine}. Load average (1, 5, 15 min) {load_before} before the run, "
      f"{load_after} after it (other engineers were building on the same 2 cores).")
print()
print("Tools: " + "; ".join(l.strip() for l in open(versions_path) if l.strip()) + ".")
print()
print(f"Environment `{env}`. Each time is the mean ± standard deviation of {runs} runs "
      f"({runs_slow} for KCL, Jsonnet, cfn-lint and checkov; {runs_large} for cfn-lint and checkov at "
      "10,000 resources or more), after one warm-up run (none for cfn-lint and checkov at 10,000 "
      f"resources or more, whose runs are stopped after {timeout} s). The ratio columns divide the tool's "
      "time by Strata's (± the propagated σ); `compile` is the Strata command that writes what the "
      "tool writes or reads (CloudFormation only for Pkl, KCL and Jsonnet, CloudFormation and "
      "Terraform for cfn-lint and checkov). Before timing, the script checks that the KCL, Pkl and "
      "Jsonnet outputs are the same templates as Strata's, one per stack of at most 400 resources "
      "(same stacks, and in each the same resources, types and properties); each of them renders "
      "one JSON object of the templates by stack name, `strata compile` one file per stack.")
print()
for n in sizes:
    s = sizes_of(n)
    print(f"### {int(n):,} resources")
    print()
    if s:
        print(f"Sources: Strata {s.get('lines:strata', 0):,} lines (10 files per 10,000 resources), "
              f"KCL {s.get('lines:k', 0):,}, Pkl {s.get('lines:pkl', 0):,}, "
              f"Jsonnet {s.get('lines:jsonnet', 0):,} lines (one file each). Output: CloudFormation "
              f"{s.get('bytes:cloudformation', 0) / 1e6:.1f} MB ({s.get('templates:cloudformation', 0):,} "
              f"templates), Terraform {s.get('bytes:terraform', 0) / 1e6:.1f} MB.")
        print()
    print("| tool | what it does | reads | time (mean ± σ) | ÷ strata check | ÷ strata compile |")
    print("| --- | --- | --- | ---: | ---: | ---: |")
    check = rows.get((n, "strata check"))
    for label, what, reads, against in TOOLS:
        r = rows.get((n, label))
        if not r:
            continue
        mean, sd, count, codes = r
        stopped = "124" in codes.split(",")  # timeout(1): the run was stopped
        if stopped:
            t = f"> {float(timeout):,.0f} s (stopped)"
        else:
            t = fmt_time(mean, sd) if count > 1 else fmt_one(mean) + " (1 run)"
            t += "" if codes == "0" else f" (exit {codes})"
        def over(base):
            # a stopped run gives a lower bound: no ± on it
            return f"> {mean / base[0]:,.0f}" if stopped else ratio((mean, sd), base[:2])

        by_check = over(check) if check and label != "strata check" else "1"
        if against:
            base = rows.get((n, against))
            by_compile = (over(base) + f" ({SHORT[against]})") if base else "–"
        else:
            by_compile = "–"
        name = f"`{label}`" if label.startswith("strata") else label
        print(f"| {name} | {what} | {reads} | {t} | {by_check} | {by_compile} |")
    print()
    f = findings(n)
    if f:
        print(f"What the after-the-fact tools reported on Strata's output: {f}.")
        print()
fixed = [(label, rows[k]) for k in sorted(rows) if k[0] == "0" for label in [k[1]]]
if fixed:
    print("Start-up included in the KCL and Jsonnet times: " + "; ".join(
        f"`{label}` {fmt_time(r[0], r[1])}" for label, r in fixed) + ".")
    print()
