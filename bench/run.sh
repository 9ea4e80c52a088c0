#!/usr/bin/env bash
# Benchmarks for vigil, measured against the goals in the README.
#
#   bench/run.sh [import|monorepo|cargo-audit|all]
#
# import:      `vigil db import` of every snapshot in ../shared/data/osv (goal < 3 s)
# monorepo:    `vigil scan` of a generated monorepo of 2,000 lockfiles /
#              200,000 components with the database in place (goal < 1 s)
# cargo-audit: `vigil scan` of a Cargo.lock against `cargo audit` on the same
#              RustSec data, in one run (goal: vigil >= 5x faster)
#
# Uses hyperfine when installed (apt-get install hyperfine), else a plain
# loop of timed runs. Work files go to ${BENCH_DIR:-/tmp/vigil-bench}.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SHARED="$ROOT/../shared/data"
WORK=${BENCH_DIR:-/tmp/vigil-bench}
mkdir -p "$WORK"
cargo build --release --quiet -p vigil
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/vigil"

timeit() { # name, command (one shell string)
  local name=$1 cmd=$2
  if command -v hyperfine >/dev/null; then
    hyperfine --warmup 1 --runs 5 --export-json "$WORK/$name.hyperfine.json" "$cmd"
  else
    for i in 1 2 3 4 5; do
      local t0=$(date +%s.%N); bash -c "$cmd" >/dev/null; local t1=$(date +%s.%N)
      echo "$name run $i: $(echo "$t1 - $t0" | bc) s"
    done
  fi
}

bench_import() {
  echo "== import of all of ../shared/data/osv (goal < 3 s)"
  timeit import "rm -rf '$WORK/import-cache' && '$BIN' -q --cache-dir '$WORK/import-cache' db import '$SHARED/osv'"
}

bench_monorepo() {
  echo "== scan of a generated monorepo: 2,000 lockfiles / 200,000 components (goal < 1 s)"
  "$BIN" -q --cache-dir "$WORK/db" db import "$SHARED/osv" "$SHARED/kev/known_exploited_vulnerabilities.json" 2>/dev/null
  # realistic: 5% of the packages that have advisories at a random version;
  # worst: every version random, more findings than components.
  for variant in "mono 0.05" "mono-worst 1"; do
    set -- $variant
    [ -d "$WORK/$1" ] || python3 bench/gen_monorepo.py "$WORK/$1" 2000 100 "$2"
    echo "-- $1 (random share $2)"
    timeit "$1" "'$BIN' -q --offline --cache-dir '$WORK/db' scan '$WORK/$1' --format json -o '$WORK/$1.json'"
    python3 -c "import json;r=json.load(open('$WORK/$1.json'));print(len(r['components']),'distinct components,',len(r['findings']),'findings')"
  done
}

bench_cargo_audit() {
  echo "== vigil scan vs cargo audit on the same Cargo.lock and RustSec data (goal >= 5x)"
  command -v cargo-audit >/dev/null || { echo "cargo-audit missing: cargo install cargo-audit --locked"; return 1; }
  # This repository's own lockfile, and the demo's (with known-vulnerable crates).
  mkdir -p "$WORK/audit/vigil" "$WORK/audit/demo"
  cp "$ROOT/Cargo.lock" "$WORK/audit/vigil/Cargo.lock"
  cp "$ROOT/examples/demo-app/Cargo.lock" "$WORK/audit/demo/Cargo.lock"
  "$BIN" -q --cache-dir "$WORK/db-rust" db import "$SHARED/osv/crates.io/all.zip" 2>/dev/null
  # cargo-audit needs a writable copy of the database directory (it takes a lock).
  rm -rf "$WORK/rustsec-db" && cp -r "$SHARED/raw/rustsec-advisory-db" "$WORK/rustsec-db"
  for proj in vigil demo; do
    local lock="$WORK/audit/$proj/Cargo.lock"
    echo "-- $proj: $(grep -c '^\[\[package\]\]' "$lock") packages"
    "$BIN" -q --offline --cache-dir "$WORK/db-rust" scan "$lock" --format json -o "$WORK/audit/$proj.vigil.json"
    cargo-audit audit --no-fetch --stale --db "$WORK/rustsec-db" --file "$lock" --json > "$WORK/audit/$proj.audit.json" || true
    python3 - "$WORK/audit/$proj.vigil.json" "$WORK/audit/$proj.audit.json" <<'PY'
import json, sys
v = json.load(open(sys.argv[1])); a = json.load(open(sys.argv[2]))
vids = sorted(f["id"] for f in v["findings"])
aids = sorted([x["advisory"]["id"] for x in a["vulnerabilities"]["list"]] +
              [x["advisory"]["id"] for k in a.get("warnings", {}) for x in a["warnings"][k]])
print(f"   vigil: {len(v['components'])} components, findings {vids}")
print(f"   cargo-audit: {a['lockfile']['dependency-count']} dependencies, findings {aids}")
PY
    hyperfine --warmup 3 --runs 30 -N -i \
      "$BIN -q --offline --cache-dir $WORK/db-rust scan $lock --format json -o /dev/null" \
      "cargo-audit audit --no-fetch --stale --db $WORK/rustsec-db --file $lock --json"
  done
}

case "${1:-all}" in
  import) bench_import ;;
  monorepo) bench_monorepo ;;
  cargo-audit) bench_cargo_audit ;;
  all) bench_import; bench_monorepo; bench_cargo_audit ;;
  *) echo "usage: $0 [import|monorepo|cargo-audit|all]" >&2; exit 2 ;;
esac
