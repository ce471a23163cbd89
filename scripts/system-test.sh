#!/usr/bin/env bash
# The system test: Marsad under a real systemd. Boots a Debian bookworm root with systemd-nspawn,
# installs Marsad into it with scripts/install.sh, starts marsad.target and checks, with real
# files in the real spool, that the four units (ingest, worker@classify, @archive, @alert) are
# Type=notify and became active on READY=1, send watchdog pings, archive and label dropped files,
# and are restarted by systemd after a SIGKILL of their main process with nothing lost and nothing
# archived twice. Then stops everything and removes what it made on the host. Needs root.
#
#   scripts/system-test.sh                  build a static release marsad and run it (about 30 s
#                                           once the root and the build are cached)
#   scripts/system-test.sh --binary PATH    install this marsad instead; a debug build such as
#                                           .build/debug/marsad (what SystemTests uses) is fine
#   scripts/system-test.sh --timeout S      bound the run (boot to clean-up) to S seconds (default 600)
#   scripts/system-test.sh --keep           keep the run's root (printed) for a look afterwards
#   scripts/system-test.sh --rebuild-root   debootstrap the cached root again
#
# A binary that links the Swift runtime dynamically (a debug build: RUNPATH into the toolchain)
# gets, read-only, each folder outside the system's library folders that `ldd` resolves one of its
# libraries from: bound into the container at the same path (systemd-nspawn --bind-ro), or, if
# the units would hide that path (ProtectHome=, PrivateTmp=: /home, /root, /tmp, ...) or the
# binary's RUNPATH does not name it, at /opt/marsad-system-test/lib/N with LD_LIBRARY_PATH set in
# a test-only drop-in. The shipped units' hardening is not changed. `ldd` inside the container
# must then resolve everything from the root's packages and those folders.
#
# Cached across runs: the debootstrapped root, outside the repository, in
# /var/cache/marsad-system-test/bookworm-<hash of its package list> (made once, ~40-70 s), and the
# static release build in .build-system/ (a first build takes minutes, later ones are incremental;
# with CI=true in /var/cache/marsad-system-test/build, shared by fresh clones).
# Each run boots an overlay over that root (a copy with --keep) in /var/tmp, removed at the end.
# Details: docs/service.md.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

timeout_s=600
keep=0
rebuild_root=0
binary=${MARSAD_SYSTEM_TEST_BIN:-}
cache_dir=${MARSAD_SYSTEM_TEST_CACHE:-/var/cache/marsad-system-test}
# The build folder: .build-system in the checkout; in CI, whose checkout is a fresh clone each
# time, one beside the cached root, so that only Marsad's own modules are built again.
scratch=${MARSAD_SYSTEM_TEST_SCRATCH:-}
if [ -z "$scratch" ]; then
    if [ "${CI:-}" = true ]; then scratch=$cache_dir/build; else scratch=$repo/.build-system; fi
fi
mirror=${MARSAD_DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=bookworm
# What the root holds besides minbase: systemd as PID 1, the libraries `ldd marsad` names that
# minbase lacks, and sqlite3 to query the archive inside the container as the marsad user.
root_packages=(systemd systemd-sysv dbus libzmq5 libsqlite3-0 sqlite3)
root_recipe=1 # bump when the preparation of the cached root below changes
debootstrap_timeout=900
build_timeout=3600

while [ $# -gt 0 ]; do
    case "$1" in
        --timeout) timeout_s=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        --rebuild-root) rebuild_root=1; shift ;;
        --binary) binary=$2; shift 2 ;;
        -h|--help) sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "system-test: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
case "$timeout_s" in '' | *[!0-9]*) echo "system-test: --timeout takes whole seconds" >&2; exit 2 ;; esac

units=(marsad-ingest.service marsad-worker@classify.service marsad-worker@archive.service marsad-worker@alert.service)
started=$SECONDS
deadline=""
phase="setup"
work=""
root=""
building=""
step_pid=""
nspawn_pid=""
init_pid=""
machine="marsad-st-$$"
cgroup_name="marsad-system-test-$$"
cgroup_dirs=()
registry=/run/marsad-system-test
created_run_systemd=0
booted_once=0
declare -A timing=()

