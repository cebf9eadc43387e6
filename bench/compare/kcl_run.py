#!/usr/bin/env python3
"""Render a KCL program to JSON through KCL's Python API (kcl_lib.api), as bench/compare/run.sh
times it: bench/compare/kcl_run.py FILE.k OUT.json [ENV]"""
import sys

import kcl_lib.api as api

args = api.ExecProgramArgs(k_filename_list=[sys.argv[1]],
                           args=[api.Argument(name="env", value='"%s"' % (sys.argv[3] if len(sys.argv) > 3 else "dev"))])
result = api.API().exec_program(args)
if result.err_message:
    sys.exit(result.err_message)
with open(sys.argv[2], "w") as f:
    f.write(result.json_result)
