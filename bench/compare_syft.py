#!/usr/bin/env python3
"""Compares the components vigil and syft find in the same directory.

usage: compare_syft.py DIR [VIGIL_BIN] [--all]

Runs `vigil scan DIR --format json` (offline, with whatever database the
cache holds; only components matter here) and `syft scan dir:DIR -o json`,
keys both by (ecosystem, normalized name, version), and prints what each
found that the other did not, with the files involved, then the packages
both found at different versions. At most 40 lines a list unless --all.
syft runs with SYFT_CHECK_FOR_APP_UPDATE=false, so that it stays offline.
bench/compare_cdxgen.py shares the normalization and the report.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

SYFT_TYPES = {
    "python": "PyPI", "npm": "npm", "rust-crate": "crates.io", "go-module": "Go",
    "java-archive": "Maven", "gem": "RubyGems", "php-composer": "Packagist",
    "dotnet": "NuGet", "dart-pub": "Pub", "hex": "Hex", "swift": "SwiftURL",
    "conan": "ConanCenter", "R-package": "CRAN", "hackage": "Hackage",
}


def norm(eco, name):
    if eco == "PyPI":
        return re.sub(r"[-_.]+", "-", name).lower()
    if eco in ("crates.io",):
        return name.lower().replace("_", "-")
    if eco in ("NuGet", "Packagist", "Pub", "Hex", "Hackage"):
        return name.lower()
    return name


def norm_version(eco, version):
    """Only the spelling: a leading v, and Go's `go` prefix of the standard
    library (syft writes go1.20.12, vigil 1.20.12)."""
    version = version or ""
    if eco == "Go" and version.startswith("go"):
        version = version[2:]
    return version.lstrip("v")


def key(eco, name, version):
    return (eco, norm(eco, name), norm_version(eco, version))


def vigil_components(d, binary):
    cache = tempfile.mkdtemp(prefix="vigil-compare-")
    env = dict(os.environ, VIGIL_CACHE_DIR=cache)
    mirror = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "osv-mirror")
    subprocess.run([binary, "-q", "db", "import", mirror], env=env, check=True)
    out = subprocess.run([binary, "-q", "--offline", "scan", d, "-f", "json"],
                         capture_output=True, text=True, env=env)
    if out.returncode != 0:
        sys.exit(f"vigil failed: {out.stderr}")
    found = {}
    for c in json.loads(out.stdout)["components"]:
        found.setdefault(key(c["ecosystem"], c["name"], c["version"]), []).extend(
            l["path"] for l in c["locations"])
    return found


def syft_components(d):
    env = dict(os.environ, SYFT_CHECK_FOR_APP_UPDATE="false")
    out = subprocess.run(["syft", "scan", f"dir:{d}", "-o", "json", "-q"],
                         capture_output=True, text=True, env=env)
    if out.returncode != 0:
        sys.exit(f"syft failed: {out.stderr}")
    found = {}
    for a in json.loads(out.stdout)["artifacts"]:
        eco = SYFT_TYPES.get(a["type"], a["type"])
        name = a["name"]
        if eco == "Maven":
            m = a.get("metadata") or {}
            g = (m.get("pomProperties") or {}).get("groupId")
            if g:
                name = f"{g}:{name}"
        found.setdefault(key(eco, name, a["version"]), []).extend(
            l.get("path", "").lstrip("/") for l in a.get("locations", []))
    return found


def report(a, b, name_a="vigil", name_b="syft", limit=40):
    """Prints the counts, what only one side found (with up to two of its
    files) and the (ecosystem, name) pairs both found at other versions."""
    both = a.keys() & b.keys()
    print(f"{name_a} {len(a)}, {name_b} {len(b)}, both {len(both)}")
    for title, only, src in ((f"only {name_a}", a.keys() - b.keys(), a),
                             (f"only {name_b}", b.keys() - a.keys(), b)):
        print(f"{title}: {len(only)}")
        for k in sorted(only)[:limit]:
            files = sorted(set(src[k]))
            print(f"  {k[0]} {k[1]} {k[2]}  {', '.join(files[:2])}{' ...' if len(files) > 2 else ''}")
    versions_a, versions_b = {}, {}
    for k in a.keys() - b.keys():
        versions_a.setdefault(k[:2], []).append(k[2])
    for k in b.keys() - a.keys():
        versions_b.setdefault(k[:2], []).append(k[2])
    other = sorted(versions_a.keys() & versions_b.keys())
    print(f"same package, other versions: {len(other)}")
    for k in other[:limit]:
        print(f"  {k[0]} {k[1]}: {name_a} {sorted(versions_a[k])}, {name_b} {sorted(versions_b[k])}")


def main():
    args = [x for x in sys.argv[1:] if x != "--all"]
    limit = None if "--all" in sys.argv else 40
    d = args[0]
    binary = args[1] if len(args) > 1 else "vigil"
    report(vigil_components(d, binary), syft_components(d), "vigil", "syft", limit)


if __name__ == "__main__":
    main()
