#!/bin/sh
# Runs one PostgreSQL example against a private server made for it (benchmarks/postgres-server,
# in a fresh directory, stopped and removed at the end), the server's URI as its argument.
# Skipped (exit 77) without PostgreSQL's binaries.
set -eu
exe="$1"
server="$2"
bin=${PERDURE_PG_BINDIR:-/usr/lib/postgresql/15/bin}
if [ ! -x "$bin/initdb" ]; then
    echo "no PostgreSQL binaries in $bin: skipped"
    exit 77
fi
dir=$(mktemp -d /var/tmp/perdure-example.XXXXXX)
trap '"$server" stop "$dir" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
uri=$("$server" start "$dir")
"$exe" "$uri"
