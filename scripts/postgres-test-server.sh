#!/usr/bin/env bash
# A throwaway local PostgreSQL server for the records tests (tests/SarKit.Tests/Measurement/Records/PostgresRecordStoreTests.cs,
# which are skipped unless SARKIT_TEST_POSTGRES is set). Needs initdb/pg_ctl/psql on PATH; as root it runs the server as
# the user 'postgres'. Trust authentication on 127.0.0.1 only: for tests, never for real records.
#   eval "$(bash scripts/postgres-test-server.sh start)"   # prints: export SARKIT_TEST_POSTGRES='Host=...'
#   dotnet test tests/SarKit.Tests --filter "FullyQualifiedName~Postgres"
#   bash scripts/postgres-test-server.sh stop
set -euo pipefail
dir=${SARKIT_PG_DIR:-/tmp/sarkit-test-postgres}
port=${SARKIT_PG_PORT:-55432}
run() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$1"; else bash -c "$1"; fi; }
case "${1:-}" in
  start)
    for t in initdb pg_ctl psql; do command -v "$t" >/dev/null || { echo "postgres-test-server: $t not found" >&2; exit 1; }; done
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
    [ -f "$dir/data/PG_VERSION" ] || run "initdb -D '$dir/data' -U postgres --auth=trust >'$dir/initdb.log' 2>&1"
    run "pg_ctl -D '$dir/data' status" >/dev/null 2>&1 \
      || run "pg_ctl -D '$dir/data' -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1\" -l '$dir/server.log' -w start" >&2
    psql -h 127.0.0.1 -p "$port" -U postgres -Atc "SELECT 1 FROM pg_database WHERE datname = 'sarkit_test'" | grep -q 1 \
      || psql -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE sarkit_test" >&2
    echo "export SARKIT_TEST_POSTGRES='Host=127.0.0.1;Port=$port;Username=postgres;Database=sarkit_test'"
    ;;
  stop)
    run "pg_ctl -D '$dir/data' -m fast -w stop" >&2
    ;;
  *)
    echo "usage: $0 start|stop" >&2; exit 2
    ;;
esac
