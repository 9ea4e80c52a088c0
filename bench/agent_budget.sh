#!/usr/bin/env bash
# The resource budget of `vigil agent`: on a host with 1,000 processes, a
# full snapshot takes < 1 s of CPU, the steady state < 1 % of one core at a
# 60 s interval, and the agent's RSS stays < 30 MB.
#
#   bench/agent_budget.sh              # 1,000 processes, 10 snapshots
#   PROCS=2000 RUNS=5 bench/agent_budget.sh
#   VIGIL_BIN=path/to/vigil bench/agent_budget.sh
#   KEEP=last.json bench/agent_budget.sh   # keeps the last snapshot
#
# Starts PROCS processes (PYTHONS of them Python interpreters that imported
# ssl, sqlite3 and ctypes, each listening on a loopback port with a
# connection to itself held open; the rest `sleep`), all in one process
# group of their own, then runs `vigil agent --once --format json` RUNS
# times under /usr/bin/time -v (Debian package `time`) after one warm-up
# run, and prints each run's user + system CPU seconds and peak RSS, and
# their medians.
#
# Steady state: `vigil agent --once` takes a full snapshot each time
# (nothing is kept between runs), so the CPU of one snapshot is the CPU of
# one interval; the duty cycle at a 60 s interval is that CPU divided by
# 60 s. Run as root to see every process, as the agent would.
#
# Every process started is killed when the script ends, however it ends;
# the processes also end by themselves after LIFETIME seconds (600).
set -euo pipefail

PROCS=${PROCS:-1000}
PYTHONS=${PYTHONS:-50}
RUNS=${RUNS:-10}
LIFETIME=${LIFETIME:-600}
VIGIL_BIN=${VIGIL_BIN:-target/release/vigil}

die() { printf 'agent_budget: error: %s\n' "$*" >&2; exit 1; }
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (Debian package: time)"
command -v python3 >/dev/null || die "python3 is missing"
[ -x "$VIGIL_BIN" ] || die "$VIGIL_BIN is not there: cargo build --release -p vigil (or set VIGIL_BIN)"
[ "$PYTHONS" -le "$PROCS" ] || die "PYTHONS ($PYTHONS) is more than PROCS ($PROCS)"

work=$(mktemp -d)
group=""
cleanup() {
  if [ -n "$group" ]; then
    kill -TERM -- "-$group" 2>/dev/null || true
    sleep 0.2
    kill -KILL -- "-$group" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cat >"$work/server.py" <<'EOF'
import ctypes, socket, sqlite3, ssl, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen()
c = socket.create_connection(s.getsockname())
a, _ = s.accept()
time.sleep(float(sys.argv[1]))
EOF

# One new session and process group holds every process started.
cat >"$work/start.sh" <<EOF
for i in \$(seq 1 $PYTHONS); do python3 "$work/server.py" $LIFETIME & done
for i in \$(seq 1 $((PROCS - PYTHONS))); do sleep $LIFETIME & done
echo ready > "$work/ready"
wait
EOF
setsid bash "$work/start.sh" </dev/null >/dev/null 2>&1 &
leader=$!
for _ in $(seq 1 600); do
  [ -f "$work/ready" ] && break
  sleep 0.1
done
[ -f "$work/ready" ] || die "the processes did not start"
group=$(ps -o pgid= -p "$leader" | tr -d ' ')
[ -n "$group" ] || die "no process group"
# Let the interpreters finish their imports and connect.
for _ in $(seq 1 300); do
  n=$(pgrep -g "$group" -c -f server.py || true)
  listening=$(awk 'NR > 1 && $4 == "0A"' /proc/net/tcp | wc -l)
  [ "${n:-0}" -ge "$PYTHONS" ] && [ "$listening" -ge "$PYTHONS" ] && break
  sleep 0.1
done
all=(/proc/[0-9]*)
total=${#all[@]}
ours=$(pgrep -g "$group" -c || true)
echo "processes: $ours started ($PYTHONS python3 with sockets), $total on the host"

measure() { # → "cpu_seconds rss_kb processes"
  local out="$work/snapshot.json" err="$work/time.txt"
  /usr/bin/time -v "$VIGIL_BIN" --no-config agent --once --format json -o "$out" --quiet 2>"$err" ||
    die "vigil agent failed: $(cat "$err")"
  local user sys rss n
  user=$(awk -F': ' '/User time/ {print $2}' "$err")
  sys=$(awk -F': ' '/System time/ {print $2}' "$err")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$err")
  n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["processes"]))' "$out")
  echo "$(echo "$user + $sys" | bc -l) $rss $n"
}

measure >/dev/null # warm-up: page cache, dentries
results=()
for i in $(seq 1 "$RUNS"); do
  r=$(measure)
  results+=("$r")
  read -r cpu rss n <<<"$r"
  printf 'run %2d: %6.3f s CPU, %6.1f MB RSS, %d processes in the snapshot\n' "$i" "$cpu" "$(echo "$rss / 1024" | bc -l)" "$n"
done

median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
cpu=$(printf '%s\n' "${results[@]}" | awk '{print $1}' | median)
rss=$(printf '%s\n' "${results[@]}" | awk '{print $2}' | median)
max_rss=$(printf '%s\n' "${results[@]}" | awk '{print $2}' | sort -n | tail -1)
printf 'median: %.3f s CPU per snapshot (budget 1 s), RSS %.1f MB (max %.1f MB; budget 30 MB)\n' \
  "$cpu" "$(echo "$rss / 1024" | bc -l)" "$(echo "$max_rss / 1024" | bc -l)"
[ -z "${KEEP:-}" ] || cp "$work/snapshot.json" "$KEEP"
printf 'steady state at a 60 s interval: %.3f %% of one core (budget 1 %%)\n' "$(echo "$cpu / 60 * 100" | bc -l)"
