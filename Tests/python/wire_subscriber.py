#!/usr/bin/env python3
"""A Marsad subscriber written only from docs/wire.md, with pyzmq and no Marsad code.

    wire_subscriber.py ENDPOINT COUNT PREFIX...

Subscribes to each PREFIX and then to heartbeats, prints "LIVE <head>" once the first heartbeat
proves the subscriptions are in force, then prints one JSON line per record received (each
record once, however many subscribed topics carry it) until COUNT records have arrived.
Exits 2 if nothing arrives for 30 seconds.
"""
import json
import sys

import zmq


def main() -> int:
    endpoint, count, prefixes = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    context = zmq.Context()
    socket = context.socket(zmq.SUB)
    socket.setsockopt(zmq.RCVHWM, 0)
    socket.setsockopt(zmq.RCVTIMEO, 30_000)
    socket.setsockopt(zmq.LINGER, 0)
    for prefix in prefixes:
        socket.setsockopt(zmq.SUBSCRIBE, prefix.encode())
    socket.setsockopt(zmq.SUBSCRIBE, b"heartbeat.")  # last: its arrival proves the others
    socket.connect(endpoint)

    live = False
    seen = {}  # (stream, epoch, seq) -> record summary
    try:
        while len(seen) < count:
            topic, envelope, payload = socket.recv_multipart()
            topic = topic.decode()
            envelope = json.loads(envelope)
            if topic == "heartbeat.":
                if not live:
                    live = True
                    print("LIVE", json.loads(payload)["head"], flush=True)
                continue
            key = (envelope["stream"], envelope["epoch"], envelope["seq"])
            record = json.loads(payload)
            assert envelope["id"] == record["id"], "envelope and record disagree on the id"
            assert envelope["schema"] == record["schema"] == "marsad.article/1"
            assert topic.endswith("."), topic
            if key not in seen:
                seen[key] = {
                    "seq": envelope["seq"],
                    "id": record["id"],
                    "title": record["title"],
                    "topics": [],
                    "entities": [entity["id"] for entity in record["entities"]],
                }
            seen[key]["topics"].append(topic)
    except zmq.Again:
        print("nothing arrived for 30 s", file=sys.stderr)
        return 2
    for summary in sorted(seen.values(), key=lambda s: s["seq"]):
        print(json.dumps(summary, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
