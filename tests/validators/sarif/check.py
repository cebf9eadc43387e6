#!/usr/bin/env python3
"""Validate SARIF logs against the official SARIF 2.1.0 schema and GitHub code scanning's rules.

Usage: check.py FILE.sarif...   (see README.md beside this file)
Exit status: 0 if every file passes, 1 otherwise; the problems are printed one per line.
"""
import json
import re
import sys
from pathlib import Path

import jsonschema

HERE = Path(__file__).resolve().parent
SCHEMA = json.loads((HERE / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)

# RFC 3986 URI-reference, character level: unreserved, reserved and percent-encoded octets only.
URI_CHARS = re.compile(r"^(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$")
SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
LEVELS = {"none", "note", "warning", "error"}


def uri_problems(uri, where):
    if not isinstance(uri, str) or uri == "":
        return [f"{where}: empty or missing URI"]
    if not URI_CHARS.match(uri):
        return [f"{where}: {uri!r} is not a valid URI reference (unencoded characters)"]
    first = uri.split("/", 1)[0]
    if ":" in first and not SCHEME.match(uri):
        return [f"{where}: {uri!r}: a relative reference whose first segment has ':'"]
    return []


def text(obj, key):
    v = obj.get(key) if isinstance(obj, dict) else None
    return v.get("text") if isinstance(v, dict) and isinstance(v.get("text"), str) else None


def check_location(loc, where, bases, problems):
    phys = loc.get("physicalLocation")
    if not isinstance(phys, dict):
        problems.append(f"{where}: no physicalLocation")
        return
    art = phys.get("artifactLocation") or {}
    uri = art.get("uri")
    p = uri_problems(uri, f"{where}.physicalLocation.artifactLocation.uri")
    problems.extend(p)
    if not p:
        scheme = SCHEME.match(uri)
        if scheme:
            if scheme.group(1).lower() != "file":
                problems.append(f"{where}: {uri!r}: code scanning shows only relative paths and file: URIs")
            if "uriBaseId" in art:
                problems.append(f"{where}: {uri!r} is absolute but has a uriBaseId")
        else:
            base = art.get("uriBaseId")
            if base is None:
                problems.append(f"{where}: relative URI {uri!r} without uriBaseId")
            elif base not in bases:
                problems.append(f"{where}: uriBaseId {base!r} is not declared in run.originalUriBaseIds")
    region = phys.get("region")
    if not isinstance(region, dict):
        problems.append(f"{where}: no region")
        return
    for k in ("startLine", "startColumn", "endLine", "endColumn"):
        if not isinstance(region.get(k), int) or region[k] < 1:
            problems.append(f"{where}.region: {k} missing or < 1")
            return
    if region["endLine"] < region["startLine"] or (region["endLine"] == region["startLine"] and region["endColumn"] <= region["startColumn"]):
        problems.append(f"{where}.region: ends before it starts ({region})")


def check_github(log):
    problems = []
    if log.get("version") != "2.1.0":
        problems.append("version is not 2.1.0")
    problems.extend(uri_problems(log.get("$schema"), "$schema"))
    runs = log.get("runs") or []
    if not 1 <= len(runs) <= 20:
        problems.append(f"{len(runs)} runs (code scanning takes 1 to 20)")
    for ri, run in enumerate(runs):
        at = f"runs[{ri}]"
        driver = (run.get("tool") or {}).get("driver") or {}
        if not driver.get("name"):
            problems.append(f"{at}: tool.driver.name is missing")
        if "informationUri" in driver:
            problems.extend(uri_problems(driver["informationUri"], f"{at}.tool.driver.informationUri"))
        rules = driver.get("rules")
        if not isinstance(rules, list):
            problems.append(f"{at}: tool.driver.rules is missing")
            rules = []
        if len(rules) > 25000:
            problems.append(f"{at}: {len(rules)} rules (code scanning takes at most 25,000)")
        ids = {}
        for i, rule in enumerate(rules):
            rat = f"{at}.tool.driver.rules[{i}]"
            rid = rule.get("id")
            if not rid:
                problems.append(f"{rat}: no id")
            elif rid in ids:
                problems.append(f"{rat}: duplicate id {rid}")
            ids[rid] = i
            if "name" in rule and (not rule["name"] or len(rule["name"]) > 255):
                problems.append(f"{rat}: name empty or longer than 255 characters")
            short = text(rule, "shortDescription")
            if not short or not short.strip() or len(short) > 1024:
                problems.append(f"{rat} ({rid}): shortDescription.text missing, empty or longer than 1024 characters")
            for key in ("fullDescription", "help"):
                t = text(rule, key)
                if not t or not t.strip():
                    problems.append(f"{rat} ({rid}): {key}.text missing or empty")
            if "helpUri" in rule:
                problems.extend(uri_problems(rule["helpUri"], f"{rat}.helpUri"))
            level = (rule.get("defaultConfiguration") or {}).get("level")
            if level is not None and level not in LEVELS:
                problems.append(f"{rat}: defaultConfiguration.level {level!r}")
            props = rule.get("properties") or {}
            if len(props.get("tags") or []) > 20:
                problems.append(f"{rat}: more than 20 tags")
            if "security-severity" in props:
                try:
                    score = float(props["security-severity"])
                except (TypeError, ValueError):
                    score = -1.0
                if not isinstance(props["security-severity"], str) or not 0.0 < score <= 10.0:
                    problems.append(f"{rat}: security-severity must be a string with a score in (0, 10]")
        bases = set((run.get("originalUriBaseIds") or {}).keys())
        results = run.get("results")
        if not isinstance(results, list):
            problems.append(f"{at}: results is missing")
            results = []
        if len(results) > 25000:
            problems.append(f"{at}: {len(results)} results (code scanning takes at most 25,000)")
        fingerprints = set()
        for i, res in enumerate(results):
            rat = f"{at}.results[{i}]"
            rid = res.get("ruleId")
            if not rid:
                problems.append(f"{rat}: no ruleId")
            elif rid not in ids:
                problems.append(f"{rat}: ruleId {rid} is not in tool.driver.rules")
            elif "ruleIndex" in res and res["ruleIndex"] != ids[rid]:
                problems.append(f"{rat}: ruleIndex {res['ruleIndex']} is not the index of {rid} ({ids[rid]})")
            if res.get("level") is not None and res["level"] not in LEVELS:
                problems.append(f"{rat}: level {res['level']!r}")
            msg = text(res, "message")
            if not msg or not msg.strip():
                problems.append(f"{rat}: message.text missing or empty")
            locs = res.get("locations") or []
            if not 1 <= len(locs) <= 1000:
                problems.append(f"{rat}: {len(locs)} locations (code scanning needs 1 to 1,000)")
            for li, loc in enumerate(locs):
                check_location(loc, f"{rat}.locations[{li}]", bases, problems)
            related_ids = set()
            for li, loc in enumerate(res.get("relatedLocations") or []):
                check_location(loc, f"{rat}.relatedLocations[{li}]", bases, problems)
                if "id" in loc:
                    if loc["id"] in related_ids:
                        problems.append(f"{rat}.relatedLocations[{li}]: duplicate id {loc['id']}")
                    related_ids.add(loc["id"])
            fp = (res.get("partialFingerprints") or {}).get("primaryLocationLineHash")
            if not isinstance(fp, str) or not fp:
                problems.append(f"{rat}: partialFingerprints.primaryLocationLineHash is missing")
            elif (rid, fp) in fingerprints:
                problems.append(f"{rat}: fingerprint {fp} of {rid} is not unique (two results would be one alert)")
            else:
                fingerprints.add((rid, fp))
    return problems


def check_file(path):
    try:
        log = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        return [f"not JSON: {e}"]
    problems = []
    for e in sorted(VALIDATOR.iter_errors(log), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in e.absolute_path) or "(root)"
        problems.append(f"schema: {where}: {e.message[:300]}")
    if isinstance(log, dict):
        problems.extend(check_github(log))
    return problems


def main(argv):
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    failed = False
    for path in argv:
        problems = check_file(path)
        if problems:
            failed = True
            for p in problems:
                print(f"FAIL {path}: {p}")
        else:
            print(f"ok {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
