#!/usr/bin/env python3
"""Compares the components vigil and syft find in the same directory.

usage: compare_syft.py DIR [VIGIL_BIN]

Runs `vigil scan DIR --format json` (offline, with whatever database the
cache holds; only components matter here) and `syft scan dir:DIR -o json`,
keys both by (ecosystem, normalized name, version), and prints what each
found that the other did not, with the files involved.
Set SYFT_CHECK_FOR_APP_UPDATE=false so that syft stays offline.
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
        key = (c["ecosystem"], norm(c["ecosystem"], c["name"]), c["version"].lstrip("v"))
        found[key] = sorted(l["path"] for l in c["locations"])
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
        key = (eco, norm(eco, name), a["version"].lstrip("v"))
        found[key] = sorted(l.get("path", "") for l in a.get("locations", []))
    return found


def main():
    d = sys.argv[1]
    binary = sys.argv[2] if len(sys.argv) > 2 else "vigil"
    v = vigil_components(d, binary)
    s = syft_components(d)
    both = v.keys() & s.keys()
    print(f"vigil {len(v)}, syft {len(s)}, both {len(both)}")
    for title, only, src in (("only vigil", v.keys() - s.keys(), v), ("only syft", s.keys() - v.keys(), s)):
        print(f"{title}: {len(only)}")
        for k in sorted(only)[:40]:
            print(f"  {k[0]} {k[1]} {k[2]}  {', '.join(src[k][:2])}")


if __name__ == "__main__":
    main()
