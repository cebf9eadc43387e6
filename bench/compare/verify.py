#!/usr/bin/env python3
"""Check that JSON files hold the same CloudFormation templates as Strata's.

    bench/compare/verify.py OUT/cloudformation OTHER.json...

OUT/cloudformation is the directory `strata compile` wrote: one STACK.template.json per stack.
Each OTHER.json is one object with a member per stack, `{"bench_0": {template}, ...}`; it must
have the same stacks, and for each the same template. Equal templates: the same resources
(logical names), and for each the same type and properties, compared as parsed JSON (the order of
object keys does not matter, the order of lists does); top-level keys other than Resources are
compared too. Exit 1 with the first differences."""
import json
import os
import sys

SUFFIX = ".template.json"


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


cfn = sys.argv[1]
ref = {}
for name in sorted(os.listdir(cfn)):
    if name.endswith(SUFFIX):
        with open(os.path.join(cfn, name)) as f:
            ref[name[: -len(SUFFIX)]] = json.load(f)
if not ref:
    sys.exit(f"{cfn}: no *{SUFFIX}")
resources = sum(len(t.get("Resources", {})) for t in ref.values())
bad = 0
for other in sys.argv[2:]:
    out = []
    with open(other) as f:
        diff(ref, json.load(f), "", out)
    if out:
        bad = 1
        print(f"{other}: {len(out)} differences from the templates in {cfn}:", file=sys.stderr)
        for line in out[:10]:
            print("  " + line, file=sys.stderr)
    else:
        print(f"{other}: the same {len(ref)} templates ({resources} resources)", file=sys.stderr)
sys.exit(bad)
