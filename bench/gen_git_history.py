#!/usr/bin/env python3
"""A large git repository for the secret history benchmark.

    gen_git_history.py DIR [COMMITS [FILES]]

Writes a `git fast-import` stream (deterministic: fixed seed, fixed dates)
and imports it into a new repository at DIR: a first commit of FILES text
files (source, configuration, docs), then COMMITS - 1 commits on main that
each change a few files, a feature branch every 250 commits, a tag every
500. Every 50th commit plants a GitHub-format token (valid checksum,
random body) in a configuration file; a later commit removes some of them
again, so they live only in history. Prints the number of planted secrets
and writes their (path, commit number) list to DIR.planted.json.
"""

import json
import os
import random
import subprocess
import sys
import zlib

B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
WORDS = (
    "alpha beta gamma delta request response handler service config cache "
    "retry timeout buffer stream client server session token parser render "
    "queue worker batch limit offset index record schema table column value"
).split()


def base62(n, width):
    out = ""
    while n:
        out = B62[n % 62] + out
        n //= 62
    return out.rjust(width, "0")


def token(rng):
    body = "".join(rng.choice(B62) for _ in range(30))
    return "ghp_" + body + base62(zlib.crc32(body.encode()), 6)


def text_file(rng, path, lines):
    if path.endswith(".py"):
        make = lambda: f"    {rng.choice(WORDS)}_{rng.randint(0, 999)} = {rng.choice(WORDS)}({rng.randint(0, 99)})"
    elif path.endswith(".md"):
        make = lambda: " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14)))
    else:
        make = lambda: f"{rng.choice(WORDS)}_{rng.choice(WORDS)} = {rng.randint(0, 99999)}"
    return [make() for _ in range(lines)]


def main():
    root = sys.argv[1]
    commits = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
    nfiles = int(sys.argv[3]) if len(sys.argv) > 3 else 3000
    rng = random.Random(20240611)
    kinds = [".py", ".py", ".py", ".md", ".env", ".toml"]
    paths = [
        f"pkg{i % 40:02d}/mod{(i // 40) % 10}/file_{i:05d}{kinds[i % len(kinds)]}"
        for i in range(nfiles)
    ]
    files = {p: text_file(rng, p, rng.randint(20, 80)) for p in paths}
    configs = [p for p in paths if p.endswith((".env", ".toml"))]
    planted = []
    live = []  # (path, line index) of planted secrets still in the tree
    os.makedirs(root, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", root], check=True)
    proc = subprocess.Popen(
        ["git", "fast-import", "--quiet"], cwd=root, stdin=subprocess.PIPE
    )
    out = proc.stdin
    when = 1_600_000_000

    def data(b):
        out.write(f"data {len(b)}\n".encode())
        out.write(b)
        out.write(b"\n")

    def commit(n, ref, changed, parent_mark=None):
        nonlocal when
        when += 600
        who = f"Dev{n % 17} <dev{n % 17}@example.org>"
        out.write(f"commit {ref}\nmark :{n}\n".encode())
        out.write(f"author {who} {when} +0000\ncommitter {who} {when} +0000\n".encode())
        data(f"change {n}\n".encode())
        if parent_mark:
            out.write(f"from :{parent_mark}\n".encode())
        for p in changed:
            out.write(f"M 100644 inline {p}\n".encode())
            data(("\n".join(files[p]) + "\n").encode())

    commit(1, "refs/heads/main", paths)
    for n in range(2, commits + 1):
        changed = set(rng.sample(paths, rng.randint(2, 6)))
        for p in changed:
            lines = files[p]
            for _ in range(rng.randint(1, 3)):
                lines[rng.randrange(len(lines))] = text_file(rng, p, 1)[0]
        if n % 50 == 0:
            p = rng.choice(configs)
            at = rng.randrange(len(files[p]))
            files[p][at] = f"GITHUB_TOKEN = \"{token(rng)}\""
            changed.add(p)
            planted.append({"path": p, "commit": n})
            live.append((p, at))
        if n % 120 == 0 and live:
            p, at = live.pop(0)
            files[p][at] = "GITHUB_TOKEN = \"${GITHUB_TOKEN}\""
            changed.add(p)
        commit(n, "refs/heads/main", sorted(changed), n - 1)
        if n % 250 == 0:
            # A feature branch off this commit with one more commit.
            p = rng.choice(configs)
            files_before = list(files[p])
            files[p].append(f"FEATURE_TOKEN = \"{token(rng)}\"")
            branch_mark = commits + n
            out.write(f"reset refs/heads/feature-{n}\nfrom :{n}\n".encode())
            commit(branch_mark, f"refs/heads/feature-{n}", [p], n)
            planted.append({"path": p, "commit": f"feature-{n}"})
            files[p] = files_before
        if n % 500 == 0:
            out.write(f"reset refs/tags/v{n // 500}.0\nfrom :{n}\n".encode())
    out.close()
    if proc.wait() != 0:
        sys.exit("git fast-import failed")
    subprocess.run(["git", "-C", root, "repack", "-adq"], check=True)
    with open(root.rstrip("/") + ".planted.json", "w") as f:
        json.dump(planted, f)
    print(f"{commits} commits, {nfiles} files, {len(planted)} planted secrets")


if __name__ == "__main__":
    main()
