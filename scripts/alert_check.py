#!/usr/bin/env python3
"""Alert guarantees, proven with real processes: ingest, the classify worker and the alert worker
run as separate marsad processes; a real HTTP server on loopback receives the webhooks.

    scripts/alert_check.py --scenario delivery     # every alert arrives once, correctly signed
    scripts/alert_check.py --scenario receiver-down --down-seconds 30
                                                   # receiver down 30 s, then up: all arrive once
    scripts/alert_check.py --scenario kill --kills 5
                                                   # alert worker SIGKILLed mid-stream: no alert lost
                                                   # or repeated (file sink exact; webhook exact by
                                                   # idempotency key)
    scripts/alert_check.py --scenario spike        # a burst about one entity fires the spike rule,
                                                   # a steady trickle does not

The expected alerts are computed independently: after the run, a fresh alert worker (new state)
replays the whole labels stream; its alerts are the reference the killed one must equal.
Prints a summary on stderr and one JSON line of counts on stdout; exits 0 only if every check
held. Every wait is bounded (--timeout). Needs a built marsad (--marsad).
"""
import argparse
import hashlib
import hmac
import http.server
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from chaos import Child, read_output  # noqa: E402
from generate_articles import articles, drop  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SECRET = "test-secret-فيه-عربي"


class Receiver:
    """A webhook receiver on 127.0.0.1: records every POST with its headers and whether the
    signature verifies. Can be stopped (connections refused) and started again on its port."""

    def __init__(self, port=0):
        self.posts = []
        self.lock = threading.Lock()
        self.port = port
        self.server = None

    def start(self):
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
                signature = self.headers.get("X-Marsad-Signature", "")
                with receiver.lock:
                    receiver.posts.append({
                        "key": self.headers.get("Idempotency-Key"),
                        "valid": hmac.compare_digest(signature, expected),
                        "alert": json.loads(body),
                    })
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def snapshot(self):
        with self.lock:
            return list(self.posts)


def alert_ids(path):
    return [line["id"] for line in read_output(path)]


def labelled_count(state):
    """Labels records journaled so far, read from the alert/classify status files."""
    path = os.path.join(state, "consumers", "classify.json")
    try:
        with open(path) as handle:
            return json.load(handle)["seq"]
    except (OSError, ValueError, KeyError, TypeError):
        return 0


