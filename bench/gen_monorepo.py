#!/usr/bin/env python3
"""Generates a monorepo of lockfiles for the scan benchmark.

usage: gen_monorepo.py OUT_DIR [LOCKFILES] [COMPONENTS_PER_FILE]

Package names come from the real advisory snapshots in ../shared/data/osv
(so that matching does real work), versions are drawn around the affected
ranges. Deterministic: the same arguments give the same tree.
"""
import json
import os
import random
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
OSV = os.path.join(HERE, "..", "..", "shared", "data", "osv")


def names(ecosystem, limit=3000):
    out = set()
    with zipfile.ZipFile(os.path.join(OSV, ecosystem, "all.zip")) as z:
        for n in sorted(z.namelist()):
            rec = json.loads(z.read(n))
            for a in rec.get("affected", []):
                p = a.get("package") or {}
                if p.get("name"):
                    out.add(p["name"])
            if len(out) >= limit:
                break
    return sorted(out)


def version(rng):
    return f"{rng.randint(0, 4)}.{rng.randint(0, 20)}.{rng.randint(0, 30)}"


def cargo_lock(rng, pkgs):
    lines = ["# generated", "version = 3", ""]
    lines += ["[[package]]", 'name = "app"', 'version = "0.1.0"', ""]
    for n in pkgs:
        lines += ["[[package]]", f'name = "{n}"', f'version = "{version(rng)}"',
                  'source = "registry+https://github.com/rust-lang/crates.io-index"', ""]
    return "\n".join(lines)


def requirements(rng, pkgs):
    return "\n".join(f"{n}=={version(rng)}" for n in pkgs) + "\n"


def poetry_lock(rng, pkgs):
    out = []
    for n in pkgs:
        out += ["[[package]]", f'name = "{n}"', f'version = "{version(rng)}"', 'description = ""',
                'optional = false', 'python-versions = "*"', ""]
    out += ["[metadata]", 'lock-version = "2.0"', 'python-versions = "^3.8"', 'content-hash = "0"', ""]
    return "\n".join(out)


def go_mod(rng, pkgs):
    out = ["module example.com/app", "", "go 1.21", "", "require ("]
    out += [f"\t{n} v{version(rng)}" for n in pkgs]
    out += [")", ""]
    return "\n".join(out)


def package_lock(rng, pkgs):
    packages = {"": {"name": "app", "version": "1.0.0", "dependencies": {n: "*" for n in pkgs[:10]}}}
    for n in pkgs:
        packages[f"node_modules/{n}"] = {"version": version(rng), "resolved": f"https://registry.npm.example/{n}", "integrity": "sha512-x"}
    return json.dumps({"name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": True, "packages": packages}, indent=2)


def main():
    out = sys.argv[1]
    files = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    per = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    rng = random.Random(42)
    pools = {
        "crates": names("crates.io"),
        "pypi": names("PyPI"),
        "go": names("Go"),
        "npm": [f"pkg-{i}" for i in range(3000)] + ["lodash", "minimist", "express", "react"],
    }
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
