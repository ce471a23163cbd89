#!/usr/bin/env bash
# Removes what scripts/install.sh installed: stops and disables the services, removes the binary,
# units, sysusers.d/tmpfiles.d files and documentation. Keeps /etc/marsad, the spool
# (/var/spool/marsad) and the state (/var/lib/marsad: journal, archive) unless --purge.
#
#   scripts/uninstall.sh [--purge] [--destdir DIR]
set -euo pipefail
destdir=""
purge=0
while [ $# -gt 0 ]; do
    case "$1" in
        --destdir) destdir=$2; shift 2 ;;
        --purge) purge=1; shift ;;
        -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "uninstall.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
if [ -z "$destdir" ] && [ -d /run/systemd/system ]; then
    systemctl disable --now marsad.target marsad-ingest.service marsad-worker@archive.service 2>/dev/null || true
fi
rm -f "$destdir/usr/local/bin/marsad" \
    "$destdir/etc/systemd/system/marsad-ingest.service" "$destdir/etc/systemd/system/marsad-worker@.service" \
    "$destdir/etc/systemd/system/marsad.target" \
    "$destdir/usr/lib/sysusers.d/marsad.conf" "$destdir/usr/lib/tmpfiles.d/marsad.conf"
rm -rf "$destdir/usr/local/share/doc/marsad"
if [ "$purge" -eq 1 ]; then
    rm -rf "$destdir/etc/marsad" "$destdir/var/spool/marsad" "$destdir/var/lib/marsad" "$destdir/run/marsad"
fi
if [ -z "$destdir" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
if [ "$purge" -eq 1 ]; then
    echo "uninstalled (configuration, spool and state removed)"
else
    echo "uninstalled; /etc/marsad, /var/spool/marsad and /var/lib/marsad kept"
fi
