#!/usr/bin/env python3
"""Compares vigil's misconfiguration findings with Checkov's on one corpus.

usage: compare_checkov.py CORPUS [VIGIL_BIN] [--all]

Runs `vigil scan config CORPUS -f json` and `checkov -d CORPUS -o json
--skip-download`, then, for every Checkov check that has a vigil
counterpart (MAP below: Checkov ID -> the vigil rules that cover the same
problem), lists the files Checkov flags and vigil does not ("missed") and
those vigil flags and Checkov does not ("vigil only"). Checks without a
counterpart are counted apart: they are categories vigil does not cover
(or covers differently on purpose). Checkov is found on PATH or in
$CHECKOV. At most 30 lines a list unless --all.
"""
import collections
import json
import os
import shutil
import subprocess
import sys

# Checkov ID -> vigil rule IDs that report the same problem.
MAP = {
    # Kubernetes
    "CKV_K8S_1": ["VIGIL-K8S-006"], "CKV_K8S_17": ["VIGIL-K8S-006"],
    "CKV_K8S_2": ["VIGIL-K8S-001"], "CKV_K8S_16": ["VIGIL-K8S-001"],
    "CKV_K8S_3": ["VIGIL-K8S-007"], "CKV_K8S_18": ["VIGIL-K8S-007"],
    "CKV_K8S_4": ["VIGIL-K8S-005"], "CKV_K8S_19": ["VIGIL-K8S-005"],
    "CKV_K8S_5": ["VIGIL-K8S-002"], "CKV_K8S_20": ["VIGIL-K8S-002"],
    "CKV_K8S_6": ["VIGIL-K8S-003", "VIGIL-K8S-004"],
    "CKV_K8S_23": ["VIGIL-K8S-003", "VIGIL-K8S-004"],
    "CKV_K8S_8": ["VIGIL-K8S-012"],
    "CKV_K8S_9": ["VIGIL-K8S-013"],
    "CKV_K8S_11": ["VIGIL-K8S-011"], "CKV_K8S_13": ["VIGIL-K8S-011"],
    "CKV_K8S_14": ["VIGIL-K8S-014"],
    "CKV_K8S_25": ["VIGIL-K8S-009"], "CKV_K8S_24": ["VIGIL-K8S-009"],
    "CKV_K8S_37": ["VIGIL-K8S-009", "VIGIL-K8S-010"],
    "CKV_K8S_39": ["VIGIL-K8S-009"],
    "CKV_K8S_7": ["VIGIL-K8S-009", "VIGIL-K8S-010"],
    "CKV_K8S_28": ["VIGIL-K8S-009", "VIGIL-K8S-010"],
    "CKV_K8S_49": ["VIGIL-K8S-016"],
    "CKV_K8S_38": ["VIGIL-K8S-017"],
    "CKV_K8S_41": ["VIGIL-K8S-017"], "CKV_K8S_42": ["VIGIL-K8S-017"],
    "CKV_K8S_21": ["VIGIL-K8S-040"],
    "CKV_K8S_22": ["VIGIL-K8S-031"],
    "CKV_K8S_26": ["VIGIL-K8S-033"],
    "CKV_K8S_27": ["VIGIL-K8S-042", "VIGIL-K8S-008"],
    "CKV_K8S_43": ["VIGIL-K8S-039", "VIGIL-K8S-014"],
    "CKV_K8S_152": ["VIGIL-K8S-023"], "CKV_K8S_153": ["VIGIL-K8S-023"],
    "CKV_K8S_154": ["VIGIL-K8S-023"],
    "CKV_K8S_155": ["VIGIL-K8S-049"],
    "CKV_K8S_157": ["VIGIL-K8S-026"], "CKV_K8S_158": ["VIGIL-K8S-026"],
    "CKV2_K8S_2": ["VIGIL-K8S-025", "VIGIL-K8S-048"],
    "CKV2_K8S_3": ["VIGIL-K8S-026"],
    "CKV2_K8S_5": ["VIGIL-K8S-024", "VIGIL-K8S-016"],
    # AWS (Checkov's IDs are shared by CloudFormation and Terraform)
    "CKV_AWS_2": ["VIGIL-CFN-022", "VIGIL-AWS-024"], "CKV_AWS_3": ["VIGIL-CFN-016", "VIGIL-AWS-017"],
    "CKV_AWS_7": ["VIGIL-CFN-021", "VIGIL-AWS-023"], "CKV_AWS_16": ["VIGIL-CFN-012", "VIGIL-AWS-013"],
    "CKV_AWS_17": ["VIGIL-CFN-013", "VIGIL-AWS-014"], "CKV_AWS_18": ["VIGIL-CFN-006", "VIGIL-AWS-006"],
    "CKV_AWS_19": ["VIGIL-CFN-004", "VIGIL-AWS-004"], "CKV_AWS_20": ["VIGIL-CFN-003", "VIGIL-AWS-001"],
    "CKV_AWS_57": ["VIGIL-CFN-003", "VIGIL-AWS-001"], "CKV_AWS_21": ["VIGIL-CFN-005", "VIGIL-AWS-005"],
    "CKV_AWS_24": ["VIGIL-CFN-008", "VIGIL-CFN-009", "VIGIL-AWS-007", "VIGIL-AWS-009"],
    "CKV_AWS_25": ["VIGIL-CFN-008", "VIGIL-CFN-009", "VIGIL-AWS-008", "VIGIL-AWS-009"],
    "CKV_AWS_26": ["VIGIL-CFN-027", "VIGIL-AWS-033"], "CKV_AWS_27": ["VIGIL-CFN-026", "VIGIL-AWS-032"],
    "CKV_AWS_28": ["VIGIL-CFN-025", "VIGIL-AWS-031"], "CKV_AWS_34": ["VIGIL-CFN-024", "VIGIL-AWS-026"],
    "CKV_AWS_35": ["VIGIL-CFN-020", "VIGIL-AWS-022"], "CKV_AWS_36": ["VIGIL-CFN-019", "VIGIL-AWS-021"],
    "CKV_AWS_40": ["VIGIL-CFN-011", "VIGIL-AWS-012"], "CKV_AWS_51": ["VIGIL-CFN-028", "VIGIL-AWS-034"],
    "CKV_AWS_53": ["VIGIL-CFN-001", "VIGIL-CFN-002", "VIGIL-AWS-002", "VIGIL-AWS-003"],
    "CKV_AWS_54": ["VIGIL-CFN-001", "VIGIL-CFN-002", "VIGIL-AWS-002", "VIGIL-AWS-003"],
    "CKV_AWS_55": ["VIGIL-CFN-001", "VIGIL-CFN-002", "VIGIL-AWS-002", "VIGIL-AWS-003"],
    "CKV_AWS_56": ["VIGIL-CFN-001", "VIGIL-CFN-002", "VIGIL-AWS-002", "VIGIL-AWS-003"],
    "CKV_AWS_62": ["VIGIL-CFN-010", "VIGIL-AWS-011"],
    "CKV_AWS_67": ["VIGIL-CFN-018", "VIGIL-AWS-020"], "CKV_AWS_79": ["VIGIL-CFN-017", "VIGIL-AWS-018"],
    "CKV_AWS_103": ["VIGIL-CFN-023", "VIGIL-CFN-022", "VIGIL-AWS-025", "VIGIL-AWS-024"], "CKV_AWS_163": ["VIGIL-CFN-029", "VIGIL-AWS-035"],
    "CKV_AWS_258": ["VIGIL-CFN-030", "VIGIL-AWS-029"],
    "CKV_AWS_1": ["VIGIL-AWS-011"], "CKV_AWS_58": ["VIGIL-AWS-028", "VIGIL-CFN-032"],
    "CKV_AWS_38": ["VIGIL-AWS-027", "VIGIL-CFN-031"],
    "CKV_AWS_88": ["VIGIL-AWS-019"], "CKV_AWS_133": ["VIGIL-AWS-015", "VIGIL-CFN-014"],
    "CKV_AWS_293": ["VIGIL-AWS-016", "VIGIL-CFN-015"], "CKV_AWS_301": ["VIGIL-AWS-030"],
    "CKV2_AWS_11": ["VIGIL-AWS-036"],
    # Azure
    "CKV_AZURE_3": ["VIGIL-AZURE-001"], "CKV_AZURE_44": ["VIGIL-AZURE-002"],
    "CKV2_AZURE_47": ["VIGIL-AZURE-003"],
    "CKV_AZURE_34": ["VIGIL-AZURE-004"], "CKV_AZURE_10": ["VIGIL-AZURE-005"],
    "CKV_AZURE_9": ["VIGIL-AZURE-006"], "CKV_AZURE_113": ["VIGIL-AZURE-007"],
    "CKV_AZURE_11": ["VIGIL-AZURE-008"], "CKV_AZURE_110": ["VIGIL-AZURE-009"],
    "CKV_AZURE_5": ["VIGIL-AZURE-010"], "CKV_AZURE_14": ["VIGIL-AZURE-011"],
    "CKV_AZURE_70": ["VIGIL-AZURE-011"], "CKV_AZURE_29": ["VIGIL-AZURE-012"],
    "CKV_AZURE_28": ["VIGIL-AZURE-012"],
    # Google Cloud
    "CKV_GCP_28": ["VIGIL-GCP-001"], "CKV_GCP_29": ["VIGIL-GCP-002"],
    "CKV_GCP_2": ["VIGIL-GCP-003"], "CKV_GCP_3": ["VIGIL-GCP-004"],
    "CKV_GCP_6": ["VIGIL-GCP-006"], "CKV_GCP_64": ["VIGIL-GCP-009"],
    "CKV_GCP_25": ["VIGIL-GCP-009"], "CKV_GCP_31": ["VIGIL-GCP-010"],
    "CKV_GCP_35": ["VIGIL-GCP-013"], "CKV_GCP_40": ["VIGIL-GCP-012"],
    "CKV_GCP_43": ["VIGIL-GCP-014"],
    # GitHub Actions
    "CKV_GHA_1": ["VIGIL-GHA-007"],
    "CKV_GHA_2": ["VIGIL-GHA-003"],
    "CKV2_GHA_1": ["VIGIL-GHA-004", "VIGIL-GHA-005"],
    # Dockerfile
    "CKV_DOCKER_2": ["VIGIL-DF-004"],
    "CKV_DOCKER_3": ["VIGIL-DF-001"], "CKV_DOCKER_8": ["VIGIL-DF-001"],
    "CKV_DOCKER_7": ["VIGIL-DF-005"],
    "CKV_DOCKER_1": ["VIGIL-DF-010"],
    "CKV_DOCKER_6": ["VIGIL-DF-014"],
    "CKV_DOCKER_10": ["VIGIL-DF-013"],
    "CKV_DOCKER_4": ["VIGIL-DF-002", "VIGIL-DF-018"],
    "CKV2_DOCKER_1": ["VIGIL-DF-008"],
    "CKV2_DOCKER_2": ["VIGIL-DF-011"], "CKV2_DOCKER_3": ["VIGIL-DF-011"],
    "CKV2_DOCKER_4": ["VIGIL-DF-011"],
    "CKV2_DOCKER_5": ["VIGIL-DF-020"], "CKV2_DOCKER_6": ["VIGIL-DF-020"],
    "CKV2_DOCKER_12": ["VIGIL-DF-020"], "CKV2_DOCKER_14": ["VIGIL-DF-020"],
    "CKV2_DOCKER_16": ["VIGIL-DF-020"], "CKV2_DOCKER_13": ["VIGIL-DF-011"],
    "CKV2_DOCKER_7": ["VIGIL-DF-021"], "CKV2_DOCKER_8": ["VIGIL-DF-021"],
    "CKV2_DOCKER_9": ["VIGIL-DF-021"], "CKV2_DOCKER_10": ["VIGIL-DF-021"],
    "CKV2_DOCKER_11": ["VIGIL-DF-021"],
}


