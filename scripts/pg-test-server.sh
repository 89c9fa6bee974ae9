#!/usr/bin/env bash
# A throwaway PostgreSQL server for the test suite.
#
# Usage: scripts/pg-test-server.sh start|stop|url|status
#
#   start   initdb a fresh cluster in a temp dir, listen on 127.0.0.1 at a free port (and a unix
#           socket in the data dir), trust auth, create database sipas_test, and write the
#           SQLAlchemy URL to build/pg/url. A server this script started earlier is stopped first.
#   stop    stop the server and delete its data dir (quietly does nothing when none is running).
#   url     print the URL of the running server.
#   status  exit 0 when the server answers, 1 otherwise.
#
# PostgreSQL refuses to run as root: as root the cluster belongs to the `postgres` system user
# (created if missing) and the server binaries run through runuser. The data dir lives under
# /tmp (PG_TMP overrides) because the checkout may sit where that user cannot read, and because
# unix socket paths are limited to ~100 bytes.
# PG_BINDIR overrides where initdb/pg_ctl are looked for.
set -euo pipefail

cd "$(dirname "$0")/.."
STATE=build/pg           # url, datadir (path of the temp dir), server.log
DB=sipas_test
DB_USER=postgres

log() { echo "pg-test-server: $*"; }
die() { echo "pg-test-server: ERROR: $*" >&2; exit 1; }

find_bindir() {
    if [[ -n ${PG_BINDIR:-} ]]; then
        echo "$PG_BINDIR"
        return
    fi
    local d
    d=$(compgen -G '/usr/lib/postgresql/*/bin/initdb' | sort -V | tail -n 1 || true)
    if [[ -n $d ]]; then
        dirname "$d"
    elif command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
        dirname "$(command -v initdb)"
    else
        die "no PostgreSQL server binaries (initdb) found; run 'make setup' (installs the Debian package postgresql)"
    fi
}

# as_owner CMD...: run CMD as the user that owns the cluster, from a directory that user can read.
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

is_running() {
    local tmp
    [[ -f $STATE/datadir ]] || return 1
    tmp=$(<"$STATE/datadir")
    [[ -f $tmp/data/postmaster.pid ]] || return 1
    as_owner "$(find_bindir)/pg_ctl" -D "$tmp/data" status >/dev/null 2>&1
}

cmd_stop() {
    local tmp bindir
    if [[ -f $STATE/datadir ]]; then
        tmp=$(<"$STATE/datadir")
        bindir=$(find_bindir)
        if [[ -f $tmp/data/postmaster.pid ]]; then
            log "stopping the server in $tmp"
            as_owner "$bindir/pg_ctl" -D "$tmp/data" -m fast -w -t 60 stop >/dev/null \
                || log "pg_ctl stop failed (see $STATE/server.log); removing the data dir anyway"
        fi
        mkdir -p "$STATE"
        cp "$tmp/server.log" "$STATE/server.log" 2>/dev/null || true
        case $tmp in
            */sipas-pg.*) rm -rf -- "$tmp" ;;
            *) log "not removing unexpected data dir '$tmp'" ;;
        esac
    fi
    rm -f "$STATE/url" "$STATE/datadir"
}

cmd_start() {
    local bindir tmp data port url attempt
    bindir=$(find_bindir)
    [[ -x $bindir/initdb && -x $bindir/pg_ctl ]] || die "initdb/pg_ctl not found in $bindir"
    cmd_stop
    mkdir -p "$STATE"
    if [[ $(id -u) -eq 0 ]] && ! id -u postgres >/dev/null 2>&1; then
        log "creating the 'postgres' system user (PostgreSQL will not run as root)"
        useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash postgres
    fi

    tmp=$(realpath "$(mktemp -d "${PG_TMP:-/tmp}/sipas-pg.XXXXXX")")
    echo "$tmp" >"$STATE/datadir"
    data=$tmp/data
    [[ $(id -u) -eq 0 ]] && chown postgres: "$tmp"
    chmod 700 "$tmp"

    log "initdb ($("$bindir/postgres" --version)) in $data"
    as_owner "$bindir/initdb" -D "$data" -U "$DB_USER" -A trust -E UTF8 --no-locale --no-sync \
        >"$tmp/initdb.log" 2>&1 || { cat "$tmp/initdb.log" >&2; die "initdb failed"; }

    for attempt in 1 2 3; do
        port=$(free_port)
        as_owner tee -a "$data/postgresql.conf" >/dev/null <<EOF

# sipas test server: local only, durability off (the cluster is thrown away)
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$data'
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
        log "starting on 127.0.0.1:$port (attempt $attempt)"
        if as_owner "$bindir/pg_ctl" -D "$data" -l "$tmp/server.log" -w -t 60 start >/dev/null; then
            break
        fi
        cp "$tmp/server.log" "$STATE/server.log" 2>/dev/null || true
        [[ $attempt -eq 3 ]] && { tail -n 20 "$STATE/server.log" >&2 || true; die "the server did not start"; }
    done

    "$bindir/createdb" -h 127.0.0.1 -p "$port" -U "$DB_USER" "$DB"
    url="postgresql+psycopg://$DB_USER@127.0.0.1:$port/$DB"
    echo "$url" >"$STATE/url"
    log "ready: $url"
}

case ${1:-} in
    start) cmd_start ;;
    stop) cmd_stop ;;
    url)
        is_running || die "no test server is running; start one with '$0 start'"
        cat "$STATE/url"
        ;;
    status) is_running ;;
    *)
        echo "usage: $0 start|stop|url|status" >&2
        exit 2
        ;;
esac
