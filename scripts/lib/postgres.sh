# A throwaway PostgreSQL cluster for the tests: created under a temporary directory, listening on
# 127.0.0.1 only, removed when the calling script exits. Sourced by scripts/test.sh after
# scripts/lib/dependencies.sh. Exports MARSAD_TEST_POSTGRES_URL.

start_test_postgres() {
    if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
        apt_install postgresql
    fi
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    PG_DIR=$(mktemp -d /tmp/marsad-postgres.XXXXXX)
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres "$PG_DIR"
        PG_AS="runuser -u postgres --"
    else
        PG_AS=""
    fi
    PG_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    # From the cluster's own directory: the postgres user may not enter the caller's.
    (cd "$PG_DIR" && $PG_AS "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U marsad >"$PG_DIR/initdb.log" 2>&1)
    (cd "$PG_DIR" && $PG_AS "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR" start >/dev/null)
    (cd "$PG_DIR" && $PG_AS "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U marsad marsad)
    export MARSAD_TEST_POSTGRES_URL="postgres://marsad@127.0.0.1:$PG_PORT/marsad"
    trap stop_test_postgres EXIT
    echo "==> PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT (throwaway cluster in $PG_DIR)" >&2
}

stop_test_postgres() {
    (cd "$PG_DIR" && $PG_AS "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1) || true
    rm -rf "$PG_DIR"
}
