#!/usr/bin/env python3
"""Check emitted Terraform against the provider schemas of the generated layer, offline.

The schemas are generated/tf-<provider>.jsonl (resources) and tf-<provider>.data.jsonl (data
sources): the argument and block structure of hashicorp/aws 6.25, google 6.50, azurerm 4.55 and
kubernetes 2.38, as strata-gen reads it from the pinned @cdktf/provider-* packages. This script
parses the .tf files with python-hcl2 (not Strata's own code) and reports, for every `resource`
and `data` block of those providers:
  * an unknown resource or data source type;
  * an unknown argument or nested block;
  * a block written as an argument (`versioning = {...}`) or an argument written as a block;
  * more than one block where the schema allows at most one;
  * a missing required argument or block (top level and inside blocks);
  * an object attribute (`ingress = [{...}]`, attributes-as-blocks) missing one of its fields
    (Terraform requires every field there, `null` where unused).
Expressions (references, function calls) are not evaluated; literal values are not type-checked.

Usage: tf_schema_check.py [--schemas DIR] PATH...   (files or directories, searched recursively)
Prints "FILE: error: ADDRESS: message" lines and a "checked: ..." line; exit 1 on any error.
"""
import argparse
import glob
import json
import os
import sys

import hcl2

META = {"count", "for_each", "depends_on", "provider", "lifecycle", "provisioner", "connection"}


def load_schemas(d):
    res, data = {}, {}
    for path in sorted(glob.glob(os.path.join(d, "tf-*.jsonl"))):
        table = data if path.endswith(".data.jsonl") else res
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    t = json.loads(line)
                    table[t["target"]] = t
    return res, data


def unquote(s):
    return s[1:-1] if isinstance(s, str) and len(s) >= 2 and s[0] == s[-1] == '"' else s


def resolve(ty, defs):
    for _ in range(16):
        if isinstance(ty, dict) and "def" in ty:
            ty = defs.get(ty["def"], "any")
        else:
            return ty
    return "any"


def is_block_list(v):
    return isinstance(v, list) and v and all(isinstance(x, dict) and x.get("__is_block__") for x in v)


def check_body(body, fields, defs, where, errors):
    """`body`: the parsed block; `fields`: name -> GenField of the schema."""
    for name, value in body.items():
        if name == "__is_block__" or name in META:
            continue
        f = fields.get(name)
        if f is None:
            errors.append(f"{where}: unknown argument or block `{name}`")
            continue
        ty = resolve(f["ty"], defs)
        if ty == "open_block":  # content untyped in the source (wafv2 statements): blocks only
            if not is_block_list(value):
                errors.append(f"{where}: `{name}` is a block, written as an argument")
            continue
        block = isinstance(ty, dict) and "block" in ty
        if block:
            if not is_block_list(value):
                errors.append(f"{where}: `{name}` is a block, written as an argument")
                continue
            if not ty["block"].get("list") and len(value) > 1:
                errors.append(f"{where}: `{name}` takes at most one block, found {len(value)}")
            for i, item in enumerate(value):
                check_body(item, ty["block"].get("body", {}), defs, f"{where}.{name}[{i}]", errors)
        else:
            if is_block_list(value):
                errors.append(f"{where}: `{name}` is an argument, written as a block")
                continue
            check_object(value, ty, defs, f"{where}.{name}", errors)
    for name, f in fields.items():
        if f.get("req") and name not in body:
            errors.append(f"{where}: missing required `{name}`")


def check_object(value, ty, defs, where, errors):
    """Object attributes (`obj`, a list or map of them): every field present, none unknown."""
    ty = resolve(ty, defs)
    if isinstance(ty, dict) and "obj" in ty and isinstance(value, dict):
        fields = ty["obj"]
        for k in value:
            if k not in fields:
                errors.append(f"{where}: unknown field `{k}`")
        for k in fields:
            if k not in value:
                errors.append(f"{where}: field `{k}` missing (write null where unused)")
        for k, v in value.items():
            if k in fields:
                check_object(v, fields[k]["ty"], defs, f"{where}.{k}", errors)
    elif isinstance(ty, dict) and "list" in ty and isinstance(value, list):
        for i, v in enumerate(value):
            check_object(v, ty["list"], defs, f"{where}[{i}]", errors)
    elif isinstance(ty, dict) and "map" in ty and isinstance(value, dict):
        for k, v in value.items():
            check_object(v, ty["map"], defs, f"{where}[{k}]", errors)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--schemas", default=os.path.join(here, "..", "..", "generated"))
    ap.add_argument("paths", nargs="+")
    args = ap.parse_args()
    res, data = load_schemas(args.schemas)
    if not res:
        print(f"tf_schema_check: no schemas in {args.schemas}", file=sys.stderr)
        return 2
    files = []
    for p in args.paths:
        if os.path.isdir(p):
            files += sorted(glob.glob(os.path.join(p, "**", "*.tf"), recursive=True))
        else:
            files.append(p)
    total_errors, blocks, skipped = 0, 0, 0
    for path in files:
        with open(path, encoding="utf-8") as f:
            doc = hcl2.load(f)
        for kind, table in (("resource", res), ("data", data)):
            for entry in doc.get(kind, []):
                for ty_q, named in entry.items():
                    ty = unquote(ty_q)
                    for name_q, body in named.items():
                        name = unquote(name_q)
                        addr = f"{'data.' if kind == 'data' else ''}{ty}.{name}"
                        schema = table.get(ty)
                        if schema is None:
                            if ty.split("_")[0] in ("aws", "google", "azurerm", "kubernetes"):
                                print(f"{path}: error: {addr}: unknown {kind} type `{ty}`")
                                total_errors += 1
                            else:
                                skipped += 1
                            continue
                        blocks += 1
                        errors = []
                        check_body(body, schema.get("props", {}), schema.get("defs", {}), addr, errors)
                        for e in errors:
                            print(f"{path}: error: {e}")
                        total_errors += len(errors)
    print(f"checked: {len(files)} files, {blocks} resource and data blocks, {skipped} of other providers, {total_errors} errors")
    return 1 if total_errors else 0


if __name__ == "__main__":
    sys.exit(main())
