#!/usr/bin/env bash
# Runs every test: installs what is missing, checks formatting, builds, starts a throwaway
# PostgreSQL cluster on loopback, and runs the Swift test suite (unit tests plus end-to-end tests
# that start marsad as a child process and talk to it over real ZeroMQ sockets, including from
# Python, and run the archive against SQLite and PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/dependencies.sh
. scripts/lib/postgres.sh
MARSAD_PYTHON_DEPS=1 install_dependencies

echo "==> swift format lint" >&2
swift format lint --strict --recursive Sources Tests Package.swift

echo "==> swift build" >&2
build_log=$(mktemp)
if ! swift build --build-tests >"$build_log" 2>&1; then
    grep -E "error:" -A3 "$build_log" | head -n 80 >&2 || tail -n 40 "$build_log" >&2
    exit 1
fi
tail -n 1 "$build_log"

echo "==> systemd units" >&2
MARSAD_BIN=$PWD/.build/debug/marsad scripts/check-units.sh

echo "==> PostgreSQL for the archive tests" >&2
start_test_postgres

echo "==> swift test" >&2
swift test --skip-build
