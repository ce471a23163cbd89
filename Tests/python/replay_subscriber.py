#!/usr/bin/env python3
"""A durable Marsad subscriber written only from docs/wire.md ("A durable subscriber, step by
step"), with pyzmq and no Marsad code.

    replay_subscriber.py ENDPOINT COUNT PREFIX...

Starts from the beginning of the journal (no checkpoint), fetches what it missed by replay, and
prints one JSON line {"seq", "id", "via"} per record taken, in seq order, until COUNT records have
been taken. Exits 2 if it stalls for 30 seconds.
"""
import json
import sys
import time

import zmq


def main() -> int:
    endpoint, count, prefixes = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    context = zmq.Context()
    sub = context.socket(zmq.SUB)
    sub.setsockopt(zmq.RCVHWM, 1000)
    sub.setsockopt(zmq.LINGER, 0)
    for prefix in prefixes:
        sub.setsockopt(zmq.SUBSCRIBE, prefix.encode())
    sub.setsockopt(zmq.SUBSCRIBE, b"heartbeat.")
    sub.connect(endpoint)

    dealer = None
    stream = epoch = None
    checkpoint = None  # seq: every record on my topics up to here is taken
    head = 0
    held = {}  # seq -> (topic, envelope, payload) received live, above the checkpoint
    taken = 0
    last_progress = time.monotonic()

    def ask(request):
        dealer.send_multipart([b"marsad.replay/1", json.dumps(request).encode()])
        records = []
        while True:
            frames = dealer.recv_multipart()
            kind = frames[0]
            if kind == b"record":
                records.append((frames[1].decode(), json.loads(frames[2]), frames[3]))
            elif kind in (b"end", b"seqs"):
                return records, json.loads(frames[1])
            else:
                raise RuntimeError(f"replay error: {frames[1].decode()}")

    while taken < count:
        if time.monotonic() - last_progress > 30:
            print("stalled for 30 s", file=sys.stderr)
            return 2
        # Take what the SUB socket holds.
        if sub.poll(200):
            while True:
                try:
                    topic, envelope, payload = sub.recv_multipart(zmq.NOBLOCK)
                except zmq.Again:
                    break
                envelope = json.loads(envelope)
                if topic == b"heartbeat.":
                    beat = json.loads(payload)
                    if checkpoint is None:
                        stream, epoch, checkpoint = envelope["stream"], envelope["epoch"], beat["first"] - 1
                        dealer = context.socket(zmq.DEALER)
                        dealer.setsockopt(zmq.LINGER, 0)
                        dealer.setsockopt(zmq.RCVTIMEO, 10_000)
                        dealer.connect(beat["replay"])
                    head = max(head, beat["head"])
                elif checkpoint is not None and envelope["seq"] > checkpoint:
                    held[envelope["seq"]] = (topic.decode(), envelope, payload)
                    head = max(head, envelope["seq"])
        if checkpoint is None or head <= checkpoint:
            continue
        # Which seqs between the checkpoint and the newest known are on my topics?
        _, listing = ask({"stream": stream, "from": checkpoint + 1, "through": head, "prefixes": prefixes, "mode": "seqs"})
        wanted = listing["seqs"]
        missing = [seq for seq in wanted if seq not in held]
        fetched = {}
        cursor = missing[0] if missing else None
        while missing and cursor <= missing[-1]:
            records, summary = ask({"stream": stream, "from": cursor, "through": missing[-1], "prefixes": prefixes, "limit": 500})
            for topic, envelope, payload in records:
                fetched[envelope["seq"]] = (topic, envelope, payload)
            cursor = summary["next"]
        for seq in wanted:
            via = "live" if seq in held else "replay"
            topic, envelope, payload = held.get(seq) or fetched[seq]
            record = json.loads(payload)
            assert envelope["epoch"] == epoch and record["id"] == envelope["id"]
            print(json.dumps({"seq": seq, "id": record["id"], "via": via}), flush=True)
            taken += 1
        checkpoint = listing["next"] - 1
        held = {seq: value for seq, value in held.items() if seq > checkpoint}
        if wanted:
            last_progress = time.monotonic()
    return 0


if __name__ == "__main__":
    sys.exit(main())
