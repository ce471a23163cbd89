#!/usr/bin/env bash
# The first try: installs what is missing, builds, drops the seed articles into a fresh
# ./var/demo/spool/inbox and runs every stage in the foreground, printing each record as it is
# published and archiving it in var/demo/state/archive.sqlite. Ctrl-C stops it; drop more .txt
# articles into var/demo/spool/inbox meanwhile to see them arrive.
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

# A fresh demo each time: the journal would otherwise recognise the seeds and publish nothing new.
rm -rf var/demo
mkdir -p var/demo/spool/inbox
cp seeds/*.txt var/demo/spool/inbox/
echo "==> copied $(ls seeds/*.txt | wc -l) seed articles into var/demo/spool/inbox; records follow" >&2
exec .build/debug/marsad run --spool var/demo/spool --state var/demo/state "$@"
