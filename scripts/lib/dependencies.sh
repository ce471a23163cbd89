# Installs what Marsad needs on Debian/Ubuntu, skipping what is already there.
# Sourced by scripts/demo.sh and scripts/test.sh; set MARSAD_PYTHON_DEPS=1 for the test tools.

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else echo "marsad: need root to run: $*" >&2; return 1
    fi
}

apt_updated=0
apt_install() {
    if [ "$apt_updated" -eq 0 ]; then
        echo "==> apt-get update" >&2
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        apt_updated=1
    fi
    echo "==> apt-get install $*" >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

install_dependencies() {
    if ! command -v swift >/dev/null 2>&1; then
        echo "marsad: the Swift toolchain (swift 6) is not on PATH; install it from swift.org first" >&2
        return 1
    fi
    # libzmq (with CURVE through libsodium), SQLite headers for GRDB, and pkg-config.
    if [ "${CI:-}" = "true" ] || ! pkg-config --exists libzmq sqlite3 2>/dev/null; then
        apt_install libzmq3-dev libsqlite3-dev pkg-config
    fi
    # systemd-analyze checks the units (the tests run it without systemd as PID 1).
    if [ "${MARSAD_PYTHON_DEPS:-0}" = "1" ] && ! command -v systemd-analyze >/dev/null 2>&1; then
        apt_install systemd
    fi
    if [ "${MARSAD_PYTHON_DEPS:-0}" = "1" ]; then
        # The tests talk to Marsad from Python too: pyzmq (a third-party client) and jsonschema.
        if ! python3 -c "import zmq, jsonschema" 2>/dev/null; then
            echo "==> pip install pyzmq jsonschema" >&2
            python3 -m pip install --quiet pyzmq jsonschema 2>/dev/null \
                || apt_install python3-zmq python3-jsonschema
        fi
    fi
}
