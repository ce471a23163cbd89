#!/usr/bin/env python3
"""Stalled-consumer test: two workers (every record, and only `entity.org.`) are stopped with
SIGSTOP while articles are published, then resumed; a third worker starts only after everything
is published. Each must end with every record it subscribes to, none twice; the ingest daemon's
memory must stay bounded meanwhile (its peak RSS is reported).

    scripts/stall.py                                   # full form: 10,000 articles, 30 s stop
    scripts/stall.py --articles 2000 --stop-seconds 5 --tiny   # short form, run by the tests

Prints a summary on stderr and one JSON line on stdout; exits 0 only if every check held.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from chaos import count_files, read_output  # noqa: E402
from generate_articles import articles, drop  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def rss_kb(pid, field="VmRSS"):
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except FileNotFoundError:
        return 0
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--marsad", default=str(ROOT / ".build/debug/marsad"))
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--stop-seconds", type=float, default=30)
    parser.add_argument("--tiny", action="store_true")
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()
    deadline = time.monotonic() + args.timeout

    work = tempfile.mkdtemp(prefix="marsad-stall-")
    spool, state = os.path.join(work, "spool"), os.path.join(work, "state")
    inbox = os.path.join(spool, "inbox")
    os.makedirs(inbox)
    config = os.path.join(work, "marsad.toml")
    with open(config, "w") as handle:
        handle.write(f'[spool]\ndir = "{spool}"\nsettle_ms = 0\n[state]\ndir = "{state}"\n'
                     f'[ingest]\nheartbeat_interval_ms = 200\n[metrics]\ningest = "127.0.0.1:0"\nclassify = "127.0.0.1:0"\narchive = "127.0.0.1:0"\nalert = "127.0.0.1:0"\n[log]\nlevel = "warning"\n')
    env = {**os.environ, "MARSAD_DATA_DIR": str(ROOT / "config")}

    def start(argv, log):
        return subprocess.Popen([args.marsad] + argv, cwd=work, env=env,
                                stdout=open(os.path.join(work, log), "ab"), stderr=subprocess.STDOUT)

    ingest = start(["ingest", "--config", config], "ingest.log")
    everything = os.path.join(work, "all.jsonl")
    organisations = os.path.join(work, "org.jsonl")
    late = os.path.join(work, "late.jsonl")
    workers = [start(["worker", "jsonl", "--config", config, "--output", everything], "w-all.log"),
               start(["worker", "jsonl", "--config", config, "--output", organisations, "entity.org."], "w-org.log")]
    # Both workers are live once the first published record reaches them.
    drop(inbox, "warmup.txt", "خبر تمهيدي عن قوات سوريا الديمقراطية في الحسكة\nقالت قوات سوريا الديمقراطية إن الوضع هادئ.\n")
    while time.monotonic() < deadline and (len(read_output(everything)) < 1 or len(read_output(organisations)) < 1):
        time.sleep(0.05)

    for worker in workers:
        worker.send_signal(signal.SIGSTOP)
    stopped_at = time.monotonic()
    baseline_rss = rss_kb(ingest.pid)
    peak_rss = baseline_rss
    items = list(articles(args.articles, seed=11, tiny=args.tiny))
    for index, (name, text) in enumerate(items):
        drop(inbox, name, text)
        if index % 200 == 0:
            peak_rss = max(peak_rss, rss_kb(ingest.pid))
    total = args.articles + 1
    while time.monotonic() < deadline and count_files(os.path.join(spool, "done")) < total:
        peak_rss = max(peak_rss, rss_kb(ingest.pid))
        time.sleep(0.1)
    published_after = time.monotonic() - stopped_at
    while time.monotonic() - stopped_at < args.stop_seconds:
        peak_rss = max(peak_rss, rss_kb(ingest.pid))
        time.sleep(0.1)
    for worker in workers:
        worker.send_signal(signal.SIGCONT)
    resumed_at = time.monotonic()
    workers.append(start(["worker", "jsonl", "--config", config, "--output", late], "w-late.log"))

    while time.monotonic() < deadline and (len(read_output(everything)) < total or len(read_output(late)) < total):
        time.sleep(0.1)
    mirrored = read_output(everything)
    expected_org = {r["id"] for r in mirrored if any(e["kind"] == "org" for e in r["record"]["entities"])}
    while time.monotonic() < deadline and len(read_output(organisations)) < len(expected_org):
        time.sleep(0.1)
    catch_up = time.monotonic() - resumed_at
    high_water = rss_kb(ingest.pid, "VmHWM")
    for process in workers + [ingest]:
        process.send_signal(signal.SIGTERM)
    statuses = [process.wait(timeout=30) for process in workers + [ingest]]

    def summary(records):
        ids = [r["id"] for r in records]
        return {"records": len(records), "unique": len(set(ids)), "duplicates": len(ids) - len(set(ids))}

    result = {
        "articles": total,
        "stop_seconds": round(resumed_at - stopped_at, 1),
        "published_within_s": round(published_after, 1),
        "catch_up_s": round(catch_up, 1),
        "all": summary(mirrored),
        "org": {**summary(read_output(organisations)), "expected": len(expected_org)},
        "late": summary(read_output(late)),
        "ingest_rss_kb": {"before": baseline_rss, "peak": peak_rss, "hwm": high_water},
        "clean_stop": all(status == 0 for status in statuses),
    }
    problems = []
    if result["all"] != {"records": total, "unique": total, "duplicates": 0}:
        problems.append(f"the stopped worker of every record has {result['all']} of {total}")
    org = read_output(organisations)
    if {r["id"] for r in org} != expected_org or result["org"]["duplicates"]:
        problems.append(f"the stopped entity.org. worker has {result['org']}")
    if result["late"] != {"records": total, "unique": total, "duplicates": 0}:
        problems.append(f"the late worker has {result['late']} of {total}")
    if not result["clean_stop"]:
        problems.append(f"not every process stopped cleanly: {statuses}")
    result["ok"] = not problems
    print(f"stall: {total} articles published while 2 workers were stopped {result['stop_seconds']} s; caught up in "
          f"{result['catch_up_s']} s. all {result['all']}, org {result['org']}, late {result['late']}; ingest RSS "
          f"{baseline_rss // 1024} MB before, {peak_rss // 1024} MB peak", file=sys.stderr)
    for problem in problems:
        print(f"stall: FAILED: {problem}", file=sys.stderr)
    if problems:
        print(f"stall: work directory kept: {work}", file=sys.stderr)
    else:
        subprocess.run(["rm", "-rf", work])
    print(json.dumps(result))
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
