#!/usr/bin/env python3
"""The full-text index's floor: what SQLite's FTS5 alone costs per article on this machine.

    scripts/fts_floor.py DIR [--batch 64] [--repeat 3]

Reads every .txt article of DIR (e.g. from scripts/generate_articles.py or the harness's gen.py)
into memory, then inserts the raw texts into a fresh contentless FTS5 table (tokenizer
`unicode61 remove_diacritics 0`, WAL, synchronous NORMAL, `--batch` articles per transaction),
once with one column (the text) and once with three (the text three times, as much indexing as
the archive's three search forms of every word: stems, variants, skeletons). No parsing, no
normalising, no other table: the CPU per article printed is a lower bound for any archive that
keeps a full-text index of the article, and so a ceiling on the articles per second two cores
can archive (printed beside it). Prints one line per run on stderr and one JSON line of medians
on stdout. docs/performance.md ("What bounds the targets") quotes it.
"""
import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time


def load(directory):
    names = sorted(name for name in os.listdir(directory) if name.endswith(".txt"))
    if not names:
        sys.exit(f"fts_floor.py: no .txt articles in {directory}")
    texts = []
    for name in names:
        with open(os.path.join(directory, name), encoding="utf-8", errors="replace") as handle:
            texts.append(handle.read())
    return texts


def insert_all(texts, columns, batch):
    """CPU seconds to index `texts` into a fresh FTS5 table of `columns` columns."""
    with tempfile.TemporaryDirectory(prefix="fts-floor-") as work:
        db = sqlite3.connect(os.path.join(work, "floor.sqlite"))
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        names = ", ".join(f"c{index}" for index in range(columns))
        db.execute(f"CREATE VIRTUAL TABLE floor USING fts5({names}, content = '', tokenize = 'unicode61 remove_diacritics 0')")
        insert = f"INSERT INTO floor(rowid, {names}) VALUES (?{', ?' * columns})"
        started = time.process_time()
        for first in range(0, len(texts), batch):
            with db:
                db.executemany(insert, [(first + offset + 1, *([text] * columns)) for offset, text in enumerate(texts[first : first + batch])])
        spent = time.process_time() - started
        db.close()
        return spent


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", help="a directory of .txt articles")
    parser.add_argument("--batch", type=int, default=64, help="articles per transaction (default 64, a consumer's batch)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each form (default 3; medians are printed)")
    args = parser.parse_args()
    texts = load(args.directory)
    megabytes = sum(len(text.encode("utf-8")) for text in texts) / 1e6
    print(f"fts_floor: {len(texts)} articles, {megabytes:.1f} MB, batches of {args.batch}", file=sys.stderr)
    result = {"articles": len(texts), "megabytes": round(megabytes, 2), "batch": args.batch, "sqlite": sqlite3.sqlite_version}
    for columns, key in ((1, "one_column"), (3, "three_columns")):
        runs = []
        for _ in range(args.repeat):
            milliseconds = insert_all(texts, columns, args.batch) * 1000 / len(texts)
            runs.append(milliseconds)
            print(f"  {key.replace('_', ' ')}: {milliseconds:.3f} ms of CPU per article", file=sys.stderr)
        median = statistics.median(runs)
        result[key] = {"cpu_ms_per_article": round(median, 3), "ceiling_articles_per_s_on_2_cores": round(2000 / median)}
        print(f"  {key.replace('_', ' ')}: median {median:.3f} ms; two cores doing nothing else: {2000 / median:,.0f} articles/s", file=sys.stderr)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