log() { printf 'system-test: %s\n' "$*" >&2; }
fail() {
    log "FAILED ($phase): $*"
    exit 1
}
now_ms() { date +%s%3N; }
elapsed() { awk -v a="$1" -v b="$(now_ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }

# ---------------------------------------------------------------------------------------------
# Clean-up: always, on success, failure, timeout or ^C.
# ---------------------------------------------------------------------------------------------

# Unmounts whatever is mounted at or under $1 (deepest first), then removes $1 without ever
# crossing into another file system.
safe_remove() {
    local path=$1 mounts
    [ -e "$path" ] || return 0
    mounts=$(awk -v p="$path" '$5 == p || index($5, p "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r)
    if [ -n "$mounts" ]; then
        while read -r m; do umount -l "$m" 2>/dev/null || true; done <<<"$mounts"
    fi
    rm -rf --one-file-system "$path"
}

# nspawn locks an image directory with /run/systemd/nspawn/locks/inode-<dev>:<inode>; a killed
# nspawn leaves the file behind.
remove_image_lock() {
    [ -d "$1" ] || return 0
    rm -f "/run/systemd/nspawn/locks/inode-$(stat -c '%d:%i' "$1")"
}

# Every process in our cgroups (host PIDs).
cgroup_pids() {
    local dir
    for dir in "${cgroup_dirs[@]}"; do
        [ -d "$dir" ] && find "$dir" -name cgroup.procs -exec cat {} + 2>/dev/null
    done | sort -u
}

remove_cgroups() {
    local dir
    for dir in "${cgroup_dirs[@]}"; do
        [ -d "$dir" ] && find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null
        [ -d "$dir" ] && log "warning: could not remove cgroup $dir"
    done
    return 0
}

stop_container() {
    [ -n "$nspawn_pid" ] || return 0
    if kill -0 "$nspawn_pid" 2>/dev/null; then
        # SIGRTMIN+3 asks systemd to power off; before its init is known, nspawn is asked.
        if [ -n "$init_pid" ] && kill -0 "$init_pid" 2>/dev/null; then
            kill -RTMIN+3 "$init_pid" 2>/dev/null || true
        else
            kill -TERM "$nspawn_pid" 2>/dev/null || true
        fi
        local _
        for _ in $(seq 1 60); do
            kill -0 "$nspawn_pid" 2>/dev/null || break
            sleep 0.5
        done
        if kill -0 "$nspawn_pid" 2>/dev/null; then
            log "the container did not power off within 30 s: killing it"
            kill -KILL "$nspawn_pid" 2>/dev/null || true
        fi
    fi
    # Anything left in our cgroups (a container whose nspawn died, say) is killed.
    local pids _
    for _ in $(seq 1 20); do
        pids=$(cgroup_pids)
        [ -n "$pids" ] || break
        # shellcheck disable=SC2086
        kill -KILL $pids 2>/dev/null || true
        sleep 0.25
    done
    wait "$nspawn_pid" 2>/dev/null || true
    nspawn_pid=""
}

diagnostics() {
    [ -n "$init_pid" ] && kill -0 "$init_pid" 2>/dev/null || {
        if [ -n "$work" ] && [ -s "$work/nspawn.log" ]; then
            log "systemd-nspawn's output:"
            tail -n 40 "$work/nspawn.log" >&2
        fi
        return 0
    }
    log "---- systemctl status 'marsad*' ----"
    timeout 20 nsenter -t "$init_pid" -a systemctl status --no-pager --lines=0 'marsad*' >&2 2>&1 || true
    log "---- journalctl -u 'marsad*' (last 120 lines) ----"
    timeout 20 nsenter -t "$init_pid" -a journalctl --no-pager -n 120 -u 'marsad*' >&2 2>&1 || true
    log "---- spool ----"
    (cd "$root/var/spool/marsad" 2>/dev/null && find . -mindepth 1 | sort | head -n 60) >&2 || true
    log "---- failed units ----"
    timeout 20 nsenter -t "$init_pid" -a systemctl --failed --no-pager >&2 2>&1 || true
}

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    set +e
    if [ "$status" -ne 0 ]; then diagnostics; fi
    if [ -n "$step_pid" ]; then
        kill -TERM "$step_pid" 2>/dev/null
        wait "$step_pid" 2>/dev/null
    fi
    if [ -n "$building" ]; then safe_remove "$building"; fi
    stop_container
    remove_cgroups
    if [ -n "$root" ]; then remove_image_lock "$root"; fi
    if [ -d /run/systemd/nspawn/propagate/"$machine" ]; then rmdir /run/systemd/nspawn/propagate/"$machine" 2>/dev/null; fi
    # nspawn leaves /run/systemd/nspawn/{locks,propagate}; removed once empty and no other
    # nspawn runs (it makes them again when it needs them), and /run/systemd if we made it.
    if [ "$booted_once" -eq 1 ] && ! ps -C systemd-nspawn >/dev/null 2>&1; then
        rmdir /run/systemd/nspawn/locks /run/systemd/nspawn/propagate /run/systemd/nspawn 2>/dev/null
        if [ "$created_run_systemd" -eq 1 ]; then rmdir /run/systemd 2>/dev/null; fi
    fi
    if [ -n "$work" ]; then
        if [ "$keep" -eq 1 ]; then
            log "kept the run's root: $root (remove with: rm -rf --one-file-system $work)"
        else
            safe_remove "$work"
        fi
    fi
    rm -f "$registry/$$"
    rmdir "$registry" 2>/dev/null
    if [ "$status" -ne 0 ]; then log "failed after $((SECONDS - started)) s"; fi
    exit "$status"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM

# A run that was killed outright (SIGKILL) could not clean up: its registry entry names its
# directory, its cgroups carry its PID. Reap them before starting.
reap_stale_runs() {
    local entry pid dir base pids
    for entry in "$registry"/*; do
        [ -f "$entry" ] || continue
        pid=${entry##*/}
        kill -0 "$pid" 2>/dev/null && continue
        log "cleaning up after an earlier run (pid $pid) that did not finish"
        for base in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified /sys/fs/cgroup; do
            dir="$base/marsad-system-test-$pid"
            [ -d "$dir" ] || continue
            pids=$(find "$dir" -name cgroup.procs -exec cat {} + 2>/dev/null)
            # shellcheck disable=SC2086
            [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
            sleep 0.5
            find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || true
        done
        rmdir /run/systemd/nspawn/propagate/"marsad-st-$pid" 2>/dev/null || true
        dir=$(cat "$entry")
        case "$dir" in /var/tmp/marsad-system-test.*) remove_image_lock "$dir/root"; safe_remove "$dir" ;; esac
        rm -f "$entry"
    done
}

# ---------------------------------------------------------------------------------------------
# Waiting, bounded: by the step's own limit and by the run's deadline.
# ---------------------------------------------------------------------------------------------

# wait_for SECONDS WHAT COMMAND...: runs COMMAND every 0.5 s until it succeeds.
wait_for() {
    local limit=$1 what=$2
    shift 2
    local until_s=$((SECONDS + limit))
    if [ -n "$deadline" ] && [ "$until_s" -gt "$deadline" ]; then until_s=$deadline; fi
    while ! "$@"; do
        if [ "$SECONDS" -ge "$until_s" ]; then
            if [ -n "$deadline" ] && [ "$SECONDS" -ge "$deadline" ]; then
                fail "the run's time limit (--timeout $timeout_s) passed while waiting for $what"
            fi
            fail "timed out after $limit s waiting for $what"
        fi
        sleep 0.5
    done
}

# bounded LOG SECONDS COMMAND...: a long step (debootstrap, the build) in the background, its
# output to LOG, so that a signal to this script is handled at once; clean-up stops it.
bounded() {
    local output=$1
    shift
    timeout "$@" >"$output" 2>&1 &
    step_pid=$!
    local status=0
    wait "$step_pid" || status=$?
    step_pid=""
    return "$status"
}

# Runs a command inside the container (all its namespaces), bounded.
in_ct() { timeout 60 nsenter -t "$init_pid" -a "$@"; }
# One property of a unit.
prop() { in_ct systemctl show -p "$2" --value "$1"; }
# A query on the archive, inside the container, as the marsad user (read-only).
archive_query() {
    [ -e "$root/var/lib/marsad/archive.sqlite" ] || { echo 0; return 0; }
    in_ct setpriv --reuid=marsad --regid=marsad --init-groups \
        sqlite3 -readonly -cmd '.timeout 5000' /var/lib/marsad/archive.sqlite "$1" 2>/dev/null || echo -1
}

# ---------------------------------------------------------------------------------------------
# Prerequisites: root, debootstrap and systemd-nspawn, the static build, the cached root.
# ---------------------------------------------------------------------------------------------

[ "$(id -u)" -eq 0 ] || { echo "system-test: needs root (it boots a container with systemd-nspawn)" >&2; exit 2; }
mkdir -p "$registry"
reap_stale_runs

. scripts/lib/dependencies.sh
if ! command -v debootstrap >/dev/null 2>&1 || ! command -v systemd-nspawn >/dev/null 2>&1; then
    apt_install debootstrap systemd-container
fi
for tool in nsenter setpriv python3 ldd flock; do
    command -v "$tool" >/dev/null 2>&1 || fail "$tool is missing"
done

phase="build"
t=$(now_ms)
if [ -z "$binary" ]; then
    install_dependencies
    log "swift build -c release --static-swift-stdlib --product marsad --scratch-path $scratch"
    mkdir -p "$scratch"
    build_log=$scratch/system-test-build.log
    if ! bounded "$build_log" "$build_timeout" swift build -c release --static-swift-stdlib --product marsad --scratch-path "$scratch"; then
        grep -E "error:" -A3 "$build_log" | head -n 60 >&2 || tail -n 40 "$build_log" >&2
        fail "the static release build failed (log: $build_log)"
    fi
    binary=$scratch/release/marsad
fi
[ -x "$binary" ] || fail "no marsad at $binary"
binary=$(readlink -f "$binary")
# The folders outside the system's own library folders that the binary's libraries resolve from
# on the host (a debug build: the toolchain's Swift runtime). Each is bound into the container
# read-only: at the same path, where the binary's RUNPATH names it and the units can see it;
# otherwise at /opt/marsad-system-test/lib/N, found through LD_LIBRARY_PATH (a test-only drop-in).
libraries=$(ldd "$binary" 2>&1) || fail "ldd $binary failed: $libraries"
if grep 'not found' <<<"$libraries" >&2; then fail "$binary needs the libraries above, which the host lacks"; fi
runpath=$(readelf -d "$binary" 2>/dev/null | sed -n 's/.*(R\(UN\)\{0,1\}PATH).*\[\(.*\)\]$/\2/p' | tr ':' '\n' || true)
runtime_binds=() # host:container
runtime_library_path=""
while read -r dir; do
    [ -n "$dir" ] || continue
    # What a root of Debian packages provides: /lib, /usr/lib, /lib64, their multiarch folders.
    [[ $dir =~ ^/(usr/)?lib(32|64)?(/[A-Za-z0-9_]+-linux-[A-Za-z0-9_]+)?$ ]] && continue
    target=$dir
    case "$dir/" in
        # Hidden from the units by ProtectHome=, PrivateTmp=, PrivateDevices=, or nspawn's own
        # mounts; or not a folder the binary searches by itself once installed elsewhere.
        /home/* | /root/* | /run/* | /tmp/* | /var/tmp/* | /dev/* | /proc/* | /sys/*) target="" ;;
    esac
    grep -qxF "$dir" <<<"$runpath" || target=""
    if [ -z "$target" ]; then
        target=/opt/marsad-system-test/lib/${#runtime_binds[@]}
        runtime_library_path=${runtime_library_path:+$runtime_library_path:}$target
    fi
    runtime_binds+=("$dir:$target")
    log "$binary: libraries from $dir, bound read-only at $target in the container"
done < <(awk '$2 == "=>" && $3 ~ /^\// { n = split($3, p, "/"); d = ""; for (i = 2; i < n; i++) d = d "/" p[i]; print d }' <<<"$libraries" | awk '!seen[$0]++')
timing[build]=$(elapsed "$t")

phase="root"
t=$(now_ms)
key=$(printf '%s\n' "$suite" minbase "${root_packages[@]}" "recipe $root_recipe" | sha256sum | cut -c1-12)
cached="$cache_dir/$suite-$key"
root_built=0
mkdir -p "$cache_dir"
exec 9>"$cache_dir/.lock"
flock -w "$debootstrap_timeout" 9 || fail "another run holds $cache_dir/.lock"
if [ "$rebuild_root" -eq 1 ] && [ -d "$cached" ]; then
    log "--rebuild-root: removing $cached"
    safe_remove "$cached"
fi
if [ ! -d "$cached" ]; then
    # Under the exclusive lock no run uses another root, and no other debootstrap is running.
    for old in "$cache_dir/$suite"-* "$cache_dir"/.building-*; do
        [ -d "$old" ] && { log "removing an older or unfinished cached root: $old"; safe_remove "$old"; }
    done
    building="$cache_dir/.building-$$"
    include=$(IFS=,; echo "${root_packages[*]}")
    log "debootstrap --variant=minbase --include=$include $suite (once; cached in $cached)"
    if ! bounded "$cache_dir/debootstrap.log" "$debootstrap_timeout" \
        debootstrap --variant=minbase --include="$include" "$suite" "$building" "$mirror"; then
        tail -n 30 "$cache_dir/debootstrap.log" >&2
        safe_remove "$building"
        fail "debootstrap failed (log: $cache_dir/debootstrap.log)"
    fi
    # Smaller and neutral: no package cache or lists, no machine id (each boot makes its own).
    find "$building/var/cache/apt/archives" -maxdepth 1 -name '*.deb' -delete
    find "$building/var/lib/apt/lists" -maxdepth 1 -type f -delete
    : >"$building/etc/machine-id"
    rm -f "$building/var/lib/dbus/machine-id"
    mv "$building" "$cached"
    building=""
    root_built=1
fi
timing[root]=$(elapsed "$t")

# From here on, the run is bounded by --timeout.
deadline=$((SECONDS + timeout_s))

phase="copy"
t=$(now_ms)
work=$(mktemp -d /var/tmp/marsad-system-test.XXXXXX)
echo "$work" >"$registry/$$"
root=$work/root
mkdir "$root"
# A shared lock until the end: no other run rebuilds the cached root while this one uses it.
flock -s 9
# An overlay over the cached root (removed with the run), or, with --keep or where overlayfs is
# not to be had, a copy.
root_mode=copy
if [ "$keep" -eq 0 ]; then
    mkdir "$work/upper" "$work/overlay-work"
    if mount -t overlay marsad-system-test -o "lowerdir=$cached,upperdir=$work/upper,workdir=$work/overlay-work" "$root" 2>/dev/null; then
        root_mode=overlay
    fi
fi
if [ "$root_mode" = copy ]; then cp -a "$cached/." "$root"; fi
timing[copy]=$(elapsed "$t")

phase="install"
t=$(now_ms)
scripts/install.sh --destdir "$root" --binary "$binary" >"$work/install.log" 2>&1 || { cat "$work/install.log" >&2; fail "install.sh failed"; }
# Each stream needs endpoints of its own: two processes binding one ipc path take it from each
# other (ZeroMQ unlinks and rebinds), and a worker would then subscribe to itself.
shared=$(awk -F' = ' '/^\[/ { section = $0 } /^(publish|replay) = "[^"]+"/ { print $2 "\t" section }' "$root/etc/marsad/marsad.toml" \
    | sort | awk -F'\t' '$1 == last { printf "%s%s in %s and %s", sep, $1, lastsection, $2; sep = "; " } { last = $1; lastsection = $2 }')
[ -z "$shared" ] || fail "the installed /etc/marsad/marsad.toml gives two sections one endpoint: $shared"
if [ -n "$runtime_library_path" ]; then
    # Test-only, beside the installed units: where the bound runtime folders are. It changes no
    # hardening setting; the shipped unit files are installed as they are.
    for unit in marsad-ingest.service marsad-worker@.service; do
        mkdir -p "$root/etc/systemd/system/$unit.d"
        printf '%s\n' "# scripts/system-test.sh only: the libraries of $binary," \
            "# bound read-only into this container at paths the units do not hide." \
            "[Service]" "Environment=LD_LIBRARY_PATH=$runtime_library_path" \
            >"$root/etc/systemd/system/$unit.d/system-test-libraries.conf"
    done
fi
# Without bound folders the root alone must hold every library; with them, this check is made
# inside the booted container, where they are mounted.
if [ "${#runtime_binds[@]}" -eq 0 ] && chroot "$root" /usr/bin/ldd /usr/local/bin/marsad | grep 'not found' >&2; then
    fail "the root lacks libraries marsad needs (above): add their packages to root_packages"
fi
timing[install]=$(elapsed "$t")

# ---------------------------------------------------------------------------------------------
# Boot. nspawn runs in cgroups of our own (so what it creates beneath them is ours to remove)
# and is not registered with machined (there may be none); we reach inside with nsenter.
# ---------------------------------------------------------------------------------------------

phase="boot"
t=$(now_ms)
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    cgroup_dirs=("/sys/fs/cgroup/$cgroup_name")
else
    cgroup_dirs=()
    for base in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified; do
        [ -d "$base" ] && cgroup_dirs+=("$base/$cgroup_name")
    done
fi
[ "${#cgroup_dirs[@]}" -gt 0 ] || fail "no systemd or unified cgroup hierarchy under /sys/fs/cgroup"
[ -d /run/systemd ] || created_run_systemd=1
booted_once=1
mkdir "${cgroup_dirs[@]}"
binds=()
for bind in "${runtime_binds[@]}"; do binds+=("--bind-ro=$bind"); done
(
    for dir in "${cgroup_dirs[@]}"; do echo "$BASHPID" >"$dir/cgroup.procs"; done
    exec systemd-nspawn --quiet --directory="$root" --machine="$machine" --register=no --keep-unit \
        --private-network "${binds[@]}" --boot --console=pipe
) </dev/null >"$work/nspawn.log" 2>&1 &
nspawn_pid=$!

find_init() {
    kill -0 "$nspawn_pid" 2>/dev/null || fail "systemd-nspawn exited: $(tail -n 5 "$work/nspawn.log")"
    init_pid=$(ps --ppid "$nspawn_pid" -o pid= | tr -d ' ' | head -n 1)
    [ -n "$init_pid" ] && [ "$(readlink "/proc/$init_pid/exe" 2>/dev/null)" != "$(readlink -f "$(command -v systemd-nspawn)")" ]
}
wait_for 30 "the container's init" find_init
booted() {
    local state
    state=$(timeout 10 nsenter -t "$init_pid" -a systemctl is-system-running 2>/dev/null) || true
    [ "$state" = running ] || [ "$state" = degraded ]
}
wait_for 120 "the container to boot (systemctl is-system-running)" booted
timing[boot]=$(elapsed "$t")
log "booted $suite in $root (container init: host pid $init_pid) in ${timing[boot]} s"
if [ "${#runtime_binds[@]}" -gt 0 ]; then
    phase="libraries"
    # As the units will load it: from the root's packages and the bound folders only.
    in_ct env ${runtime_library_path:+"LD_LIBRARY_PATH=$runtime_library_path"} ldd /usr/local/bin/marsad >"$work/ldd" 2>&1 \
        || { cat "$work/ldd" >&2; fail "ldd /usr/local/bin/marsad failed inside the container"; }
    if grep 'not found' "$work/ldd" >&2; then
        fail "inside the container marsad lacks the libraries above: add their packages to root_packages"
    fi
fi

# ---------------------------------------------------------------------------------------------
# Start, as install.sh does on a machine run by systemd.
# ---------------------------------------------------------------------------------------------

phase="start"
t=$(now_ms)
in_ct systemd-sysusers marsad.conf
in_ct systemd-tmpfiles --create marsad.conf
in_ct systemctl daemon-reload
in_ct systemctl enable --quiet marsad.target marsad-ingest.service marsad-worker@archive.service
in_ct systemctl start --no-block marsad.target
all_active() {
    local unit
    for unit in "${units[@]}"; do [ "$(prop "$unit" ActiveState)" = active ] || return 1; done
}
wait_for 120 "the four units to become active" all_active
timing[start]=$(elapsed "$t")

phase="notify"
t=$(now_ms)
declare -A watchdog_at=()
for unit in "${units[@]}"; do
    in_ct systemctl show -p Type -p NotifyAccess -p WatchdogUSec -p SubState -p StatusText "$unit" >"$work/show"
    grep -qx 'Type=notify' "$work/show" || fail "$unit: $(grep ^Type= "$work/show"), expected notify"
    grep -qx 'NotifyAccess=main' "$work/show" || fail "$unit: $(grep ^NotifyAccess= "$work/show"), expected main"
    grep -qx 'WatchdogUSec=30s' "$work/show" || fail "$unit: $(grep ^WatchdogUSec= "$work/show"), expected 30s"
    grep -qx 'SubState=running' "$work/show" || fail "$unit: $(grep ^SubState= "$work/show"), expected running"
    status=$(sed -n 's/^StatusText=//p' "$work/show")
    [ -n "$status" ] || fail "$unit sent no STATUS="
    # A Type=notify unit is "Started" only on READY=1 from its main process.
    journal=$(in_ct journalctl --no-pager -o cat -u "$unit")
    grep -q '^Started ' <<<"$journal" || fail "$unit: no 'Started' (READY=1) in its journal"
    watchdog_at[$unit]=$(prop "$unit" WatchdogTimestampMonotonic)
    log "$unit: active on READY=1; STATUS=$status"
done
# WATCHDOG=1 comes every WatchdogSec/2 = 15 s: each unit's watchdog timestamp must move.
watchdogs_pinged() {
    local unit
    for unit in "${units[@]}"; do
        [ "$(prop "$unit" WatchdogTimestampMonotonic)" != "${watchdog_at[$unit]}" ] || return 1
    done
}
wait_for 40 "a WATCHDOG=1 from each unit (WatchdogTimestampMonotonic to change)" watchdogs_pinged
timing[notify]=$(elapsed "$t")
log "READY=1 and WATCHDOG=1 seen from all four units"

# ---------------------------------------------------------------------------------------------
# Files through the real spool.
# ---------------------------------------------------------------------------------------------

inbox=$root/var/spool/marsad/inbox
[ -d "$inbox" ] || fail "no inbox at /var/spool/marsad/inbox"
# As a producer should: write a hidden file, then rename it into place.
drop() {
    local file name
    for file in "$@"; do
        name=${file##*/}
        cp "$file" "$inbox/.$name.tmp"
        mv "$inbox/.$name.tmp" "$inbox/$name"
    done
}
archived_at_least() { [ "$(archive_query 'SELECT count(*) FROM articles')" -ge "$1" ]; }
labelled() { [ "$(archive_query 'SELECT count(*) FROM labels')" -gt 0 ]; }