def wait(condition, deadline, step=0.1):
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--marsad", default=str(ROOT / ".build/debug/marsad"))
    parser.add_argument("--scenario", choices=["delivery", "receiver-down", "kill", "spike"], required=True)
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--down-seconds", type=float, default=30)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    deadline = time.monotonic() + args.timeout
    work = tempfile.mkdtemp(prefix="marsad-alerts-")
    spool, state = os.path.join(work, "spool"), os.path.join(work, "state")
    inbox = os.path.join(spool, "inbox")
    os.makedirs(inbox)
    receiver = Receiver()
    receiver.start()
    port = receiver.port
    if args.scenario == "receiver-down":
        receiver.stop()  # the port stays ours to restart on; nothing listens meanwhile

    rules = os.path.join(work, "alerts.toml")
    with open(rules, "w", encoding="utf-8") as handle:
        handle.write(f"""
[[sink]]
name = "file"
type = "file"

[[sink]]
name = "hook"
type = "webhook"
url_env = "TEST_WEBHOOK_URL"
secret_env = "TEST_WEBHOOK_SECRET"
timeout_ms = 2000

[[rule]]
name = "sdf-mentioned"
severity = "low"
entities_any = ["org.sdf"]
sinks = ["file", "hook"]

[[rule]]
name = "withdrawal"
severity = "high"
labels = ["force_withdrawal"]
min_score = 0.6
sinks = ["file", "hook"]

[[spike]]
name = "sdf-surge"
severity = "medium"
entities = ["org.sdf"]
window_seconds = 6
min_articles = 8
cooldown_seconds = 3600
sinks = ["file", "hook"]
""")
    config = os.path.join(work, "marsad.toml")
    with open(config, "w") as handle:
        handle.write(f'[spool]\ndir = "{spool}"\nsettle_ms = 0\nrescan_interval_s = 1\n'
                     f'[state]\ndir = "{state}"\n[ingest]\nheartbeat_interval_ms = 200\n[metrics]\ningest = "127.0.0.1:0"\nclassify = "127.0.0.1:0"\narchive = "127.0.0.1:0"\nalert = "127.0.0.1:0"\n'
                     f'[alert]\nrules = "{rules}"\n[log]\nlevel = "notice"\n')
    os.environ["TEST_WEBHOOK_URL"] = f"http://127.0.0.1:{port}/alerts"
    os.environ["TEST_WEBHOOK_SECRET"] = SECRET

    ingest = Child("ingest", [args.marsad, "ingest", "--config", config], os.path.join(work, "ingest.log"), work)
    classify = Child("classify", [args.marsad, "worker", "classify", "--config", config], os.path.join(work, "classify.log"), work)
    alert = Child("alert", [args.marsad, "worker", "alert", "--config", config], os.path.join(work, "alert.log"), work)
    alerts_file = os.path.join(state, "alerts.jsonl")
    problems = []
    counts = {"scenario": args.scenario}

    def say(message):
        print(f"alert_check: {message}", file=sys.stderr, flush=True)

    try:
        if args.scenario == "spike":
            # A trickle first: one article about the SDF every 1.5 s for 12 s — at most 4 in any
            # 6 s window, never more than 8. Then a burst of 20 at once.
            generated = list(articles(60, seed=args.seed, tiny=True))
            about_sdf = [item for index, item in enumerate(generated) if index % 2 == 0]
            for name, text in about_sdf[:8]:
                drop(inbox, name, text)
                time.sleep(1.5)
            wait(lambda: labelled_count(state) >= 8, deadline)
            time.sleep(2)
            trickle_spikes = [a for a in read_output(alerts_file) if a["rule"] == "sdf-surge"]
            counts["trickle_spikes"] = len(trickle_spikes)
            if trickle_spikes:
                problems.append(f"the spike rule fired on a trickle: {len(trickle_spikes)}")
            for name, text in about_sdf[8:28]:
                drop(inbox, name, text)
            fired = wait(lambda: any(a["rule"] == "sdf-surge" for a in read_output(alerts_file)), deadline)
            burst = [a for a in read_output(alerts_file) if a["rule"] == "sdf-surge"]
            counts["burst_spikes"] = len(burst)
            if not fired or len(burst) != 1:
                problems.append(f"the burst should raise exactly one spike alert (cooldown), got {len(burst)}")
            elif burst[0]["window"]["count"] <= 8:
                problems.append(f"spike window count {burst[0]['window']['count']} is not above 8")
        else:
            items = list(articles(args.articles, seed=args.seed, tiny=True))
            seeds = sorted((ROOT / "seeds").glob("*.txt"))
            for path in seeds:
                drop(inbox, path.name, path.read_text(encoding="utf-8"))
            total = len(items) + len(seeds)
            rng = random.Random(args.seed)
            kill_points = sorted(rng.sample(range(1, len(items)), min(args.kills, len(items) - 1))) if args.scenario == "kill" else []
            for index, (name, text) in enumerate(items):
                drop(inbox, name, text)
                if kill_points and index == kill_points[0]:
                    kill_points.pop(0)
                    time.sleep(rng.uniform(0.05, 0.4))
                    alert.kill_and_restart()
                if index % 50 == 0:
                    time.sleep(0.05)
            if not wait(lambda: labelled_count(state) >= total, deadline):
                problems.append(f"classify labelled {labelled_count(state)} of {total}")
            counts["labelled"] = labelled_count(state)
            if args.scenario == "receiver-down":
                time.sleep(max(0.0, args.down_seconds - 0))
                counts["down_seconds"] = args.down_seconds
                pending_before = len(receiver.snapshot())
                receiver = Receiver(port)
                receiver.start()
                counts["received_while_down"] = pending_before
            # The reference: a fresh alert worker over the whole labels stream.
            reference_state = os.path.join(work, "reference")
            os.makedirs(reference_state)
            reference_config = os.path.join(work, "reference.toml")
            with open(reference_config, "w") as handle:
                handle.write(f'[state]\ndir = "{reference_state}"\n[classify]\npublish = "ipc://{state}/labels.pub"\n'
                             f'replay = "ipc://{state}/labels.replay"\n[alert]\nrules = "{os.path.join(work, "reference-alerts.toml")}"\n'
                             f'publish = "ipc://{reference_state}/alerts.pub"\n[metrics]\nalert = "127.0.0.1:0"\n[log]\nlevel = "warning"\n')
            with open(rules, encoding="utf-8") as source, open(os.path.join(work, "reference-alerts.toml"), "w", encoding="utf-8") as target:
                # Same rules; the reference delivers to its own file only.
                target.write(source.read().replace('sinks = ["file", "hook"]', 'sinks = ["file"]'))
            reference = Child("reference", [args.marsad, "worker", "alert", "--config", reference_config],
                              os.path.join(work, "reference.log"), work)
            reference_file = os.path.join(reference_state, "alerts.jsonl")
            expected_count = None
            # The reference is complete once its checkpoint reaches the labels head.
            def reference_done():
                try:
                    with open(os.path.join(reference_state, "consumers", "alert.json")) as handle:
                        return json.load(handle)["seq"] >= counts["labelled"]
                except (OSError, ValueError, KeyError, TypeError):
                    return False
            wait(reference_done, deadline)
            reference.stop()
            # The reference's alerts are the rows of its state (its file may lag its outbox).
            with sqlite3.connect(os.path.join(reference_state, "alerts.sqlite")) as connection:
                expected = [row[0] for row in connection.execute("SELECT id FROM alerts ORDER BY seq")]
            expected_count = len(expected)
            counts["expected_alerts"] = expected_count
            if expected_count == 0:
                problems.append("the reference raised no alerts: the rules did not fire")
            wait(lambda: len(alert_ids(alerts_file)) >= expected_count, deadline)
            wait(lambda: len({post["key"] for post in receiver.snapshot()}) >= expected_count, deadline)
            time.sleep(1)
            got = alert_ids(alerts_file)
            posts = receiver.snapshot()
            keys = [post["key"] for post in posts]
            counts.update({
                "file_alerts": len(got), "file_duplicates": len(got) - len(set(got)),
                "webhook_posts": len(posts), "webhook_unique": len(set(keys)),
                "webhook_invalid_signatures": sum(1 for post in posts if not post["valid"]),
                "alert_kills": alert.kills,
            })
            if sorted(set(got)) != sorted(expected) or len(got) != len(set(got)):
                problems.append(f"file sink: {len(got)} alerts ({len(set(got))} unique), expected exactly {expected_count}")
            if sorted(set(keys)) != sorted(expected):
                problems.append(f"webhook: {len(set(keys))} distinct alerts, expected {expected_count}")
            if any(post["key"] != post["alert"]["id"] for post in posts):
                problems.append("an Idempotency-Key differs from its alert's id")
            if counts["webhook_invalid_signatures"]:
                problems.append(f"{counts['webhook_invalid_signatures']} webhook signatures did not verify")
            if args.scenario != "kill" and len(keys) != len(set(keys)):
                problems.append(f"webhook: {len(keys) - len(set(keys))} repeated deliveries without any kill")
            if args.scenario == "receiver-down" and counts["received_while_down"]:
                problems.append("the receiver got posts while it was down")
    finally:
        for child in (alert, classify, ingest):
            child.stop()
        receiver.stop()

    for problem in problems:
        say("FAILED: " + problem)
    say(("all checks held: " if not problems else "") + json.dumps(counts, ensure_ascii=False))
    print(json.dumps(counts))
    if not args.keep and not problems:
        import shutil
        shutil.rmtree(work, ignore_errors=True)
    else:
        say(f"work directory kept: {work}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
