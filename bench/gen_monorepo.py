#!/usr/bin/env python3
"""Generates a monorepo of lockfiles for the scan benchmark.

usage: gen_monorepo.py OUT_DIR [LOCKFILES] [COMPONENTS_PER_FILE] [RANDOM_SHARE]

Half of the package names come from the real advisory snapshots in
../shared/data/osv (so that matching does real work), half are names no
advisory mentions, as most of a real dependency tree is. A package with
advisories is pinned at one of its advisories' fixed versions, except for
RANDOM_SHARE of them (default 0.05), which get a random version and so are
often vulnerable: about the density of findings of a real monorepo. With
RANDOM_SHARE=1 every version is random: a worst case with far more findings
than components. Deterministic: the same arguments give the same tree.
"""
import json
import os
import random
import re
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
OSV = os.path.join(HERE, "..", "..", "shared", "data", "osv")


def names(ecosystem, limit=3000):
    """Package names with advisories, each with the fixed versions its
    advisories name."""
    out = {}
    with zipfile.ZipFile(os.path.join(OSV, ecosystem, "all.zip")) as z:
        for n in sorted(z.namelist()):
            rec = json.loads(z.read(n))
            for a in rec.get("affected", []):
                p = a.get("package") or {}
                if not p.get("name"):
                    continue
                fixes = out.setdefault(p["name"], [])
                for r in a.get("ranges", []):
                    if r.get("type") in ("ECOSYSTEM", "SEMVER"):
                        fixes += [e["fixed"] for e in r.get("events", []) if "fixed" in e]
            if len(out) >= limit:
                break
    return out


RANDOM_SHARE = 0.05
FIXES = {}


def random_version(rng):
    return f"{rng.randint(0, 4)}.{rng.randint(0, 20)}.{rng.randint(0, 30)}"


def loose_key(v):
    """A rough ordering key (numbers of the version), enough to find the
    newest fix of a package."""
    return [int(x) for x in re.findall(r"\d+", v)[:6]]


def version(rng, name=None):
    fixes = FIXES.get(name)
    if fixes and rng.random() >= RANDOM_SHARE:
        # The newest fix of any of its advisories: what an up-to-date
        # project would pin.
        return max(fixes, key=loose_key)
    return random_version(rng)


def cargo_lock(rng, pkgs):
    lines = ["# generated", "version = 3", ""]
    lines += ["[[package]]", 'name = "app"', 'version = "0.1.0"', ""]
    for n in pkgs:
        lines += ["[[package]]", f'name = "{n}"', f'version = "{version(rng, n)}"',
                  'source = "registry+https://github.com/rust-lang/crates.io-index"', ""]
    return "\n".join(lines)


def requirements(rng, pkgs):
    return "\n".join(f"{n}=={version(rng, n)}" for n in pkgs) + "\n"


def poetry_lock(rng, pkgs):
    out = []
    for n in pkgs:
        out += ["[[package]]", f'name = "{n}"', f'version = "{version(rng, n)}"', 'description = ""',
                'optional = false', 'python-versions = "*"', ""]
    out += ["[metadata]", 'lock-version = "2.0"', 'python-versions = "^3.8"', 'content-hash = "0"', ""]
    return "\n".join(out)


def go_requirement(rng, name):
    """A `require` line go accepts: a module path and version whose major
    versions agree (semantic import versioning)."""
    v = version(rng, name)
    m = re.match(r"(\d+)(.*)", v)
    if not m:
        return f"{name} v{v}"
    major, rest = int(m.group(1)), m.group(2)
    suffix = re.search(r"(?:/|^gopkg\.in/.*\.)v(\d+)$", name)
    if suffix:
        # `/v3` (or gopkg.in's `.v3`) in the path: the version's major is 3.
        return f"{name} v{suffix.group(1)}{rest}"
    if major >= 2 and "+incompatible" not in rest:
        if name in FIXES:
            # A module from before Go modules, as its advisories name it:
            # v2+ without `/vN` is marked incompatible.
            return f"{name} v{v}+incompatible"
        # A module of ours: its path carries the major version.
        return f"{name}/v{major} v{v}"
    return f"{name} v{v}"


def go_mod(rng, pkgs):
    out = ["module example.com/app", "", "go 1.26.6", "", "require ("]
    out += [f"\t{go_requirement(rng, n)}" for n in pkgs]
    out += [")", ""]
    return "\n".join(out)


def package_lock(rng, pkgs):
    packages = {"": {"name": "app", "version": "1.0.0", "dependencies": {n: "*" for n in pkgs[:10]}}}
    for n in pkgs:
        packages[f"node_modules/{n}"] = {"version": version(rng, n), "resolved": f"https://registry.npm.example/{n}", "integrity": "sha512-x"}
    return json.dumps({"name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": True, "packages": packages}, indent=2)


def main():
    out = sys.argv[1]
    files = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    per = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    global RANDOM_SHARE
    if len(sys.argv) > 4:
        RANDOM_SHARE = float(sys.argv[4])
    rng = random.Random(42)
    pools = {}
    for pool, eco in (("crates", "crates.io"), ("pypi", "PyPI"), ("go", "Go")):
        known = names(eco)
        FIXES.update(known)
        pools[pool] = sorted(known) + [f"internal-{pool}-lib-{i}" for i in range(len(known))]
    pools["go"] = [n if "/" in n else f"example.com/internal/{n}" for n in pools["go"]]
    pools["npm"] = [f"pkg-{i}" for i in range(3000)] + ["lodash", "minimist", "express", "react"]
    kinds = [
        ("Cargo.lock", cargo_lock, "crates"),
        ("requirements.txt", requirements, "pypi"),
        ("poetry.lock", poetry_lock, "pypi"),
        ("go.mod", go_mod, "go"),
        ("package-lock.json", package_lock, "npm"),
    ]
    total = 0
    for i in range(files):
        fname, gen, pool = kinds[i % len(kinds)]
        d = os.path.join(out, f"svc-{i // 50:03d}", f"mod-{i:04d}")
        os.makedirs(d, exist_ok=True)
        pkgs = rng.sample(pools[pool], min(per, len(pools[pool])))
        with open(os.path.join(d, fname), "w") as f:
            f.write(gen(rng, pkgs))
        total += len(pkgs)
    print(f"{files} lockfiles, {total} components in {out}")


if __name__ == "__main__":
    main()
