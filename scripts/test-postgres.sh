#!/usr/bin/env bash
# Runs recsys-server-example's tests against PostgreSQL: installs Debian's `postgresql` when
# initdb is missing (apt-get; skipped with a message where apt is unavailable), creates a
# throw-away cluster in a temporary folder listening on a free 127.0.0.1 port, runs the
# server's test suite with RECSYS_TEST_DATABASE_URL pointing at it (each test gets its own
# schema) plus the PostgreSQL-only tests (replicas, database outage), and stops the cluster.
#
# Usage: scripts/test-postgres.sh [extra cargo test arguments]
# Environment: CARGO (default: cargo).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
cargo_bin="${CARGO:-cargo}"

pg_bin_dir() {
    local dir
    if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
        pg_config --bindir
        return
    fi
    # Debian keeps the server binaries out of PATH, one folder per major version.
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/initdb" ]; then
            echo "$dir"
            return
        fi
    done
}

bin="$(pg_bin_dir)"
if [ -z "$bin" ]; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        echo "+ apt-get install postgresql"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
        bin="$(pg_bin_dir)"
    fi
fi
if [ -z "$bin" ]; then
    echo "postgres: PostgreSQL's initdb is missing and cannot be installed here (no apt-get or not root): SKIPPED"
    exit 0
fi

# initdb refuses to run as root: the cluster belongs to an unprivileged account then.
as_owner=()
if [ "$(id -u)" = 0 ]; then
    owner=postgres
    id "$owner" >/dev/null 2>&1 || owner=nobody
    as_owner=(runuser -u "$owner" --)
fi

cluster="$(mktemp -d "${TMPDIR:-/tmp}/recsys-pg.XXXXXX")"
if [ ${#as_owner[@]} -gt 0 ]; then
    chown "$owner" "$cluster"
    chmod 700 "$cluster"
fi
stop_cluster() {
    "${as_owner[@]}" "$bin/pg_ctl" -D "$cluster/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$cluster"
}
trap stop_cluster EXIT

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"${as_owner[@]}" "$bin/initdb" -D "$cluster/data" -U recsys --auth=trust -E UTF8 --no-locale \
    >"$cluster/initdb.log" 2>&1 || { cat "$cluster/initdb.log" >&2; exit 1; }
# In the configuration file (not on the command line), so the outage test's `pg_ctl start`
# brings the same server back: TCP on loopback only, the socket in the cluster's folder.
# fsync stays on.
cat >>"$cluster/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$cluster'
max_connections = 300
CONF
pg_ctl=("${as_owner[@]}" "$bin/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -w -t 60)
"${pg_ctl[@]}" start >/dev/null
echo "postgres: $("$bin/postgres" --version) on 127.0.0.1:$port (cluster in $cluster)"

export RECSYS_TEST_DATABASE_URL="postgres://recsys@127.0.0.1:$port/postgres"
# For the outage test: how to stop and start this cluster.
export RECSYS_TEST_PG_CTL="${pg_ctl[*]}"

start=$SECONDS
echo "+ $cargo_bin test --release --locked -p recsys-server-example --no-fail-fast $* (on PostgreSQL)"
"$cargo_bin" test --release --locked -p recsys-server-example --no-fail-fast "$@"
# The replica and outage tests, one at a time (the outage test stops the cluster).
echo "+ $cargo_bin test --release --locked -p recsys-server-example --test postgres_ops -- --ignored --test-threads=1"
"$cargo_bin" test --release --locked -p recsys-server-example --test postgres_ops -- --ignored --test-threads=1
echo "postgres: server tests on PostgreSQL passed in $((SECONDS - start)) s"
