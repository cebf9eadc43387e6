#!/usr/bin/env python3
"""Render a Jsonnet program to JSON through the official Python binding (the C++ jsonnet), as
bench/compare/run.sh times it: bench/compare/jsonnet_run.py FILE.jsonnet OUT.json [ENV]"""
import sys

import _jsonnet

out = _jsonnet.evaluate_file(sys.argv[1], ext_vars={"env": sys.argv[3] if len(sys.argv) > 3 else "dev"})
with open(sys.argv[2], "w") as f:
    f.write(out)
