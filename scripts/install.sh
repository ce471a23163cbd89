#!/usr/bin/env bash
# Installs Marsad as system services: the binary, the systemd units, the sysusers.d and
# tmpfiles.d files, /etc/marsad/ (an existing marsad.toml is kept) and the documentation; then,
# on a machine run by systemd, creates the user and directories and starts marsad.target.
#
#   scripts/install.sh                     build in release mode, install, enable and start
#   scripts/install.sh --no-start          install and enable, start nothing
#   scripts/install.sh --destdir DIR       install under DIR (packaging, tests); touches no service
#   scripts/install.sh --binary PATH       install this binary instead of building
set -euo pipefail
cd "$(dirname "$0")/.."
destdir=""
binary=""
start=1
while [ $# -gt 0 ]; do
    case "$1" in
        --destdir) destdir=$2; shift 2 ;;
        --binary) binary=$2; shift 2 ;;
        --no-start) start=0; shift ;;
        -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

if [ -z "$binary" ]; then
    . scripts/lib/dependencies.sh
    install_dependencies
    echo "==> swift build -c release" >&2
    swift build -c release >/dev/null
    binary=.build/release/marsad
fi

install -D -m 0755 "$binary" "$destdir/usr/local/bin/marsad"
for unit in marsad-ingest.service marsad-worker@.service marsad.target; do
    install -D -m 0644 "systemd/$unit" "$destdir/etc/systemd/system/$unit"
done
install -D -m 0644 systemd/marsad.sysusers.conf "$destdir/usr/lib/sysusers.d/marsad.conf"
install -D -m 0644 systemd/marsad.tmpfiles.conf "$destdir/usr/lib/tmpfiles.d/marsad.conf"

# /etc/marsad: the configuration with the service's paths; data files are replaced only if absent
# (a changed shipped version goes beside them as NAME.dist).
install -d -m 0755 "$destdir/etc/marsad"
if [ ! -e "$destdir/etc/marsad/marsad.toml" ]; then
    sed -e 's|^dir = "var/spool"|dir = "/var/spool/marsad"|' \
        -e 's|^dir = "var/state"|dir = "/var/lib/marsad"|' \
        -e '/^\[ingest\]/,/^\[/ s|^publish = ""|publish = "ipc:///run/marsad/ingest.pub"|' \
        -e '/^\[ingest\]/,/^\[/ s|^replay = ""|replay = "ipc:///run/marsad/ingest.replay"|' \
        config/marsad.toml > "$destdir/etc/marsad/marsad.toml"
    chmod 0644 "$destdir/etc/marsad/marsad.toml"
else
    echo "install.sh: kept the existing $destdir/etc/marsad/marsad.toml" >&2
fi
for data in gazetteer.toml boilerplate.toml linking.toml classify.toml classify-model.json alerts.toml; do
    target="$destdir/etc/marsad/$data"
    if [ ! -e "$target" ]; then
        install -m 0644 "config/$data" "$target"
    elif ! cmp -s "config/$data" "$target"; then
        install -m 0644 "config/$data" "$target.dist"
        echo "install.sh: kept your $target; the shipped version is $target.dist" >&2
    fi
done
install -d -m 0755 "$destdir/usr/local/share/doc/marsad"
install -m 0644 README.md docs/*.md docs/*.json "$destdir/usr/local/share/doc/marsad/"

if [ -n "$destdir" ]; then
    echo "installed under $destdir"
    exit 0
fi
if [ -d /run/systemd/system ]; then
    systemd-sysusers marsad.conf 2>/dev/null || systemd-sysusers
    systemd-tmpfiles --create marsad.conf 2>/dev/null || systemd-tmpfiles --create /usr/lib/tmpfiles.d/marsad.conf
    systemctl daemon-reload
    systemctl enable marsad.target marsad-ingest.service marsad-worker@archive.service
    if [ "$start" -eq 1 ]; then systemctl start marsad.target; fi
    echo "installed; drop articles into /var/spool/marsad/inbox (members of group marsad may write there)"
    echo "status: systemctl status 'marsad*'; search: marsad search --config /etc/marsad/marsad.toml QUERY"
else
    echo "installed; systemd is not running here, so no user, directory or service was set up" >&2
fi
