#!/usr/bin/env bash
# Checks the systemd units: `systemd-analyze verify` passes and `systemd-analyze security` rates
# each service 2.0 or lower (exposure scale 0–10; --threshold takes tenths). Runs without systemd
# as PID 1. The units name /usr/local/bin/marsad; a copy pointing at MARSAD_BIN is checked.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${MARSAD_BIN:-$PWD/.build/debug/marsad}
[ -x "$binary" ] || { echo "check-units: no marsad at $binary (build first or set MARSAD_BIN)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp systemd/marsad-ingest.service systemd/marsad.target "$work/"
for instance in classify archive alert; do cp systemd/marsad-worker@.service "$work/marsad-worker@$instance.service"; done
sed -i "s|/usr/local/bin/marsad|$binary|" "$work"/*.service
cd "$work"
out=$(systemd-analyze verify marsad-ingest.service marsad-worker@classify.service marsad-worker@archive.service marsad-worker@alert.service marsad.target 2>&1 || true)
if [ -n "$out" ]; then
    echo "$out" >&2
    echo "check-units: systemd-analyze verify reported problems" >&2
    exit 1
fi
for unit in marsad-ingest.service marsad-worker@classify.service marsad-worker@archive.service marsad-worker@alert.service; do
    systemd-analyze security --offline=true --threshold=20 "$unit" | tail -n 1
done
echo "check-units: verify clean, every service at 2.0 or below"