phase="archive"
t=$(now_ms)
drop seeds/*.txt
wait_for 120 "the 5 seed articles in /var/lib/marsad/archive.sqlite" archived_at_least 5
wait_for 30 "labels in the archive" labelled
timing[archive]=$(elapsed "$t")
log "5 seed articles archived and labelled in ${timing[archive]} s"

# ---------------------------------------------------------------------------------------------
# SIGKILL: ingest (5 more files land while it is down) and the archive worker.
# ---------------------------------------------------------------------------------------------

phase="kill"
t=$(now_ms)
python3 scripts/generate_articles.py --out "$work/more" -n 5 --tiny --seed 7 >/dev/null 2>&1 \
    || fail "scripts/generate_articles.py failed"
declare -A pid_before=() restarts_before=()
for unit in "${units[@]}"; do
    pid_before[$unit]=$(prop "$unit" MainPID)
    restarts_before[$unit]=$(prop "$unit" NRestarts)
done
restarted() {
    local unit=$1
    [ "$(prop "$unit" NRestarts)" -gt "${restarts_before[$unit]}" ] && [ "$(prop "$unit" ActiveState)" = active ] \
        && [ "$(prop "$unit" MainPID)" != "${pid_before[$unit]}" ] && [ "$(prop "$unit" MainPID)" != 0 ]
}
in_ct bash -c 'kill -KILL "$1"' _ "${pid_before[marsad-ingest.service]}"
drop "$work"/more/*.txt
wait_for 60 "systemd to restart marsad-ingest.service" restarted marsad-ingest.service
in_ct bash -c 'kill -KILL "$1"' _ "${pid_before[marsad-worker@archive.service]}"
wait_for 60 "systemd to restart marsad-worker@archive.service" restarted marsad-worker@archive.service
for unit in marsad-ingest.service marsad-worker@archive.service; do
    journal=$(in_ct journalctl --no-pager -o cat -u "$unit")
    grep -q 'status=9/KILL' <<<"$journal" || fail "$unit: no SIGKILL in its journal"
    log "$unit: SIGKILLed (pid ${pid_before[$unit]}), restarted by systemd (pid $(prop "$unit" MainPID), NRestarts $(prop "$unit" NRestarts))"
done
wait_for 120 "all 10 articles in the archive" archived_at_least 10
for unit in marsad-worker@classify.service marsad-worker@alert.service; do
    [ "$(prop "$unit" NRestarts)" = "${restarts_before[$unit]}" ] && [ "$(prop "$unit" MainPID)" = "${pid_before[$unit]}" ] \
        || fail "$unit restarted too (NRestarts $(prop "$unit" NRestarts)): the kills should not take it down"
done
timing[kill]=$(elapsed "$t")

phase="verify"
articles=$(archive_query 'SELECT count(*) FROM articles')
distinct=$(archive_query 'SELECT count(DISTINCT id) FROM articles')
files=$(archive_query 'SELECT count(*) FROM files')
[ "$articles" -eq 10 ] && [ "$distinct" -eq 10 ] || fail "the archive holds $articles articles ($distinct distinct), expected 10"
spool=$root/var/spool/marsad
count() { find "$spool/$1" -mindepth 1 -maxdepth 1 -type f ! -name '.*' | wc -l; }
[ "$(count failed)" -eq 0 ] || fail "files in failed/: $(ls "$spool/failed")"
[ "$(count inbox)" -eq 0 ] && [ "$(count processing)" -eq 0 ] || fail "files left in inbox/ or processing/"
[ "$(count "done")" -eq 10 ] || fail "$(count "done") files in done/, expected 10"
for unit in "${units[@]}"; do
    [ "$(prop "$unit" ActiveState)" = active ] || fail "$unit is $(prop "$unit" ActiveState) at the end"
done
log "archive: $articles articles, $distinct distinct, $files files; done/ 10, failed/ 0"

# ---------------------------------------------------------------------------------------------
# A clean stop: SIGTERM, STOPPING=1, exit 0 for each unit.
# ---------------------------------------------------------------------------------------------

phase="stop"
t=$(now_ms)
timeout 120 nsenter -t "$init_pid" -a systemctl stop marsad.target "${units[@]}" || fail "systemctl stop did not finish"
for unit in "${units[@]}"; do
    state=$(prop "$unit" ActiveState)
    result=$(prop "$unit" Result)
    [ "$state" = inactive ] && [ "$result" = success ] || fail "$unit stopped as $state/$result, expected inactive/success"
done
timing[stop]=$(elapsed "$t")

phase="clean-up"
t=$(now_ms)
stop_container
timing[poweroff]=$(elapsed "$t")

root_note="cached"
[ "$root_built" -eq 1 ] && root_note="debootstrapped"
binary_note="self-contained"
[ "${#runtime_binds[@]}" -eq 0 ] || binary_note="$(IFS=' '; echo "${runtime_binds[*]%%:*}") bound read-only"
echo "system-test: OK — 4 units READY with watchdog pings, 10/10 articles archived once, ingest and" \
    "archive worker restarted after SIGKILL; marsad $binary ($binary_note);" \
    "root ${timing[root]} s ($root_note), build ${timing[build]} s," \
    "$root_mode ${timing[copy]} s, install ${timing[install]} s, boot ${timing[boot]} s, start ${timing[start]} s, notify ${timing[notify]} s," \
    "archive ${timing[archive]} s, kill ${timing[kill]} s, stop ${timing[stop]} s, poweroff ${timing[poweroff]} s;" \
    "total $((SECONDS - started)) s"
