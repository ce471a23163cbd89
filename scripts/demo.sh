#!/usr/bin/env bash
# The first try: installs what is missing, builds, drops the seed articles into ./var/spool/inbox
# and runs every stage in the foreground, printing each record as it is published.
# Ctrl-C stops it; drop more .txt articles into var/spool/inbox meanwhile to see them arrive.
# Arguments go to `marsad run` (e.g. --json, or --once to stop when the inbox is empty).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/dependencies.sh
install_dependencies

echo "==> swift build (first build takes a few minutes)" >&2
build_log=$(mktemp)
if ! swift build >"$build_log" 2>&1; then
    grep -E "error:" -A3 "$build_log" | head -n 80 >&2 || tail -n 40 "$build_log" >&2
    exit 1
fi

mkdir -p var/spool/inbox
cp seeds/*.txt var/spool/inbox/
echo "==> copied $(ls seeds/*.txt | wc -l) seed articles into var/spool/inbox; records follow" >&2
exec .build/debug/marsad run --spool var/spool --state var/state "$@"
