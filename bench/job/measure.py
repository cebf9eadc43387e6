#!/usr/bin/env python3
"""Time commands warm (back to back) and cold (after the machine idled), with peak RSS.

    measure.py --runs 10 --idle 4 --label NAME [--env K=V ...] -- CMD ARGS...

Prints one JSON line: label, runs, idle, warm and cold {median, p90, min, max} in ms, peak
RSS in MiB (the largest of the runs), exit codes. A warm run follows another run at once; a
cold run starts after `--idle` seconds without work from this script (on the team's VMs the
host takes back freed memory after about 2 s, which is what a pre-commit hook or an editor
meets). Each child's time is wall time; its peak RSS comes from wait4's rusage.
"""

import argparse
import json
import os
import statistics
import subprocess
import time


def run_once(cmd, env):
    t = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    dt = time.perf_counter() - t
    p.returncode = os.waitstatus_to_exitcode(status)
    return dt * 1000.0, ru.ru_maxrss / 1024.0, p.returncode


def summary(ts):
    ts = sorted(ts)
    k = max(0, min(len(ts) - 1, int(round(0.9 * (len(ts) - 1)))))
    return {
        "median": round(statistics.median(ts), 1),
        "p90": round(ts[k], 1),
        "min": round(ts[0], 1),
        "max": round(ts[-1], 1),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--idle", type=float, default=4.0)
    ap.add_argument("--label", default="")
    ap.add_argument("--env", action="append", default=[])
    ap.add_argument("--no-cold", action="store_true")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    env = dict(os.environ)
    for kv in a.env:
        k, _, v = kv.partition("=")
        env[k] = v
    run_once(cmd, env)  # warm-up: file cache
    warm, rss, codes = [], [], set()
    for _ in range(a.runs):
        t, m, c = run_once(cmd, env)
        warm.append(t)
        rss.append(m)
        codes.add(c)
    cold = []
    if not a.no_cold:
        for _ in range(a.runs):
            time.sleep(a.idle)
            t, m, c = run_once(cmd, env)
            cold.append(t)
            rss.append(m)
            codes.add(c)
    out = {
        "label": a.label,
        "runs": a.runs,
        "idle_s": a.idle,
        "warm_ms": summary(warm),
        "cold_ms": summary(cold) if cold else None,
        "peak_rss_mib": round(max(rss), 1),
        "exit_codes": sorted(codes),
    }
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
