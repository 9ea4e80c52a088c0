#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server on 127.0.0.1 for the server's test
# suite: `.ci/postgres.sh start DIR PORT` (prints the admin URL), and
# `.ci/postgres.sh stop DIR`. PostgreSQL refuses to run as root: as root,
# the server runs as the `postgres` user (Debian's package creates it).
set -euo pipefail
cmd=$1 dir=$2
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
[ -x "$bindir/initdb" ] || { echo "PostgreSQL is not installed (/usr/lib/postgresql/*/bin)" >&2; exit 1; }
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$cmd" in
start)
  port=$3
  rm -rf "$dir" && mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  as_owner "$bindir/initdb" -A trust -U vigil --no-sync -D "$dir/data" >/dev/null
  as_owner "$bindir/pg_ctl" start -s -w -D "$dir/data" -l "$dir/log" \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c fsync=off -c max_connections=300" >/dev/null
  echo "postgres://vigil@127.0.0.1:$port/postgres"
  ;;
stop)
  [ -d "$dir/data" ] && as_owner "$bindir/pg_ctl" stop -s -m immediate -D "$dir/data" >/dev/null 2>&1 || true
  rm -rf "$dir"
  ;;
esac
