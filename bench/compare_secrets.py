#!/usr/bin/env python3
"""Recall, precision and wall time of vigil, gitleaks and detect-secrets on
the generated secrets corpus (crates/vigil-secrets/tests/support/corpus.rs).

    bench/compare_secrets.py [--work DIR] [--runs N]

The corpus (DIR/corpus/tree) and its ground truth (DIR/corpus/manifest.json:
every planted secret's path and lines, every decoy's) are written by
`cargo run -p vigil-secrets --example secrets_corpus -- DIR/corpus` unless
they exist. Each tool scans the tree; a finding is matched to the ground
truth by path and line (a planted secret spans lines start..end; one secret
at most per line). Findings are counted as distinct (path, line) places, for
every tool alike (detect-secrets reports one place under several detectors,
vigil two rules on one value now and then).

Tools: vigil from $VIGIL_BIN (else target/release/vigil, else
target/debug/vigil, under $CARGO_TARGET_DIR when set); gitleaks from
$GITLEAKS or PATH (`gitleaks dir`, default config); detect-secrets from
$DETECT_SECRETS or PATH (`detect-secrets scan --all-files --no-verify`:
no network verification). A tool that is missing is skipped.
"""

import argparse
import collections
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def vigil_bin():
    if os.environ.get("VIGIL_BIN"):
        return os.path.abspath(os.environ["VIGIL_BIN"])
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    for profile in ("release", "debug"):
        p = os.path.join(target, profile, "vigil")
        if os.path.exists(p):
            return p
    return shutil.which("vigil")


def timed(cmd, cwd, runs):
    """Runs cmd `runs` times; returns (median wall seconds, last stdout)."""
    times, out = [], b""
    for _ in range(runs):
        t0 = time.perf_counter()
        p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        times.append(time.perf_counter() - t0)
        out = p.stdout
        if p.returncode not in (0, 1):
            sys.stderr.write(f"{cmd[0]} exited {p.returncode}: {p.stderr.decode()[-2000:]}\n")
    return statistics.median(times), out


def run_vigil(binary, tree, work, runs):
    out = os.path.join(work, "vigil.json")
    cmd = [binary, "-q", "scan", "secrets", ".", "--no-config", "--format", "json", "-o", out]
    secs, _ = timed(cmd, tree, runs)
    report = json.load(open(out))
    places = []
    for f in report.get("findings", []):
        if f.get("kind") != "secret":
            continue
        loc = f.get("location", {})
        places.append((loc.get("path"), loc.get("line") or 0, f.get("id")))
    return secs, places


def run_gitleaks(binary, tree, work, runs):
    out = os.path.join(work, "gitleaks.json")
    cmd = [binary, "dir", ".", "--no-banner", "-l", "error", "--exit-code", "0",
           "-f", "json", "-r", out]
    secs, _ = timed(cmd, tree, runs)
    places = []
    for f in json.load(open(out)) or []:
        path = f["File"]
        path = path[2:] if path.startswith("./") else path
        places.append((path, f["StartLine"], f["RuleID"]))
    return secs, places


def run_detect_secrets(binary, tree, work, runs):
    cmd = [binary, "scan", "--all-files", "--no-verify"]
    secs, out = timed(cmd, tree, runs)
    report = json.loads(out)
    with open(os.path.join(work, "detect-secrets.json"), "wb") as fh:
        fh.write(out)
    places = []
    for path, results in report.get("results", {}).items():
        for r in results:
            places.append((path, r["line_number"], r["type"]))
    return secs, places


def score(name, secs, places, manifest):
    planted = manifest["planted"]
    by_path = collections.defaultdict(list)
    for i, p in enumerate(planted):
        by_path[p["path"]].append(i)
    decoys = {(d["path"], d["line"]): d["kind"] for d in manifest["decoys"]}
    found = set()
    true_places, false_places = set(), {}
    for path, line, rule in places:
        if path == "manifest.json":
            continue
        hit = [i for i in by_path.get(path, [])
               if planted[i]["line"] <= line <= planted[i]["end_line"]]
        if hit:
            found.update(hit)
            true_places.add((path, line))
        else:
            false_places[(path, line)] = rule
    n = len(planted)
    total = len(true_places) + len(false_places)
    missed = collections.Counter(planted[i]["rule"] for i in range(n) if i not in found)
    fp_kinds = collections.Counter(decoys.get(k, "filler") for k in false_places)
    fp_rules = collections.Counter(false_places.values())
    return {
        "tool": name,
        "seconds": round(secs, 3),
        "planted": n,
        "found": len(found),
        "recall": len(found) / n if n else 0.0,
        "places": total,
        "false_positives": len(false_places),
        "precision": len(true_places) / total if total else 0.0,
        "missed_rules": len(missed),
        "missed_by_rule": dict(missed.most_common()),
        "false_positives_by_decoy": dict(fp_kinds.most_common()),
        "false_positives_by_rule": dict(fp_rules.most_common()),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", help="work directory (default: a new temporary one)")
    ap.add_argument("--runs", type=int, default=3, help="timed runs per tool (median)")
    args = ap.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="vigil-secrets-compare-")
    os.makedirs(work, exist_ok=True)
    corpus = os.path.join(work, "corpus")
    if not os.path.exists(os.path.join(corpus, "manifest.json")):
        subprocess.run(["cargo", "run", "-q", "-p", "vigil-secrets", "--example",
                        "secrets_corpus", "--", corpus], cwd=ROOT, check=True)
    manifest = json.load(open(os.path.join(corpus, "manifest.json")))
    tree = os.path.join(corpus, "tree")
    print(f"corpus: {manifest['files']} files, {manifest['bytes'] // 1024} KiB, "
          f"{len(manifest['planted'])} planted secrets, {len(manifest['decoys'])} decoys")

    tools = [
        ("vigil", vigil_bin(), run_vigil),
        ("gitleaks", os.environ.get("GITLEAKS") or shutil.which("gitleaks"), run_gitleaks),
        ("detect-secrets", os.environ.get("DETECT_SECRETS") or shutil.which("detect-secrets"),
         run_detect_secrets),
    ]
    results = []
    for name, binary, run in tools:
        if not binary:
            print(f"{name}: not found, skipped")
            continue
        secs, places = run(binary, tree, work, args.runs)
        results.append(score(name, secs, places, manifest))
    print()
    print(f"{'tool':<16}{'recall':>9}{'precision':>11}{'found':>12}{'false pos.':>12}{'time (s)':>10}")
    for r in results:
        print(f"{r['tool']:<16}{100 * r['recall']:>8.1f}%{100 * r['precision']:>10.1f}%"
              f"{r['found']:>7}/{r['planted']:<4}{r['false_positives']:>12}{r['seconds']:>10.2f}")
    for r in results:
        print(f"\n{r['tool']}: missed {r['planted'] - r['found']} planted secrets of "
              f"{r['missed_rules']} rules; false positives by decoy kind: "
              f"{r['false_positives_by_decoy']}")
        top = list(r["false_positives_by_rule"].items())[:8]
        if top:
            print(f"  false positives by rule: {dict(top)}")
    with open(os.path.join(work, "compare.json"), "w") as fh:
        json.dump(results, fh, indent=1)
    print(f"\ndetails: {os.path.join(work, 'compare.json')}")


if __name__ == "__main__":
    main()
