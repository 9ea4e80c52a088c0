#!/usr/bin/env python3
"""Builds IaC corpora from the built-in rules' fixtures.

usage: gen_iac.py coverage OUT      every rule's pass and fail fixture, once
       gen_iac.py speed OUT [N]     N files (default 5000), the fixtures
                                    repeated with their names varied

Each fixture lands where the tools look for its format: Dockerfiles as
`Dockerfile` in a directory of their own, GitHub Actions workflows under
`.github/workflows/`, Terraform files as `main.tf` of a module directory,
Kubernetes, CloudFormation and compose files by their own name.
"""
import os
import pathlib
import re
import shutil
import sys

RULES = pathlib.Path(__file__).resolve().parent.parent / "crates/vigil-iac/rules"


def fixtures():
    """(format, rule ID, fixture path) of every rule, sorted."""
    out = []
    for fmt_dir in sorted(RULES.iterdir()):
        if not fmt_dir.is_dir() or fmt_dir.name == "lib":
            continue
        for rule_dir in sorted(p for p in fmt_dir.iterdir() if p.is_dir()):
            for f in sorted(rule_dir.iterdir()):
                if f.is_file():
                    out.append((fmt_dir.name, rule_dir.name, f))
    return out


def place(out, fmt, rule, fixture, suffix, text):
    """Writes one fixture's text where its format's files are found."""
    stem = fixture.stem  # pass / fail
    base = out / fmt / f"{rule}-{stem}{suffix}"
    ext = fixture.suffix
    if fmt == "dockerfile":
        target = base / "Dockerfile"
    elif fmt == "github-actions":
        target = base / ".github/workflows" / f"ci{ext}"
    elif fmt == "terraform":
        target = base / (f"main{ext}" if ext == ".tf" else fixture.name)
    elif fmt == "compose":
        target = base / f"docker-compose{ext}"
    else:
        target = base / f"{fmt}{ext}"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)


def vary(text, n):
    """The same configuration under other names, so that no two files of
    the speed corpus are identical."""
    if n == 0:
        return text
    return re.sub(r"\b(web|app|api|logs|data|main|build)\b", lambda m: f"{m.group(1)}{n}", text)


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("coverage", "speed"):
        sys.exit(__doc__)
    out = pathlib.Path(sys.argv[2])
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    fx = fixtures()
    if sys.argv[1] == "coverage":
        for fmt, rule, f in fx:
            place(out, fmt, rule, f, "", f.read_text())
        print(f"{len(fx)} files in {out}")
        return
    want = int(sys.argv[3]) if len(sys.argv) > 3 else 5000
    written = 0
    round_ = 0
    while written < want:
        for fmt, rule, f in fx:
            if written >= want:
                break
            place(out, fmt, rule, f, f"-{round_}" if round_ else "", vary(f.read_text(), round_))
            written += 1
        round_ += 1
    print(f"{written} files in {out}")


if __name__ == "__main__":
    main()
