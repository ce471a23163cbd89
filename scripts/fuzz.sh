#!/usr/bin/env bash
# Fuzzes the parser with libFuzzer for a bounded time: builds the FuzzParser target with
# -sanitize=fuzzer -D FUZZING in its own scratch path (.build-fuzz), seeds a corpus from seeds/ and
# Tests/Fixtures/ (copies, prefixed with the format byte; the fixtures are never touched), runs
# for --seconds, and exits non-zero if libFuzzer found a crash, a timeout or an out-of-memory
# input, printing each such input's path and how to replay it.
#
#     scripts/fuzz.sh                  # 600 s
#     scripts/fuzz.sh --seconds 60     # the short form, for CI
#
# Options: --seconds N (default 600), --timeout N (seconds per input, default 10), --rss-mb N
# (default 4096), --max-len N (bytes per input, default 16384), --keep-going (libFuzzer's fork
# mode: record every crash and carry on until --seconds, instead of stopping at the first),
# --release (an optimised build: several times more inputs a second, traps still checked),
# --fresh (start from the seeds alone), --no-build. The corpus grows across runs in
# .build-fuzz/corpus; findings land in .build-fuzz/artifacts. Replay one input with a Swift
# backtrace, or a directory of them with the normal build:
#     MARSAD_DATA_DIR=config .build-fuzz/debug/FuzzParser .build-fuzz/artifacts/crash-…
#     swift build --product FuzzParser && .build/debug/FuzzParser .build-fuzz/artifacts
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=600
timeout=10
rss_mb=4096
max_len=16384
fresh=0
build=1
keep_going=0
configuration=debug
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds=$2; shift 2 ;;
        --timeout) timeout=$2; shift 2 ;;
        --rss-mb) rss_mb=$2; shift 2 ;;
        --max-len) max_len=$2; shift 2 ;;
        --fresh) fresh=1; shift ;;
        --keep-going) keep_going=1; shift ;;
        --release) configuration=release; shift ;;
        --no-build) build=0; shift ;;
        -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "fuzz.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

scratch=.build-fuzz
corpus=$scratch/corpus
artifacts=$scratch/artifacts
fuzzer=$scratch/$configuration/FuzzParser

if [ "$build" = 1 ]; then
    echo "==> swift build -c $configuration --scratch-path $scratch --product FuzzParser -sanitize=fuzzer -D FUZZING" >&2
    log=$(mktemp)
    # -parse-as-library is not needed: the target has no main.swift, and its @main hands over to
    # libFuzzer's driver (SwiftPM links executables with main aliased to FuzzParser_main).
    if ! swift build -c "$configuration" --scratch-path "$scratch" --product FuzzParser \
        -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING >"$log" 2>&1; then
        grep -E "error:" -A3 "$log" | head -n 60 >&2 || tail -n 40 "$log" >&2
        rm -f "$log"
        exit 1
    fi
    tail -n 1 "$log" >&2
    rm -f "$log"
fi
[ -x "$fuzzer" ] || { echo "fuzz.sh: no fuzzer at $fuzzer (run without --no-build)" >&2; exit 1; }

# Seeds: every article in seeds/ and Tests/Fixtures/, its first byte the format (0 txt, 1 html,
# 2 json, 3 jsonl), written under a name from its path so reruns replace rather than add.
[ "$fresh" = 1 ] && rm -rf "$corpus"
mkdir -p "$corpus" "$artifacts"
seeded=0
while IFS= read -r -d '' file; do
    case "${file##*.}" in
        txt|text) byte='\000' ;;
        html|htm) byte='\001' ;;
        json) byte='\002' ;;
        jsonl|ndjson) byte='\003' ;;
        *) continue ;;
    esac
    name=seed-$(printf '%s' "$file" | tr '/' '_')
    { printf "$byte"; cat "$file"; } >"$corpus/$name"
    seeded=$((seeded + 1))
done < <(find seeds Tests/Fixtures -type f -print0 | sort -z)
echo "==> corpus $corpus: $(find "$corpus" -type f | wc -l) inputs ($seeded seeds); fuzzing for $seconds s" >&2

before=$(mktemp)
find "$artifacts" -type f | sort >"$before"
log=$scratch/fuzz.log
mode=()
[ "$keep_going" = 1 ] && mode=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
status=0
# SWIFT_BACKTRACE=enable=no: Swift's backtracer would take the trap signal first, and libFuzzer
# would then neither report it nor write the input that caused it.
SWIFT_BACKTRACE=enable=no MARSAD_DATA_DIR=${MARSAD_DATA_DIR:-$PWD/config} "$fuzzer" "$corpus" \
    -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb="$rss_mb" -max_len="$max_len" \
    -dict=scripts/fuzz.dict -use_value_profile=1 -print_final_stats=1 ${mode[@]+"${mode[@]}"} \
    -artifact_prefix="$artifacts/" >"$log" 2>&1 || status=$?

# The figures: libFuzzer's last status line and its final stats.
grep -E '^#[0-9]+' "$log" | tail -n 1 >&2 || true
grep -E '^INFO: fuzzed for|^INFO: exiting' "$log" | tail -n 1 >&2 || true
grep -E '^stat::' "$log" >&2 || true
new=$(comm -13 "$before" <(find "$artifacts" -type f | sort))
rm -f "$before"
if [ "$status" -ne 0 ] || [ -n "$new" ]; then
    echo "fuzz.sh: FOUND A PROBLEM (libFuzzer exit status $status$([ "$keep_going" = 1 ] && echo ', fork mode')); log: $log" >&2
    grep -E 'ERROR: libFuzzer' "$log" | sort | uniq -c >&2 || true
    # Each input replayed once with Swift's backtracer: the fatal error and the innermost frame
    # in Marsad's sources (never FuzzParser's own).
    shown=0
    for input in $new; do
        echo "fuzz.sh: input: $input ($(wc -c <"$input") bytes)" >&2
        if [ "$shown" -lt 20 ]; then
            trace=$(MARSAD_DATA_DIR=${MARSAD_DATA_DIR:-$PWD/config} timeout $((timeout * 3)) "$fuzzer" "$input" 2>&1 || true)
            printf '%s\n' "$trace" | grep -m1 -E 'Fatal error|ERROR: libFuzzer' | sed 's/^/fuzz.sh:   /' >&2 || true
            printf '%s\n' "$trace" | grep -E ' at /.*/Sources/' | grep -v '/Sources/FuzzParser/' | head -n 2 \
                | sed -E 's/^.*0x[0-9a-f]+ (.*) in [^ ]+ at (.*)$/fuzz.sh:   \1 at \2/' >&2 || true
            shown=$((shown + 1))
        fi
        echo "fuzz.sh:   reproduce: MARSAD_DATA_DIR=config $fuzzer $input" >&2
    done
    [ "$status" -ne 0 ] && exit "$status"
    exit 1
fi
echo "fuzz.sh: no crash, timeout or out-of-memory input in $seconds s; log: $log" >&2
