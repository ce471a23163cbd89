#!/usr/bin/env python3
"""Hostile-input test: runs `marsad ingest` on a spool of its own, drops the hostile corpus of
scripts/hostile_corpus.py (binary, broken encodings, empty, 50 MiB, attribute soup, long lines,
deep nesting, awkward names, links, FIFO, unreadable, slow writers) and a burst of tiny files
(more than the 16,384-event inotify queue holds, so it overflows and the daemon rescans), while a
steady stream of normal articles is dropped and each one's latency from drop to done/ measured.

    scripts/hostile.py                     # full form: 100,000-file burst, 10 MB lines, 100k-deep JSON
    scripts/hostile.py --short             # short form (the test suite): 20,000-file burst, smaller files

Checks: every hostile file ends in done/ or in failed/ with a `.error.json` whose reason is one
the case allows (all known codes, with a hint); bad .jsonl lines are quarantined alone; nothing
is left in inbox/ or processing/; the link targets outside the spool are untouched; a file still
being written is read only once complete; the daemon is alive at the end, takes one more article
and stops cleanly on SIGTERM; the daemon never goes --max-file-seconds without finishing a file
while files wait (no file costs more); and no normal article waits more than --margin seconds
beyond the work queued before it: it may wait for every file dropped before it (hostile, burst or
normal: the bad files' own cost) and for a big file taken in the same batch (files are journaled
and moved to done/ a batch at a time), but not be overtaken for longer, so its delay is counted
from its drop or from when the last file dropped before it was finished, whichever is later,
less the cost of a big file finished in the same batch; files renamed in within 0.25 s of each
other count as arriving together, and the burst as arriving at once when it starts. The
margin (5 s) covers a batch in hand and a file found by the rescan after an overflow, which is
taken once unmodified for settle_ms (1 s); p50/p99/max latencies are reported besides.

The burst is written into a staging directory, then renamed into the inbox while the daemon is
paused (SIGSTOP, as if busy with the 40 MB page dropped just before), so that the inotify queue
overflows whatever the machine's speed.

Prints a human summary on stderr and one JSON line of counts on stdout; exits 0 only if every
check held. Every wait is bounded (--timeout). Needs a built marsad (--marsad).
"""
import argparse
import bisect
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_articles import articles  # noqa: E402
from hostile_corpus import (  # noqa: E402
    KNOWN_REASONS, burst, burst_expectation, cases, describe, drop_case, prepare_outside, write_atomically,
)

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
TOGETHER = 0.25  # seconds: files dropped (or finished) this close together count as simultaneous


def entries(directory):
    """Names (bytes) in `directory`, hidden ones left out."""
    try:
        return [name for name in os.listdir(os.fsencode(directory)) if not name.startswith(b".")]
    except FileNotFoundError:
        return []


def changed_at(path):
    """When the entry was last renamed (its ctime), or None."""
    try:
        return os.lstat(path).st_ctime_ns / 1e9
    except FileNotFoundError:
        return None


def percentile(values, fraction):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def show(name):
    return name.decode("utf-8", "backslashreplace").replace("\n", "\\n")[:80]


class Daemon:
    def __init__(self, marsad, config, log_path, cwd):
        self.log_path = log_path
        log = open(log_path, "ab")
        self.process = subprocess.Popen([marsad, "ingest", "--config", config], stdout=log, stderr=log, cwd=cwd,
                                        env={**os.environ, "MARSAD_DATA_DIR": str(ROOT / "config")})
        log.close()

    @property
    def alive(self):
        return self.process.poll() is None

    def log(self):
        with open(self.log_path, "rb") as handle:
            return handle.read().decode("utf-8", "replace")

    def peak_rss_mb(self):
        try:
            with open(f"/proc/{self.process.pid}/status") as handle:
                for line in handle:
                    if line.startswith("VmHWM:"):
                        return round(int(line.split()[1]) / 1024)
        except OSError:
            return None
        return None

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