def run_vigil(binary, corpus):
    out = subprocess.run(
        [binary, "-q", "scan", "config", corpus, "-f", "json"],
        capture_output=True, text=True, check=False,
    )
    if out.returncode not in (0, 1):
        sys.exit(f"vigil failed: {out.stderr}")
    report = json.loads(out.stdout)
    found = collections.defaultdict(set)  # path -> rule IDs
    for f in report["findings"]:
        if f.get("kind") == "misconfiguration" and not f.get("suppression"):
            found[f["location"]["path"]].add(f["id"])
    return found


def run_checkov(corpus):
    checkov = os.environ.get("CHECKOV") or shutil.which("checkov")
    if not checkov:
        sys.exit("checkov not found: pip install checkov, or set CHECKOV")
    out = subprocess.run(
        [checkov, "-d", corpus, "-o", "json", "--skip-download", "--quiet", "--compact",
         "--framework", "kubernetes", "dockerfile", "terraform", "terraform_plan",
         "cloudformation", "github_actions"],
        capture_output=True, text=True, check=False,
    )
    data = json.loads(out.stdout or "[]")
    reports = data if isinstance(data, list) else [data]
    flagged = collections.defaultdict(set)  # check ID -> paths
    names = {}
    for r in reports:
        for c in r.get("results", {}).get("failed_checks", []):
            path = c["file_path"].lstrip("/")
            flagged[c["check_id"]].add(path)
            names[c["check_id"]] = c.get("check_name", "")
    return flagged, names


