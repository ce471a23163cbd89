#!/usr/bin/env python3
"""Chaos test: drops generated articles into a live pipeline while killing the ingest daemon and
three consuming workers (JSONL of every record; JSONL of `entity.org.` only; the SQLite archive)
with SIGKILL at random moments, restarting each at once; then checks that every article is in each
worker's output exactly once (the org worker: exactly the records naming an organisation; the
archive: exactly as many articles as were dropped) and every file is in done/ or failed/.

    scripts/chaos.py                         # the full form: 20,000 articles, 20 kills of each process
    scripts/chaos.py --articles 1500 --kills 6 --tiny   # the short form run by the test suite

Prints a human summary on stderr and one JSON line of counts on stdout; exits 0 only if every
guarantee held. Every wait is bounded (--timeout). Needs a built marsad (--marsad).
"""
import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_articles import articles, drop  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


class Child:
    """A marsad process restarted after every kill, its logs appended to one file."""

    def __init__(self, name, argv, log_path, cwd):
        self.name, self.argv, self.log_path, self.cwd = name, argv, log_path, cwd
        self.process = None
        self.kills = 0
        self.start()

    def start(self):
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(self.argv, stdout=log, stderr=log, cwd=self.cwd,
                                        env={**os.environ, "MARSAD_DATA_DIR": str(ROOT / "config")})
        log.close()

    def kill_and_restart(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.kills += 1
        self.start()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def count_files(directory):
    try:
        return len([name for name in os.listdir(directory) if not name.startswith(".")])
    except FileNotFoundError:
        return 0


def read_output(path):
    records = []
    try:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if line.endswith("\n"):
                    records.append(json.loads(line))
    except FileNotFoundError:
        pass
    return records


def fresh_postgres_database(url, name):
    """Creates database `name` on the server of `url`; returns its URL."""
    subprocess.run(["psql", url, "-qtAc", f"CREATE DATABASE {name}"], check=True)
    return url.rsplit("/", 1)[0] + "/" + name


def archived(path):
    """Articles in the archive (0 until it exists): a SQLite file read with the standard library,
    or a PostgreSQL URL read with psql."""
    if path.startswith("postgres"):
        result = subprocess.run(["psql", path, "-qtAc", "SELECT count(*) FROM articles"], capture_output=True, text=True)
        return int(result.stdout.strip()) if result.returncode == 0 and result.stdout.strip().isdigit() else 0
    import sqlite3
    if not os.path.exists(path):
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as connection:
            return connection.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.Error:
        return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--marsad", default=str(ROOT / ".build/debug/marsad"))
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--kills", type=int, default=20, help="SIGKILLs of each process, at least")
    parser.add_argument("--tiny", action="store_true", help="short articles (faster to parse)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--timeout", type=float, default=1200, help="seconds for the whole run")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--postgres", metavar="URL",
                        help="archive into a new database on this PostgreSQL server instead of SQLite (needs psql)")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    deadline = time.monotonic() + args.timeout
    work = tempfile.mkdtemp(prefix="marsad-chaos-")
    spool, state = os.path.join(work, "spool"), os.path.join(work, "state")
    inbox = os.path.join(spool, "inbox")
    os.makedirs(inbox)
    config = os.path.join(work, "marsad.toml")
    with open(config, "w") as handle:
        handle.write(f'[spool]\ndir = "{spool}"\nsettle_ms = 0\nrescan_interval_s = 1\n'
                     f'[state]\ndir = "{state}"\n[ingest]\nheartbeat_interval_ms = 200\n[metrics]\ningest = "127.0.0.1:0"\nclassify = "127.0.0.1:0"\narchive = "127.0.0.1:0"\nalert = "127.0.0.1:0"\n'
                     f'[journal]\nsegment_bytes = 4194304\n[log]\nlevel = "warning"\n')
    output = os.path.join(work, "mirror.jsonl")
    org_output = os.path.join(work, "org.jsonl")
    ingest = Child("ingest", [args.marsad, "ingest", "--config", config], os.path.join(work, "ingest.log"), work)
    # Two consumers: one of every record, one of the `entity.org.` prefix only (which sees only
    # some seqs, so it must ask the replay endpoint which ones it missed).
    worker = Child("worker", [args.marsad, "worker", "jsonl", "--config", config, "--output", output],
                   os.path.join(work, "worker.log"), work)
    org_worker = Child("org-worker", [args.marsad, "worker", "jsonl", "--config", config, "--output", org_output, "entity.org."],
                       os.path.join(work, "org-worker.log"), work)
    archive_db = os.path.join(work, "archive.sqlite")
    archive_target = ["--db", archive_db]
    if args.postgres:
        archive_db = fresh_postgres_database(args.postgres, f"chaos_{os.getpid()}_{int(time.time())}")
        archive_target = ["--postgres", archive_db]
    archiver = Child("archive-worker", [args.marsad, "worker", "archive", "--follow", "articles", "--config", config] + archive_target,
                     os.path.join(work, "archive.log"), work)
    children = (ingest, worker, org_worker, archiver)

    # Articles go in over the time the kills take, so kills land while files are in flight.
    planned_seconds = max(5.0, args.kills * 3 * 0.35)
    items = list(articles(args.articles, seed=args.seed, tiny=args.tiny))
    produced = threading.Event()

    def produce():
        chunk = max(1, len(items) // int(planned_seconds * 10))
        for start in range(0, len(items), chunk):
            for name, text in items[start:start + chunk]:
                drop(inbox, name, text)
            time.sleep(0.1)
        produced.set()

    started = time.monotonic()
    producer = threading.Thread(target=produce, daemon=True)
    producer.start()
    while any(child.kills < args.kills for child in children) and time.monotonic() < deadline:
        time.sleep(rng.uniform(0.05, 0.6))
        rng.choice([child for child in children if child.kills < args.kills]).kill_and_restart()
    producer.join(timeout=max(0.0, deadline - time.monotonic()))

    # Let the pipeline finish: every file accounted for, every record mirrored.
    done_dir, failed_dir = os.path.join(spool, "done"), os.path.join(spool, "failed")
    while time.monotonic() < deadline:
        settled = count_files(inbox) == 0 and count_files(os.path.join(spool, "processing")) == 0
        if settled and count_files(done_dir) + count_files(failed_dir) >= args.articles:
            break
        time.sleep(0.2)
    while time.monotonic() < deadline and len(read_output(output)) < args.articles:
        time.sleep(0.2)
    records = read_output(output)
    expected_org = {r["id"] for r in records if any(e["kind"] == "org" for e in r["record"]["entities"])}
    while time.monotonic() < deadline and len(read_output(org_output)) < len(expected_org):
        time.sleep(0.2)
    while time.monotonic() < deadline and archived(archive_db) < args.articles:
        time.sleep(0.2)
    elapsed = time.monotonic() - started
    statuses = [child.stop() for child in children]
    archive_count = archived(archive_db)
    org_records = read_output(org_output)
    org_ids = [record["id"] for record in org_records]

    ids = [record["id"] for record in records]
    seqs = [record["seq"] for record in records]
    failed_files = [name for name in os.listdir(failed_dir)] if os.path.isdir(failed_dir) else []
    counts = {
        "articles": args.articles,
        "ingest_kills": ingest.kills,
        "worker_kills": worker.kills,
        "org_worker_kills": org_worker.kills,
        "archive_worker_kills": archiver.kills,
        "archived": archive_count,
        "done": count_files(done_dir),
        "failed": count_files(failed_dir),
        "left_in_inbox": count_files(inbox),
        "left_in_processing": count_files(os.path.join(spool, "processing")),
        "mirrored": len(records),
        "unique_ids": len(set(ids)),
        "duplicates": len(ids) - len(set(ids)),
        "seqs_in_order": seqs == sorted(seqs) and len(set(seqs)) == len(seqs),
        "org_expected": len(expected_org),
        "org_mirrored": len(org_records),
        "org_duplicates": len(org_ids) - len(set(org_ids)),
        "seconds": round(elapsed, 1),
        "clean_stop": all(status == 0 for status in statuses),
    }
    problems = []
    if counts["done"] + counts["failed"] != args.articles:
        problems.append(f"{args.articles - counts['done'] - counts['failed']} files are in neither done/ nor failed/")
    if failed_files:
        problems.append(f"generated articles were quarantined: {failed_files[:4]}")
    if counts["unique_ids"] != args.articles or counts["mirrored"] != args.articles:
        problems.append(f"mirrored {counts['mirrored']} records ({counts['unique_ids']} unique) of {args.articles}")
    if set(org_ids) != expected_org or counts["org_duplicates"]:
        problems.append(f"the entity.org. mirror has {len(org_records)} records ({counts['org_duplicates']} duplicates) "
                        f"of {len(expected_org)} expected")
    if archive_count != args.articles:
        problems.append(f"the archive holds {archive_count} articles, not {args.articles}")
    if not counts["seqs_in_order"]:
        problems.append("the mirror's seqs are not strictly increasing")
    if any(child.kills < args.kills for child in children):
        problems.append("the run ended before every kill was made (timeout)")
    if not counts["clean_stop"]:
        problems.append(f"SIGTERM did not stop every process cleanly: {statuses}")
    counts["ok"] = not problems

    print(f"chaos: {args.articles} articles, SIGKILLs: ingest {ingest.kills}, worker {worker.kills}, "
          f"org worker {org_worker.kills}; {elapsed:.1f} s: done {counts['done']}, failed {counts['failed']}, "
          f"mirrored {counts['mirrored']} ({counts['unique_ids']} unique, {counts['duplicates']} duplicates), "
          f"entity.org. {len(org_records)} of {len(expected_org)} ({counts['org_duplicates']} duplicates); "
          f"archive worker {archiver.kills} kills, {archive_count} articles archived", file=sys.stderr)
    for problem in problems:
        print(f"chaos: FAILED: {problem}", file=sys.stderr)
    if problems or args.keep:
        print(f"chaos: work directory kept: {work}", file=sys.stderr)
    else:
        subprocess.run(["rm", "-rf", work])
    print(json.dumps(counts))
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
