#!/usr/bin/env bash
# Usage: scripts/with-test-postgres.sh COMMAND [ARGS...]
# Starts a throwaway PostgreSQL server (temp data directory, 127.0.0.1, a free port, trust auth on
# loopback), runs COMMAND with WEIQUAN_TEST_POSTGRES_URL pointing at it, stops the server and removes
# its files whatever happens, and exits with COMMAND's status. Without a PostgreSQL installation it
# runs COMMAND anyway, with the variable unset, so the PostgreSQL tests skip with a reason.
# WEIQUAN_TEST_POSTGRES_DURABLE=1 keeps PostgreSQL's durable defaults (fsync, synchronous_commit,
# full_page_writes on), for benchmark figures that include the cost of flushing each commit.
# PostgreSQL refuses to run as root: as root, the server runs as `nobody`.
set -euo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi

pg_bin=$(compgen -G "/usr/lib/postgresql/*/bin/initdb" | sort -V | tail -n 1 || true)
pg_bin=${pg_bin%/initdb}
if [[ -z $pg_bin ]]; then
    echo "test-postgres: no PostgreSQL server installed; PostgreSQL tests will be skipped" >&2
    unset WEIQUAN_TEST_POSTGRES_URL
    exec "$@"
fi

run_as_server_user=()
if [[ $(id -u) -eq 0 ]]; then
    run_as_server_user=(runuser -u nobody --)
fi

workdir=$(mktemp -d "${TMPDIR:-/tmp}/weiquan-pg.XXXXXX")
chmod 755 "$workdir"
datadir=$workdir/data
mkdir "$datadir"
if [[ $(id -u) -eq 0 ]]; then
    chown nobody "$workdir" "$datadir"
fi

# shellcheck disable=SC2317  # called by the EXIT trap
stop_server() {
    if [[ -f $datadir/postmaster.pid ]]; then
        (cd "$workdir" && "${run_as_server_user[@]}" "$pg_bin/pg_ctl" -D "$datadir" -m immediate -w stop \
            >/dev/null 2>&1) || true
    fi
    rm -rf "$workdir"
}
trap stop_server EXIT
trap 'exit 130' INT TERM

# A port the kernel says is free right now; the server binds it a moment later.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
user=weiquan
database=weiquan

cd "$workdir"
"${run_as_server_user[@]}" "$pg_bin/initdb" -D "$datadir" -U "$user" --auth=trust \
    --encoding=UTF8 --locale=C.UTF-8 >"$workdir/initdb.log" 2>&1 \
    || { cat "$workdir/initdb.log" >&2; exit 1; }
# Durability is pointless for a throwaway server: fsync off makes the suite faster.
durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
if [[ ${WEIQUAN_TEST_POSTGRES_DURABLE:-} == 1 ]]; then
    durability="-c fsync=on -c synchronous_commit=on -c full_page_writes=on"
fi
"${run_as_server_user[@]}" "$pg_bin/pg_ctl" -D "$datadir" -l "$workdir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $workdir $durability \
        -c max_connections=200" start >/dev/null \
    || { cat "$workdir/server.log" >&2; exit 1; }
"$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U "$user" "$database"
cd - >/dev/null

version=$("$pg_bin/postgres" --version)
echo "test-postgres: $version on 127.0.0.1:$port ($durability)"
export WEIQUAN_TEST_POSTGRES_URL="postgresql+psycopg://$user@127.0.0.1:$port/$database"

status=0
"$@" || status=$?
exit "$status"
