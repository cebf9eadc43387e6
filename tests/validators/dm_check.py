#!/usr/bin/env python3
"""Structure check for Google Cloud Deployment Manager configs (plain YAML, no templates).

Usage: dm_check.py [--discovery WHEEL] FILE_OR_DIR...   (directories: every *.yaml / *.yml below them)
Exit status: 0 all files pass, 1 a file has an error, 2 usage error.

What a config must look like (Deployment Manager docs: "Syntax reference",
"Using references", "Exposing information using outputs", "Setting explicit dependencies"):

- a mapping whose keys are among `imports`, `resources`, `outputs`; `resources` is a list;
- each resource is a mapping with keys among `name`, `type`, `properties`, `metadata`,
  `accessControl`, `outputs`; `name` and `type` are non-empty strings, names are unique;
- `type` is a base type `API.VERSION.RESOURCE` (e.g. `compute.v1.instance`), a type provider
  type `gcp-types/PROVIDER:COLLECTION` or `PROJECT/PROVIDER:COLLECTION`, or an imported template
  (`imports: [{path: x.jinja}]`). Base types of well-known APIs are checked against the documented
  list; an unknown resource of a known API is an error, an unknown API a warning;
- with `--discovery WHEEL` (the google-api-python-client wheel, which ships Google's API
  discovery documents), every `gcp-types/API-VERSION:COLLECTION` type must name a collection
  of that API's discovery document that can be created (a `create` or `insert` method), or be
  one of Deployment Manager's documented virtual types, and every base type
  `API.VERSION.RESOURCE` outside the documented list must name such a collection (in the
  plural: `compute.v1.sslPolicy` → `sslPolicies`);
- `properties` and `metadata` are mappings; `metadata.dependsOn` is a list of resource names;
- every `$(ref.NAME.FIELD)` (in properties, metadata and outputs) is well formed and names an
  existing resource; the references and dependsOn edges have no cycle;
- `outputs` is a list of `{name, value}` with unique names;
- no duplicate keys in any mapping (YAML allows the parse, Deployment Manager does not).

Every file is also read back with PyYAML, i.e. as YAML 1.1.
"""
import os
import re
import sys

import yaml

TOP_KEYS = {"imports", "resources", "outputs"}
RESOURCE_KEYS = {"name", "type", "properties", "metadata", "accessControl", "outputs"}
METADATA_KEYS = {"dependsOn", "runtimePolicy"}
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$")
BASE_TYPE_RE = re.compile(r"^([a-z][a-z0-9]*)\.(v\d+[a-z0-9]*|beta|alpha)\.([a-zA-Z][a-zA-Z0-9.]*)$")
PROVIDER_TYPE_RE = re.compile(r"^[a-z][a-z0-9-]*/[a-z][a-z0-9-]*:[a-zA-Z][a-zA-Z0-9.{}/_-]*$")
REF_START = "$(ref."
REF_RE = re.compile(r"\$\(ref\.([A-Za-z0-9_-]+)\.([^()\s]+)\)")

# Documented base types ("Supported resource types"), by API.
KNOWN = {
    "compute": {
        "address", "autoscaler", "backendBucket", "backendService", "disk", "firewall",
        "forwardingRule", "globalAddress", "globalForwardingRule", "healthCheck",
        "httpHealthCheck", "httpsHealthCheck", "image", "instance", "instanceGroup",
        "instanceGroupManager", "instanceTemplate", "network", "regionAutoscaler",
        "regionBackendService", "regionInstanceGroupManager", "route", "router", "snapshot",
        "sslCertificate", "subnetwork", "targetHttpProxy", "targetHttpsProxy",
        "targetInstance", "targetPool", "targetSslProxy", "targetTcpProxy",
        "targetVpnGateway", "urlMap", "vpnTunnel",
    },
    "storage": {"bucket", "bucketAccessControl", "defaultObjectAccessControl", "objectAccessControl"},
    "sqladmin": {"database", "instance", "user"},
    "pubsub": {"topic", "subscription"},
    "container": {"cluster", "nodePool"},
    "iam": {"serviceAccount", "serviceAccountKey"},
    "dns": {"managedZone", "resourceRecordSet"},
    "bigquery": {"dataset", "table"},
    "runtimeconfig": {"config", "variable", "waiter"},
    "logging": {"sink", "metric"},
    "spanner": {"instance", "database"},
    "cloudresourcemanager": {"project"},
    "deploymentmanager": {"virtual.enableService", "virtual.projectBillingInfo"},
}


class UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate mapping keys."""


def _construct_mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def strings(value, path):
    """Yields (path, string) for every string (keys included) inside value."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str):
                yield f"{path}.{k} (key)", k
            yield from strings(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from strings(v, f"{path}[{i}]")


def refs_in(value, path, errors):
    """Names referenced by $(ref.NAME.FIELD) inside value; malformed refs are errors."""
    names = []
    for where, s in strings(value, path):
        start = 0
        while True:
            i = s.find(REF_START, start)
            if i < 0:
                break
            m = REF_RE.match(s, i)
            if not m:
                errors.append(f"{where}: malformed reference starting at {s[i:i + 40]!r} (expected $(ref.NAME.FIELD))")
                start = i + len(REF_START)
                continue
            names.append((where, m.group(1)))
            start = m.end()
    return names


# Deployment Manager's virtual types ("Supported resource types": IAM bindings).
VIRTUAL_TYPES = {
    "gcp-types/cloudresourcemanager-v1:virtual.projects.iamMemberBinding",
    "gcp-types/storage-v1:virtual.buckets.iamMemberBinding",
}

# The discovery documents of --discovery, by "api.version" (loaded once).
DISCOVERY = {"wheel": None, "docs": {}}


def discovery_doc(api, version):
    import json
    import zipfile

    key = f"{api}.{version}"
    if key not in DISCOVERY["docs"]:
        with zipfile.ZipFile(DISCOVERY["wheel"]) as z:
            name = f"googleapiclient/discovery_cache/documents/{key}.json"
            DISCOVERY["docs"][key] = json.loads(z.read(name)) if name in z.namelist() else None
    return DISCOVERY["docs"][key]


def check_provider_type(ty, where, errors):
    if DISCOVERY["wheel"] is None or not ty.startswith("gcp-types/") or ty in VIRTUAL_TYPES:
        return
    api_version, _, collection = ty[len("gcp-types/"):].partition(":")
    api, _, version = api_version.rpartition("-")
    doc = discovery_doc(api, version)
    if doc is None:
        errors.append(f"{where}: {ty!r}: Google publishes no discovery document {api}.{version}")
        return
    node = doc
    for part in collection.split("."):
        node = (node.get("resources") or {}).get(part)
        if node is None:
            errors.append(f"{where}: {ty!r}: {api}.{version} has no collection {collection!r}")
            return
    if not set(node.get("methods") or {}) & {"create", "insert"}:
        errors.append(f"{where}: {ty!r}: the collection has no create or insert method")


def check_type(ty, imports, where, errors, warnings):
    if ty in imports:
        return
    if ty.endswith((".jinja", ".py")):
        errors.append(f"{where}: template type {ty!r} is not imported")
        return
    if PROVIDER_TYPE_RE.match(ty):
        check_provider_type(ty, where, errors)
        return
    m = BASE_TYPE_RE.match(ty)
    if not m:
        errors.append(f"{where}: {ty!r} is not a Deployment Manager type (API.VERSION.RESOURCE, PROVIDER/TYPE:COLLECTION or an imported template)")
        return
    api, version, resource = m.groups()
    if api in KNOWN and resource in KNOWN[api]:
        return
    if DISCOVERY["wheel"] is not None:
        # A base type names a collection of the API, in the singular (`sslPolicy`: `sslPolicies`).
        doc = discovery_doc(api, version)
        if doc is not None and has_collection(doc, plural(resource)):
            return
        errors.append(f"{where}: {ty!r}: the discovery document {api}.{version} has no creatable collection {plural(resource)!r}")
    elif api in KNOWN:
        errors.append(f"{where}: unknown {api} type {ty!r}")
    else:
        warnings.append(f"{where}: API {api!r} of type {ty!r} is not in the list this check knows")


def plural(word):
    if word.endswith("y") and not word.endswith(("ay", "ey", "oy", "uy")):
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    return word + "s"


def has_collection(node, name):
    """Whether a resource `name` with a create/insert method is anywhere under node."""
    for key, child in (node.get("resources") or {}).items():
        if key == name and set(child.get("methods") or {}) & {"create", "insert"}:
            return True
        if has_collection(child, name):
            return True
    return False


def find_cycle(edges):
    """Returns a list of names forming a cycle in edges (name -> set of names), or None."""
    state = {}
    stack = []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(edges.get(n, ())):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state:
                found = visit(m)
                if found:
                    return found
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(edges):
        if n not in state:
            found = visit(n)
            if found:
                return found
    return None


def check_file(path):
    errors, warnings = [], []
    try:
        with open(path, encoding="utf-8") as f:
            doc = yaml.load(f, Loader=UniqueKeyLoader)
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        return [f"YAML: {e}"], warnings
    if not isinstance(doc, dict):
        return ["top level is not a mapping"], warnings
    for k in doc:
        if k not in TOP_KEYS:
            errors.append(f"unknown top-level key {k!r}")
    imports = set()
    for i, imp in enumerate(doc.get("imports") or []):
        if isinstance(imp, dict) and isinstance(imp.get("path"), str):
            imports.add(imp.get("name") or os.path.basename(imp["path"]))
        else:
            errors.append(f"imports[{i}]: expected a mapping with a path")
    resources = doc.get("resources")
    if not isinstance(resources, list):
        errors.append("`resources` must be a list")
        resources = []

    names = {}
    for i, r in enumerate(resources):
        where = f"resources[{i}]"
        if not isinstance(r, dict):
            errors.append(f"{where}: not a mapping")
            continue
        for k in r:
            if k not in RESOURCE_KEYS:
                errors.append(f"{where}: unknown key {k!r}")
        name = r.get("name")
        if not isinstance(name, str) or not name:
            errors.append(f"{where}: missing or non-string `name`")
            continue
        where = f"resource {name!r}"
        if not NAME_RE.match(name):
            errors.append(f"{where}: name is not letters, digits, '-' and '_' (at most 63)")
        if name in names:
            errors.append(f"{where}: duplicate name")
        names[name] = r
        ty = r.get("type")
        if not isinstance(ty, str) or not ty:
            errors.append(f"{where}: missing or non-string `type`")
        else:
            check_type(ty, imports, where, errors, warnings)
        if "properties" in r and not isinstance(r["properties"], dict):
            errors.append(f"{where}: `properties` must be a mapping")
        meta = r.get("metadata")
        if meta is not None:
            if not isinstance(meta, dict):
                errors.append(f"{where}: `metadata` must be a mapping")
            else:
                for k in meta:
                    if k not in METADATA_KEYS:
                        errors.append(f"{where}: unknown metadata key {k!r}")
                deps = meta.get("dependsOn")
                if deps is not None and not (isinstance(deps, list) and all(isinstance(d, str) for d in deps)):
                    errors.append(f"{where}: `metadata.dependsOn` must be a list of names")

    edges = {}
    for name, r in names.items():
        out = edges.setdefault(name, set())
        for where, target in refs_in({k: v for k, v in r.items() if k in ("properties", "metadata", "outputs")}, f"resource {name!r}", errors):
            if target not in names:
                errors.append(f"{where}: reference to unknown resource {target!r}")
            else:
                out.add(target)
        meta = r.get("metadata")
        if isinstance(meta, dict) and isinstance(meta.get("dependsOn"), list):
            for d in meta["dependsOn"]:
                if isinstance(d, str):
                    if d not in names:
                        errors.append(f"resource {name!r}: dependsOn names unknown resource {d!r}")
                    else:
                        out.add(d)
    cycle = find_cycle(edges)
    if cycle:
        errors.append("dependency cycle: " + " -> ".join(cycle))

    outputs = doc.get("outputs")
    if outputs is not None:
        if not isinstance(outputs, list):
            errors.append("`outputs` must be a list")
        else:
            seen = set()
            for i, o in enumerate(outputs):
                if not isinstance(o, dict) or set(o) != {"name", "value"} or not isinstance(o.get("name"), str):
                    errors.append(f"outputs[{i}]: expected exactly `name` (a string) and `value`")
                    continue
                if o["name"] in seen:
                    errors.append(f"outputs[{i}]: duplicate output {o['name']!r}")
                seen.add(o["name"])
                for where, target in refs_in(o["value"], f"output {o['name']!r}", errors):
                    if target not in names:
                        errors.append(f"{where}: reference to unknown resource {target!r}")
    return errors, warnings


def files_of(args):
    for a in args:
        if os.path.isdir(a):
            for root, _dirs, files in sorted(os.walk(a)):
                for f in sorted(files):
                    if f.endswith((".yaml", ".yml")):
                        yield os.path.join(root, f)
        else:
            yield a


def main(argv):
    args = argv[1:]
    if args[:1] == ["--discovery"]:
        if len(args) < 2 or not os.path.isfile(args[1]):
            print(f"dm_check: --discovery needs the google-api-python-client wheel, got {args[1:2]}", file=sys.stderr)
            return 2
        DISCOVERY["wheel"] = args[1]
        args = args[2:]
    if not args:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    failed = 0
    checked = 0
    for path in files_of(args):
        checked += 1
        errors, warnings = check_file(path)
        for w in warnings:
            print(f"{path}: warning: {w}")
        for e in errors:
            print(f"{path}: error: {e}")
        if errors:
            failed += 1
    if checked == 0:
        print("dm_check: no files", file=sys.stderr)
        return 2
    print(f"dm_check: {checked} files, {checked - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
