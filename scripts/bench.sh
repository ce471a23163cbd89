#!/usr/bin/env bash
# The side-by-side benchmark: builds Marsad in release mode and runs it and the Python peer
# pipeline through the black-box harness of ../shared/bench (bench.py), in the same run, fed the
# same articles. Prints the harness's summary and writes its JSON lines to bench-results.jsonl.
#
#   scripts/bench.sh [-n 2000] [-r 100] [--repeat 2] [any other bench.py option]
#
# Needs ../shared/bench (the harness is not part of this repository) and, for the peer,
# `pip install pyzmq watchdog`. Marsad runs as `marsad run --quiet` (the whole pipeline in one
# process: ingest, classify, the SQLite archive following both streams, alert) and is counted in
# its archive: SELECT count(*) FROM articles. MARSAD_BENCH_ARGS adds options to that command, e.g.
# MARSAD_BENCH_ARGS="--follow labels" to measure an archive that waits for classification.
set -euo pipefail
cd "$(dirname "$0")/.."
bench=${MARSAD_BENCH_DIR:-../shared/bench}
[ -f "$bench/bench.py" ] || { echo "bench.sh: no harness at $bench/bench.py (set MARSAD_BENCH_DIR)" >&2; exit 1; }
. scripts/lib/dependencies.sh
install_dependencies
python3 -c "import zmq, watchdog" 2>/dev/null || python3 -m pip install --quiet pyzmq watchdog
echo "==> swift build -c release" >&2
swift build -c release --product marsad >/dev/null
marsad=$PWD/.build/release/marsad
systems=$(mktemp)
trap 'rm -f "$systems"' EXIT
cat > "$systems" <<JSON
[
  {"name": "marsad",
   "start": "MARSAD_DATA_DIR=$PWD/config exec $marsad run --quiet --spool {work} --state {work}/state --metrics 127.0.0.1:0 --log-level warning ${MARSAD_BENCH_ARGS:-}",
   "count_sqlite": "{work}/state/archive.sqlite",
   "count_sql": "SELECT count(*) FROM articles"},
  {"name": "peer-link",
   "start": "PEER_DONE_MODE=link exec {bench}/peer/run_peer.sh {inbox} {work}",
   "count_sqlite": "{work}/archive.db",
   "count_sql": "SELECT n FROM counts WHERE name='articles'"}
]
JSON
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(-n 2000 -r 100 --repeat 2)
python3 "$bench/bench.py" --systems "$systems" "${args[@]}" --json-out bench-results.jsonl