def main():
    args = [a for a in sys.argv[1:] if a != "--all"]
    limit = None if "--all" in sys.argv else 30
    if not args:
        sys.exit(__doc__)
    corpus = args[0]
    binary = args[1] if len(args) > 1 else "vigil"
    vigil = run_vigil(binary, corpus)
    checkov, names = run_checkov(corpus)
    both = missed = 0
    print(f"{'Checkov check':16} {'flags':>5} {'vigil too':>9}  vigil rules")
    misses = []
    unmapped = []
    for check in sorted(checkov, key=lambda c: (c.split("_")[0], int(c.rsplit("_", 1)[1]))):
        paths = checkov[check]
        rules = MAP.get(check)
        if rules is None:
            unmapped.append((check, len(paths)))
            continue
        hit = {p for p in paths if vigil.get(p, set()) & set(rules)}
        both += len(hit)
        missed += len(paths - hit)
        misses += [(check, p) for p in sorted(paths - hit)]
        print(f"{check:16} {len(paths):5} {len(hit):9}  {', '.join(rules)}")
    total = both + missed
    print(f"\nfiles Checkov flags in categories vigil covers: {total}; "
          f"vigil flags them too: {both} ({100 * both / max(total, 1):.1f} %)")
    if misses:
        print("\nmissed (Checkov flags, vigil does not):")
        for check, p in misses[:limit]:
            print(f"  {check:16} {p}  ({names.get(check, '')})")
    # What vigil reports in the same categories that Checkov does not.
    covered = {r for rules in MAP.values() for r in rules}
    by_rule = collections.defaultdict(set)
    for check, rules in MAP.items():
        for r in rules:
            by_rule[r] |= checkov.get(check, set())
    extra = sorted((r, p) for p, ids in vigil.items() for r in ids
                   if r in covered and p not in by_rule[r])
    print(f"\nvigil only, in the same categories: {len(extra)}")
    for r, p in extra[:limit]:
        print(f"  {r:16} {p}")
    print(f"\nCheckov checks without a vigil counterpart: {len(unmapped)} "
          f"({sum(n for _, n in unmapped)} files flagged)")
    for check, n in unmapped[:limit]:
        print(f"  {check:16} {n:4}  {names.get(check, '')}")


if __name__ == "__main__":
    main()
