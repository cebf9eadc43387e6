#!/usr/bin/env python3
"""Check that JSON files hold the same CloudFormation template as Strata's.

    bench/compare/verify.py STRATA.template.json OTHER.json...

Equal means: the same resources (logical names), and for each the same type and properties,
compared as parsed JSON (the order of object keys does not matter, the order of lists does);
top-level keys other than Resources are compared too. Exit 1 with the first differences."""
import json
import sys


def diff(a, b, path, out):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a:
                out.append(f"{path}/{k}: only in the other output")
            elif k not in b:
                out.append(f"{path}/{k}: missing")
            else:
                diff(a[k], b[k], f"{path}/{k}", out)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            diff(x, y, f"{path}[{i}]", out)
    elif a != b or type(a) is not type(b):
        out.append(f"{path}: strata {json.dumps(a)[:80]}, other {json.dumps(b)[:80]}")


ref = json.load(open(sys.argv[1]))
bad = 0
for other in sys.argv[2:]:
    out = []
    diff(ref, json.load(open(other)), "", out)
    if out:
        bad = 1
        print(f"{other}: {len(out)} differences from {sys.argv[1]}:", file=sys.stderr)
        for line in out[:10]:
            print("  " + line, file=sys.stderr)
    else:
        print(f"{other}: same template ({len(ref.get('Resources', {}))} resources)", file=sys.stderr)
sys.exit(bad)
