#!/usr/bin/env python3
"""Generates unique, realistic Arabic articles from the repository's seed articles.

    generate_articles.py --out DIR -n 1000 [--seed 1] [--start 0] [--tiny]

Article i takes a title from one seed, paragraphs drawn from all seeds and one sentence that
makes it unique («… الملف المرجعي رقم 7-0000042 …»), so every article becomes its own record.
Files are written as .NAME.tmp and renamed, as producers should. --tiny writes a title and one
short paragraph (for tests that count records rather than parse text). Used by scripts/chaos.py
and the benchmarks; the library function `articles()` yields (name, text) pairs.
"""
import argparse
import hashlib
import os
import random
import sys
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _load_seeds():
    titles, paragraphs = [], []
    for path in sorted(SEEDS.glob("*.txt")):
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        titles.append(next(line for line in lines if len(line.split()) >= 4))
        paragraphs.extend(line for line in lines if len(line) >= 80)
    return titles, paragraphs


def articles(count, seed=1, start=0, tiny=False):
    titles, paragraphs = _load_seeds()
    for index in range(start, start + count):
        rng = random.Random(seed * 1_000_003 + index)
        reference = f"{seed}-{index:07d}"
        unique = f"وأشار التقرير إلى الملف المرجعي رقم {reference} الذي يوثق هذه التطورات."
        if tiny and index % 2 == 0:
            text = f"خبر رقم {reference} عن التحالف الدولي في سوريا\n{unique} وقالت قوات سوريا الديمقراطية إن الوضع مستقر.\n"
        elif tiny:  # odd articles name places only, so entity prefixes select a real subset
            text = f"خبر رقم {reference} عن الطقس في دمشق\n{unique} وتوقعت الأرصاد أمطارا في حلب وحمص.\n"
        else:
            body = rng.sample(paragraphs, k=min(len(paragraphs), rng.randint(4, 12)))
            body.insert(rng.randrange(len(body) + 1), unique)
            text = rng.choice(titles) + "\n\n" + "\n\n".join(body) + "\n"
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
        yield f"{index:06d}_{digest}.txt", text


def drop(directory, name, text):
    """Writes `name` into `directory` atomically: hidden temporary file, then rename."""
    temporary = os.path.join(directory, f".{name}.tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.rename(temporary, os.path.join(directory, name))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("-n", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--tiny", action="store_true")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    total = 0
    for name, text in articles(args.n, args.seed, args.start, args.tiny):
        drop(args.out, name, text)
        total += len(text.encode("utf-8"))
    print(f"{args.n} articles, {total / 1e6:.1f} MB, in {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
