#!/usr/bin/env python3
"""Compares the components vigil and cdxgen find in the same directory.

usage: compare_cdxgen.py DIR [VIGIL_BIN] [--bom FILE | --save FILE] [--all]

Runs `vigil scan DIR --format json` as compare_syft.py does, and cdxgen
(the command in $CDXGEN, default `cdxgen`; e.g. CDXGEN="npx --prefix DIR
cdxgen") on DIR, keeping its CycloneDX JSON in FILE with --save, or reads
that of an earlier run with --bom. Components are keyed by the ecosystem, name and version of their purl,
normalized as in compare_syft.py; the root project (metadata.component) is
printed apart, since vigil lists none.

cdxgen runs offline and reads files only: --no-install-deps (no npm/pip
install), no license or metadata fetches, every host refused
(CDXGEN_ALLOWED_HOSTS) and every child process refused
(CDXGEN_ALLOWED_COMMANDS: no `go list`, `pip`, `mvn`...). GOPROXY=off and
npm/pip offline settings are belts and braces.
"""
import json
import os
import shlex
import subprocess
import sys
import tempfile
from urllib.parse import unquote

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare_syft import key, report, vigil_components  # noqa: E402

PURL_TYPES = {
    "npm": "npm", "pypi": "PyPI", "maven": "Maven", "cargo": "crates.io",
    "golang": "Go", "gem": "RubyGems", "composer": "Packagist", "nuget": "NuGet",
    "pub": "Pub", "hex": "Hex", "swift": "SwiftURL", "conan": "ConanCenter",
    "cran": "CRAN", "hackage": "Hackage",
}

OFFLINE_ENV = {
    "CDXGEN_NO_BANNER": "true",
    "FETCH_LICENSE": "false",
    "CDXGEN_FETCH_PKG_METADATA": "false",
    "GO_FETCH_VCS": "false",
    "CDXGEN_ALLOWED_HOSTS": "offline.invalid",
    "CDXGEN_ALLOWED_COMMANDS": "offline-no-command",
    "GOPROXY": "off",
    "GOFLAGS": "-mod=mod",
    "npm_config_offline": "true",
    "PIP_NO_INDEX": "1",
}


def parse_purl(purl):
    """(ecosystem, name, version) of a purl, or None for a type we do not
    map. Qualifiers and subpath are dropped."""
    if not purl or not purl.startswith("pkg:"):
        return None
    rest = purl[4:].split("#", 1)[0].split("?", 1)[0]
    ptype, _, path = rest.partition("/")
    path, _, version = path.rpartition("@") if "@" in path.split("/")[-1] else (path, "", "")
    parts = [unquote(p) for p in path.split("/") if p]
    eco = PURL_TYPES.get(ptype.lower(), ptype.lower())
    if eco == "Maven" and len(parts) >= 2:
        name = f"{'.'.join(parts[:-1])}:{parts[-1]}"
    else:
        name = "/".join(parts)
    return eco, name, unquote(version)


def walk(components):
    for c in components or []:
        yield c
        yield from walk(c.get("components"))


def files_of(c):
    out = [o.get("location", "") for o in (c.get("evidence") or {}).get("occurrences", [])]
    out += [p["value"] for p in c.get("properties", []) if p.get("name") == "SrcFile"]
    return out or ["?"]


def relative(f, base):
    """A file of cdxgen's (absolute, or relative to some folder above the
    scanned one) relative to the scanned folder, as vigil prints them."""
    if f.startswith(base):
        return f[len(base):]
    marker = os.sep + os.path.basename(base.rstrip(os.sep)) + os.sep
    if not os.path.isabs(f) and marker in os.sep + f:
        return (os.sep + f).split(marker, 1)[1]
    return f


def cdxgen_components(d, bom_file, save=None):
    if bom_file is None:
        bom_file = save or os.path.join(tempfile.mkdtemp(prefix="cdxgen-compare-"), "bom.json")
        # An absolute path: cdxgen 12.8 given a relative one with the
        # lockfile in a subfolder (examples/demo-app) misses web/package-lock.json.
        cmd = shlex.split(os.environ.get("CDXGEN", "cdxgen")) + [
            "--no-install-deps", "--no-babel", "--spec-version", "1.6", "-o", bom_file,
            os.path.abspath(d)]
        out = subprocess.run(cmd, capture_output=True, text=True,
                             env=dict(os.environ, **OFFLINE_ENV))
        if out.returncode != 0 or not os.path.exists(bom_file):
            sys.exit(f"cdxgen failed: {out.stdout[-2000:]} {out.stderr[-2000:]}")
    bom = json.load(open(bom_file))
    root = (bom.get("metadata") or {}).get("component") or {}
    found, unmapped = {}, []
    for c in walk(bom.get("components")):
        p = parse_purl(c.get("purl"))
        if p is None:
            unmapped.append(f"{c.get('type')} {c.get('name')} {c.get('version')}")
            continue
        found.setdefault(key(*p), []).extend(files_of(c))
    base = os.path.abspath(d) + os.sep
    found = {k: [relative(f, base) for f in files] for k, files in found.items()}
    return root, found, unmapped


def main():
    args, bom, save, limit = [], None, None, 40
    it = iter(sys.argv[1:])
    for a in it:
        if a == "--bom":
            bom = next(it)
        elif a == "--save":
            save = os.path.abspath(next(it))
        elif a == "--all":
            limit = None
        else:
            args.append(a)
    d = args[0]
    binary = args[1] if len(args) > 1 else "vigil"
    root, c, unmapped = cdxgen_components(d, bom, save)
    print(f"cdxgen root (metadata.component): {root.get('purl') or root.get('name')}")
    if unmapped:
        print(f"cdxgen components without a package purl: {len(unmapped)}: {', '.join(unmapped[:5])}")
    report(vigil_components(d, binary), c, "vigil", "cdxgen", limit)


if __name__ == "__main__":
    main()