class Spool:
    """Where each name is now: done/, failed/ (with its report), inbox/, processing/."""

    def __init__(self, root):
        self.root = root
        self.dirs = {part: os.path.join(root, part) for part in ("inbox", "processing", "done", "failed")}

    def path(self, part, name):
        return os.path.join(os.fsencode(self.dirs[part]), name)

    def report(self, name):
        try:
            with open(self.path("failed", name + b".error.json"), "rb") as handle:
                return json.load(handle)
        except (OSError, ValueError):
            return None

    def snapshot(self):
        return {part: entries(directory) for part, directory in self.dirs.items()}


class Producer(threading.Thread):
    """Drops normal articles at a steady rate until stopped; remembers when each was dropped."""

    def __init__(self, inbox, rate):
        super().__init__(daemon=True)
        self.inbox, self.rate = os.fsencode(inbox), rate
        self.dropped = {}  # name → time of the rename into inbox/
        self.stopping = threading.Event()
        self.stopped_at = None

    def run(self):
        source = articles(10_000_000, seed=17, tiny=True)
        interval = 1.0 / self.rate
        next_at = time.time()
        for name, text in source:
            if self.stopping.is_set():
                break
            name = name.encode()
            write_atomically(self.inbox, name, text.encode())
            self.dropped[name] = time.time()
            next_at += interval
            delay = next_at - time.time()
            if delay > 0:
                self.stopping.wait(delay)
            else:
                next_at = time.time()
        self.stopped_at = time.time()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--marsad", default=str(ROOT / ".build/debug/marsad"))
    parser.add_argument("--short", action="store_true", help="the CI form: smaller files, a 20,000-file burst")
    parser.add_argument("--burst", type=int, help="tiny files dropped at once (default 100,000; --short 20,000)")
    parser.add_argument("--rate", type=float, default=20, help="normal articles dropped per second (default 20)")
    parser.add_argument("--margin", type=float, default=5.0,
                        help="seconds a normal article may wait beyond the files dropped before it (default 5)")
    parser.add_argument("--max-file-seconds", type=float, default=60.0,
                        help="longest the daemon may spend on one file, i.e. go without finishing any file while "
                             "files wait (default 60)")
    parser.add_argument("--max-file-mib", type=int, default=45,
                        help="the daemon's [spool] max_file_bytes in MiB (default 45: the 50 MiB file is too large, "
                             "the 40 MB page is read)")
    parser.add_argument("--skip", default="", help="comma-separated case numbers or keys to leave out (e.g. 37,long-name)")
    parser.add_argument("--timeout", type=float, help="seconds for the whole run (default 1800; --short 400)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    args.marsad = os.path.abspath(args.marsad)  # the daemon runs in the work directory
    burst_count = args.burst if args.burst is not None else (20_000 if args.short else 100_000)
    timeout = args.timeout or (400 if args.short else 1800)
    started = time.time()
    deadline = time.monotonic() + timeout

    work = tempfile.mkdtemp(prefix="marsad-hostile-")
    spool_dir, state = os.path.join(work, "spool"), os.path.join(work, "state")
    inbox = os.path.join(spool_dir, "inbox")
    os.makedirs(inbox)
    outside = os.path.join(work, "outside")
    prepare_outside(outside)
    outside_contents = {name: Path(outside, name).read_bytes() for name in os.listdir(outside)}
    config = os.path.join(work, "marsad.toml")
    settle_ms, rescan_s = 1000, 5
    with open(config, "w") as handle:
        handle.write(f'[spool]\ndir = "{spool_dir}"\nsettle_ms = {settle_ms}\nrescan_interval_s = {rescan_s}\n'
                     f'max_file_bytes = {args.max_file_mib * MIB}\n'
                     f'[state]\ndir = "{state}"\n[ingest]\nheartbeat_interval_ms = 200\n'
                     f'[journal]\nsegment_bytes = 67108864\n[metrics]\ningest = "127.0.0.1:0"\n[log]\nlevel = "info"\n')
    spool = Spool(spool_dir)
    skip = {item.strip() for item in args.skip.split(",") if item.strip()}
    all_cases = [case for case in cases(full=not args.short, outside=outside)
                 if str(case.index) not in skip and not any(item in case.key for item in skip if not item.isdigit())]
    problems = []

    def remaining():
        return max(0.0, deadline - time.monotonic())

    daemon = Daemon(args.marsad, config, os.path.join(work, "ingest.log"), work)
    while "ingest ready" not in daemon.log() and daemon.alive and remaining() > 0:
        time.sleep(0.05)
    if not daemon.alive or "ingest ready" not in daemon.log():
        print(f"hostile: the daemon did not start:\n{daemon.log()[-3000:]}", file=sys.stderr)
        print(json.dumps({"ok": False, "problems": ["the daemon did not start"]}))
        return 1

    # Where each case ended, looked up by its token (`H<nnn>-`, wherever the daemon put it).
    def hostile_names(names):
        return [name for name in names if not name.startswith((b"burst-", b"zz-last")) and not name[:1].isdigit()]

    def locate(token, snap=None):
        """(outcome, final name, completion time) of the entry holding `token`, or (None, …)."""
        snap = snap or {part: hostile_names(entries(spool.dirs[part])) for part in ("done", "failed")}
        for part in ("done", "failed"):
            for name in snap[part]:
                if token in name and not name.endswith(b".error.json") and b".line-" not in name[len(name) - 12:]:
                    if part == "done":
                        return "done", name, changed_at(spool.path("done", name))
                    if os.path.lexists(spool.path("failed", name + b".error.json")):
                        report = spool.report(name) or {}
                        return f"failed:{report.get('reason')}", name, changed_at(spool.path("failed", name))
        return None, None, None

    def wait_for(tokens, limit, every_name=False, quiet=None):
        """Waits until every token is in done/ or failed/, the daemon dies, `limit` s pass, or for
        `quiet` s none of them is in processing/ and none more has finished (a stuck file)."""
        end = time.monotonic() + min(limit, remaining())
        pending = set(tokens)
        quiet_since, finished = time.monotonic(), -1
        while pending and time.monotonic() < end and daemon.alive:
            listing = entries(spool.dirs["done"]) + entries(spool.dirs["failed"])
            listing = listing if every_name else hostile_names(listing)
            pending = {token for token in pending if not any(token in name for name in listing)}
            in_hand = any(token in name for token in pending for name in entries(spool.dirs["processing"]))
            if len(listing) != finished or in_hand:
                quiet_since, finished = time.monotonic(), len(listing)
            elif quiet is not None and time.monotonic() - quiet_since > quiet:
                break
            if pending:
                time.sleep(0.1)
        return not pending

    producer = Producer(inbox, args.rate)
    producer.start()
    drops = {}  # case index → drop time
    time.sleep(1.0)

    # 1. The small hostile files, one after another; slow writers run meanwhile.
    big = [case for case in all_cases if case.size is not None]
    small = [case for case in all_cases if case not in big]
    writers = []
    for case in small:
        thread = drop_case(inbox, case, work)
        drops[case.index] = time.time()
        if thread:
            writers.append(thread)
    wait_for([case.token for case in small if case.arrival in ("rename", "chmod000", "fifo")], 60, quiet=5.0)

    # 2. The big files, one at a time, each awaited: its own cost. The biggest one goes last,
    # with the burst: it keeps the daemon from reading inotify while the burst lands.
    costs, case_costs = {}, {}

    def record_cost(case):
        _, _, finished = locate(case.token)
        if finished:
            case_costs[case.index] = max(0.0, finished - drops[case.index])
        costs[case.printable] = round(case_costs[case.index], 2) if finished else None

    readable = [case for case in big if case.expect != {"failed:too_large"}]
    biggest = max(readable, key=lambda case: case.size or 0) if readable else None
    for case in big:
        if case is biggest or not daemon.alive or remaining() <= 0:
            continue
        drop_case(inbox, case, work)
        drops[case.index] = time.time()
        wait_for([case.token], remaining())
        record_cost(case)

    # 3. The burst: tiny files written into a staging directory, then renamed into the inbox all at
    # once, right after the biggest file: far more events than the 16,384 the inotify queue holds
    # arrive while the daemon is busy, so the queue overflows and the daemon must rescan.
    staging = os.path.join(os.fsencode(work), b"staging")
    os.makedirs(staging)
    staged = []
    for name, data in burst(burst_count):
        with open(os.path.join(staging, name), "wb") as handle:
            handle.write(data)
        staged.append(name)
        if len(staged) % 1000 == 0 and (not daemon.alive or remaining() <= 0):
            break
    timeline = {"burst_staged": time.time()}
    burst_drops = {}
    burst_started = time.time()
    if daemon.alive:
        if biggest is not None:
            drop_case(inbox, biggest, work)
            drops[biggest.index] = time.time()
            burst_started = timeline["biggest_dropped"] = time.time()
        inbox_bytes = os.fsencode(inbox)
        # Paused as if busy (on a fast machine the biggest file may be done before the renames
        # are), so that the queue overflows whatever the build's speed.
        daemon.process.send_signal(signal.SIGSTOP)
        try:
            for name in staged:
                os.rename(os.path.join(staging, name), os.path.join(inbox_bytes, name))
                burst_drops[name] = time.time()
        finally:
            daemon.process.send_signal(signal.SIGCONT)
    burst_written = timeline["burst_renamed"] = time.time()
    while daemon.alive and remaining() > 0:
        done_names = set(entries(spool.dirs["done"]))
        failed_names = set(entries(spool.dirs["failed"]))
        if sum(1 for name in burst_drops if name in done_names or name in failed_names) >= len(burst_drops):
            break
        time.sleep(0.5)
    burst_finished = time.time()
    if biggest is not None and biggest.index in drops:
        record_cost(biggest)
        timeline["biggest_finished"] = locate(biggest.token)[2] or 0.0
    time.sleep(min(3.0, remaining()))
    producer.stopping.set()
    producer.join(timeout=10)
    for thread in writers:
        thread.join(timeout=max(0.1, remaining()))

    # 4. The daemon still answers: one more article goes through.
    last_seconds = None
    if daemon.alive:
        last_name = b"zz-last-article.txt"
        last_dropped = time.time()
        write_atomically(os.fsencode(inbox), last_name, "خبر أخير بعد الاختبار العدائي عن العراق\nفقرة أخيرة عن الحكومة العراقية ووزارة الخارجية.\n".encode())
        if wait_for([last_name], 60, every_name=True):
            last_seconds = round(changed_at(spool.path("done", last_name)) - last_dropped, 2) if os.path.lexists(
                spool.path("done", last_name)) else None
        else:
            problems.append("the last article did not go through within 60 s")

    # 5. Let the rest settle: everything accounted for, or nothing moving while processing/ is empty.
    tokens = [case.token for case in all_cases]
    quiet_since, last_count = time.monotonic(), -1
    while daemon.alive and remaining() > 0:
        snap = spool.snapshot()
        count = len(snap["done"]) + len(snap["failed"])
        if count != last_count:
            quiet_since, last_count = time.monotonic(), count
        listing = hostile_names(snap["done"] + snap["failed"])
        if all(any(token in name for name in listing) for token in tokens) and not snap["processing"] \
                and not [n for n in snap["inbox"]]:
            break
        if not snap["processing"] and time.monotonic() - quiet_since > 2 * rescan_s + 5:
            break
        time.sleep(0.5)

    # The slow .txt writer's record must hold the whole file: read it back from the journal.
    slow_checked = None
    slow = next((case for case in all_cases if case.arrival == "slow" and case.name.endswith(b".txt")), None)
    if slow and daemon.alive:
        match = re.search(r"file=" + re.escape(slow.name.decode()) + r" id=\w+ seq=(\d+)", daemon.log())
        if match:
            seq = match.group(1)
            result = subprocess.run([args.marsad, "replay", "--config", config, "--from", seq, "--to", seq, "--json"],
                                    capture_output=True, text=True, timeout=max(5.0, min(60.0, remaining())), cwd=work,
                                    env={**os.environ, "MARSAD_DATA_DIR": str(ROOT / "config")})
            try:
                record = json.loads(result.stdout.strip().splitlines()[-1])
                record = record.get("record", record)
                size = record["files"][0]["size"]
                slow_checked = size == len(slow.content())
                if not slow_checked:
                    problems.append(f"{slow.printable} was read while still being written: {size} of {len(slow.content())} bytes")
            except (ValueError, IndexError, KeyError, TypeError):
                problems.append(f"could not read {slow.printable}'s record back (replay: {result.stderr.strip()[:200]})")

    alive = daemon.alive
    rss = daemon.peak_rss_mb()
    status = daemon.stop()
    log = daemon.log()
    elapsed = time.time() - started

    # --- Where everything ended.
    snap = spool.snapshot()
    done_set, failed_set = set(snap["done"]), set(snap["failed"])
    outcomes, reasons, completions = {}, {}, {}
    unaccounted = []
    hostile_snap = {part: hostile_names(snap[part]) for part in ("done", "failed")}
    for case in all_cases:
        outcome, name, finished = locate(case.token, hostile_snap)
        outcomes[case.index] = outcome
        completions[case.index] = finished
        if outcome is None:
            where = [part for part in ("inbox", "processing") if any(case.token in n for n in snap[part])]
            unaccounted.append(case)
            problems.append(f"{case.printable} ended in neither done/ nor failed/ (still in {', '.join(where) or 'no directory'})")
            continue
        reasons[outcome] = reasons.get(outcome, 0) + 1
        if outcome not in case.expect:
            problems.append(f"{case.printable} ended {outcome}, expected {describe(case.expect)}")
        if outcome.startswith("failed:"):
            report = spool.report(name) or {}
            if report.get("reason") not in KNOWN_REASONS or not report.get("hint") or not report.get("message"):
                problems.append(f"{case.printable}'s report has an unknown reason or no hint: {report}")
        # .jsonl lines quarantined alone: failed/<name>.line-<n> (shortened when that is too long
        # for a name) with a report each, which names the file and the line.
        lines = {}
        if name is not None:
            for entry in hostile_snap["failed"]:
                if entry.endswith(b".error.json") or b".line-" not in entry:
                    continue
                report = spool.report(entry) or {}
                if report.get("line") and report.get("file", "").encode("utf-8", "surrogateescape") == name:
                    lines[report["line"]] = report.get("reason")
        for number, reason in lines.items():
            if case.lines.get(number) != reason:
                problems.append(f"{case.printable}: line {number} quarantined as {reason}, not allowed")
        for number in case.required_lines:
            if number not in lines:
                problems.append(f"{case.printable}: line {number} was not quarantined")
        if case.arrival == "symlink" and outcome == "failed:symlink":
            if not os.path.islink(spool.path("failed", name)):
                problems.append(f"{case.printable}: failed/ holds something other than the link itself")
    for file_name, contents in outside_contents.items():
        path = Path(outside, file_name)
        if not path.exists() or path.read_bytes() != contents:
            problems.append(f"the file outside the spool {file_name} was moved or changed")

    burst_outcomes = {"done": 0, "failed": 0, "missing": 0}
    burst_completions = {}
    for name in burst_drops:
        if name in done_set:
            burst_outcomes["done"] += 1
            outcome, path = "done", spool.path("done", name)
        elif name in failed_set:
            burst_outcomes["failed"] += 1
            reason = (spool.report(name) or {}).get("reason")
            outcome, path = f"failed:{reason}", spool.path("failed", name)
        else:
            burst_outcomes["missing"] += 1
            continue
        burst_completions[name] = changed_at(path)
        if outcome not in burst_expectation(name):
            problems.append(f"burst file {show(name)} ended {outcome}, expected {describe(burst_expectation(name))}")
    if burst_outcomes["missing"]:
        problems.append(f"{burst_outcomes['missing']} of {len(burst_drops)} burst files ended in neither done/ nor failed/")
    if len(burst_drops) < burst_count:
        problems.append(f"only {len(burst_drops)} of {burst_count} burst files were dropped (daemon dead or timeout)")

    # Normal articles: latency from drop to done/, and beyond the work queued before each (every
    # file renamed in before it: hostile, burst or normal), i.e. how long it was overtaken.
    normal_completions = {name: changed_at(spool.path("done", name)) for name in producer.dropped if name in done_set}
    work_items = sorted(
        [(drops[case.index], completions[case.index]) for case in all_cases
         if case.arrival in ("rename", "chmod000", "fifo") and completions.get(case.index) and case.index in drops]
        # The burst lands at once: an article renamed in while it does counts as behind all of it
        # (its event may be lost in the overflow; the rescan then finds it too fresh to take and
        # queues it after the burst).
        + [(burst_started, finished) for name, finished in burst_completions.items() if finished]
        + [(producer.dropped[name], finished) for name, finished in normal_completions.items() if finished])
    work_drops = [dropped for dropped, _ in work_items]
    busy_until, latest = [], 0.0
    for _, finished in work_items:
        latest = max(latest, finished)
        busy_until.append(latest)
    latencies, excesses, burst_latencies, normal_missing, normal_failed = [], [], [], 0, 0
    worst = None
    for name, dropped in producer.dropped.items():
        if name in failed_set:
            normal_failed += 1
            continue
        finished = normal_completions.get(name)
        if finished is None:
            normal_missing += 1
            continue
        latency = finished - dropped
        latencies.append(latency)
        # Files renamed in within TOGETHER s of each other arrive together: either may go first.
        position = bisect.bisect_left(work_drops, dropped + TOGETHER)
        queued_until = busy_until[position - 1] if position > 0 else 0.0
        # Files are journaled and moved in batches: a big file dropped after this one but taken
        # in the same batch (finished within the same instant) delays it by its own cost too.
        batch_cost = max([cost for index, cost in case_costs.items()
                          if drops[index] > dropped + TOGETHER and abs(completions.get(index, 0.0) - finished) < TOGETHER], default=0.0)
        excess = finished - max(dropped, queued_until) - batch_cost
        excesses.append(excess)
        if worst is None or excess > worst[0]:
            worst = (excess, name, latency)
        if burst_started <= dropped <= burst_finished:
            burst_latencies.append(latency)
    if normal_missing or normal_failed:
        problems.append(f"normal articles: {normal_missing} not in done/, {normal_failed} quarantined")
    # For a post-mortem with --keep: when each file was dropped and finished.
    with open(os.path.join(work, "timings.json"), "w") as handle:
        json.dump({"started": started, "timeline": timeline,
                   "normal": {show(name): [producer.dropped[name], normal_completions.get(name)] for name in producer.dropped},
                   "burst": {show(name): [burst_drops[name], burst_completions.get(name)] for name in burst_drops},
                   "hostile": {case.printable: [drops.get(case.index), completions.get(case.index)] for case in all_cases}}, handle)
    if excesses and max(excesses) > args.margin:
        problems.append(f"a normal article waited {max(excesses):.1f} s beyond the work queued before it "
                        f"(margin {args.margin} s): {show(worst[1])}, latency {worst[2]:.1f} s")

    # Stalls: the longest stretch with none finished while normal articles kept arriving (so files waited).
    producing = (min(producer.dropped.values(), default=0.0), producer.stopped_at or time.time())
    events = sorted(finished for finished in list(completions.values()) + list(burst_completions.values())
                    + list(normal_completions.values()) if finished and producing[0] <= finished <= producing[1])
    longest_gap = 0.0
    for before, after in zip(events, events[1:]):
        longest_gap = max(longest_gap, after - before)
    if longest_gap > args.max_file_seconds:
        problems.append(f"the daemon finished no file for {longest_gap:.1f} s while files waited "
                        f"(limit {args.max_file_seconds} s); big-file costs: {costs}")

    left_inbox = [name for name in snap["inbox"]]
    left_processing = snap["processing"]
    if left_inbox:
        problems.append(f"{len(left_inbox)} files left in inbox/: {[show(n) for n in left_inbox[:5]]}")
    if left_processing:
        problems.append(f"{len(left_processing)} files left in processing/: {[show(n) for n in left_processing[:5]]}")
    if not alive:
        # First: everything after it follows from it. processing/ holds the batch it died on.
        crash = [line for line in log.splitlines() if line.startswith(("Error:", "Fatal error", "Swift/")) or "Fatal error" in line]
        problems.insert(0, f"the daemon died (status {daemon.process.returncode}) with {[show(n) for n in left_processing[:8]]} "
                           f"in processing/: {crash[-1] if crash else log[-500:]}")
    elif status != 0:
        problems.append(f"SIGTERM did not stop the daemon cleanly: status {status}")
    overflows = log.count("inotify queue overflowed")
    if burst_count > 16_384 and overflows == 0:
        problems.append("the burst did not overflow the inotify queue: the rescan path was not exercised")
    if slow and slow_checked is None and alive and not any(slow.printable in p for p in problems):
        problems.append(f"{slow.printable}: no published record found in the log")

    def rounded(value):
        return None if value is None else round(value, 2)

    counts = {
        "form": "short" if args.short else "full",
        "hostile_files": len(all_cases),
        "hostile_done": sum(1 for outcome in outcomes.values() if outcome == "done"),
        "hostile_failed": sum(1 for outcome in outcomes.values() if outcome and outcome.startswith("failed:")),
        "hostile_unaccounted": len(unaccounted),
        "outcomes": {f"H{index:03d}": outcome for index, outcome in outcomes.items()},
        "reasons": dict(sorted(reasons.items())),
        "big_file_seconds": costs,
        "burst_files": len(burst_drops),
        "burst_done": burst_outcomes["done"],
        "burst_failed": burst_outcomes["failed"],
        "burst_write_seconds": rounded(burst_written - burst_started),
        "timeline": {key: rounded(value - started) for key, value in timeline.items()},
        "burst_drain_seconds": rounded(burst_finished - burst_started),
        "overflows": overflows,
        "normal_articles": len(producer.dropped),
        "normal_done": len(latencies),
        "latency_p50": rounded(percentile(latencies, 0.5)),
        "latency_p99": rounded(percentile(latencies, 0.99)),
        "latency_max": rounded(max(latencies) if latencies else None),
        "latency_max_during_burst": rounded(max(burst_latencies) if burst_latencies else None),
        "latency_excess_max": rounded(max(excesses) if excesses else None),
        "latency_excess_worst": None if worst is None else {
            "file": show(worst[1]), "dropped_at": rounded(producer.dropped[worst[1]] - started), "latency": rounded(worst[2])},
        "margin": args.margin,
        "longest_stall_seconds": rounded(longest_gap),
        "slow_writer_whole": slow_checked,
        "last_article_seconds": last_seconds,
        "left_in_inbox": len(left_inbox),
        "left_in_processing": len(left_processing),
        "daemon_alive": alive,
        "clean_stop": alive and status == 0,
        "peak_rss_mb": rss,
        "seconds": round(elapsed, 1),
    }
    counts["ok"] = not problems
    counts["problems"] = problems[:20]

    print(f"hostile ({counts['form']}): {len(all_cases)} hostile files: {counts['hostile_done']} parsed, "
          f"{counts['hostile_failed']} quarantined, {len(unaccounted)} unaccounted; reasons {counts['reasons']}", file=sys.stderr)
    print(f"hostile: big files (s from drop to done/failed): {costs}", file=sys.stderr)
    print(f"hostile: burst of {len(burst_drops)} tiny files written in {counts['burst_write_seconds']} s, drained in "
          f"{counts['burst_drain_seconds']} s ({burst_outcomes['done']} done, {burst_outcomes['failed']} failed); "
          f"inotify overflows: {overflows}", file=sys.stderr)
    print(f"hostile: {len(producer.dropped)} normal articles at {args.rate}/s: latency p50 {counts['latency_p50']} s, "
          f"p99 {counts['latency_p99']} s, max {counts['latency_max']} s, max during the burst "
          f"{counts['latency_max_during_burst']} s; beyond the files dropped before them at most "
          f"{counts['latency_excess_max']} s (margin {args.margin} s)", file=sys.stderr)
    print(f"hostile: longest stall {counts['longest_stall_seconds']} s; last article {last_seconds} s; daemon alive "
          f"{alive}, clean stop {counts['clean_stop']}, peak RSS {rss} MB; {elapsed:.1f} s in all", file=sys.stderr)
    for problem in problems:
        print(f"hostile: FAILED: {problem}", file=sys.stderr)
    if problems or args.keep:
        print(f"hostile: work directory kept: {work}", file=sys.stderr)
    else:
        subprocess.run(["rm", "-rf", work])
    print(json.dumps(counts, ensure_ascii=False))
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
