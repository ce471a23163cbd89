#!/usr/bin/env python3
"""Hostile input for the ingest daemon: files that must end parsed (done/) or quarantined
(failed/ with a reason) without crashing, stalling or delaying the rest of the queue.

    hostile_corpus.py --list [--short]             # the cases, their sizes and allowed outcomes
    hostile_corpus.py --out DIR [--short]          # write the corpus into DIR (inspection, other tools)
    hostile_corpus.py --inbox INBOX [--short]      # drop it into a live inbox, each case as it must arrive
    hostile_corpus.py --inbox INBOX --burst 20000  # and that many tiny files at once (inotify overflow)

The full form (the default) has a 100,000-deep JSON, 20 MB of attribute soup and 10 MB lines;
--short has 10,000, 2 MB and 0.2–2 MB, for CI. Both have the 50 MiB file and the 40 MB page.

Binary files, invalid UTF-8, truncated UTF-16, empty files, a 50 MiB file, HTML attribute soup
(and a 40 MB page for a daemon whose max_file_bytes is raised), very long lines,
deeply nested JSON and HTML, names holding a newline, non-UTF-8 bytes or 250 bytes, symlinks
pointing outside the spool, an unreadable (chmod 000) file, a FIFO, a file still being written.

Each case is named `H<nnn>-<key>…` so it can be found again whatever the daemon does to the rest
of its name. Most arrive as producers should (hidden temporary name, then rename); the others
arrive the way their hazard needs: the slow writers write through their final name, links are
made in place, the FIFO is renamed in, the unreadable file is chmod 000 before its rename.
Run as root, permissions do not stop reads: the unreadable file may then parse.

scripts/hostile.py runs a daemon against this corpus; the library functions (`cases`, `burst`,
`drop_case`) are what it uses.
"""
import argparse
import json
import os
import random
import sys
import threading
import time

# Reasons a file may be quarantined with (ParseFailure.code and IngestFailure in Sources/).
KNOWN_REASONS = {
    "empty", "too_large", "binary", "undecodable", "unsupported_type", "no_title", "bad_json",
    "symlink", "not_regular_file", "unreadable",
}
ANY_FAILURE = frozenset("failed:" + reason for reason in KNOWN_REASONS)
ANY = ANY_FAILURE | {"done"}

MIB = 1024 * 1024


def article(index, extra=""):
    """A valid Arabic article, unique by `index`."""
    return (f"خبر اختبار المدخلات العدائية رقم {index} عن الحكومة العراقية\n"
            f"قالت وزارة الخارجية العراقية في بيان إن الاجتماع رقم {index} ناقش ملف المياه مع الجانب التركي.{extra}\n"
            f"وأضاف البيان أن اللجنة الفنية المشتركة ستجتمع في بغداد الأسبوع المقبل.\n")


def article_json(index, **extra):
    obj = {"title": f"خبر اختبار بصيغة جيسون رقم {index} عن الحكومة العراقية",
           "body": f"قالت وزارة الخارجية العراقية إن الاجتماع رقم {index} ناقش ملف المياه.\nوأضافت أن اللجنة ستجتمع قريبا."}
    obj.update(extra)
    return json.dumps(obj, ensure_ascii=False)


class Case:
    """One hostile file.

    name      file name (bytes: it may hold a newline or non-UTF-8 bytes)
    arrival   rename | slow | symlink | hardlink | fifo | chmod000
    expect    outcomes allowed: "done" or "failed:<reason>"
    lines     for .jsonl: {line number: reason} of the lines that may be quarantined alone (the file
              itself goes to done/); `required_lines` must be
    inline    True when its content must not be built before it is dropped (big files)
    """

    def __init__(self, index, key, ext, content=b"", arrival="rename", expect=frozenset({"done"}), name_extra=b"",
                 lines=None, required_lines=(), target=None, seconds=0.0, size=None, note=""):
        self.index, self.key = index, key
        self.token = b"H%03d-" % index
        self.name = self.token + key.encode() + name_extra + (b"." + ext.encode() if ext else b"")
        self._content = content
        self.arrival, self.expect = arrival, frozenset(expect)
        self.lines = lines or {}
        self.required_lines = set(required_lines)
        self.target = target
        self.seconds = seconds
        self.size = size
        self.note = note

    def content(self):
        return self._content() if callable(self._content) else self._content

    @property
    def printable(self):
        return self.name.decode("utf-8", "backslashreplace").replace("\n", "\\n")


def _random_bytes(seed, count):
    return random.Random(seed).randbytes(count)


def _soup(megabytes, seed=3):
    """An HTML page whose one <div> carries `megabytes` MB of attributes, then a real article."""
    rng = random.Random(seed)
    parts, size, i = [], 0, 0
    target = int(megabytes * 1_000_000)
    while size < target:
        value = "x" * rng.randint(1, 60)
        part = f'data-a{i}="{value}" class{i}=\'{i}\' on{i}={value} '.encode()
        parts.append(part)
        size += len(part)
        i += 1
    body = "<h1>عنوان خبر طويل الخصائص عن العراق والحكومة</h1><p>فقرة عن الحكومة العراقية ووزارة الخارجية في بغداد.</p>".encode()
    return b"<html><head><title>soup</title></head><body><div " + b"".join(parts) + b">" + body + b"</div></body></html>"


def _long_line(megabytes):
    word = "كلمة ".encode()
    return "عنوان خبر بسطر طويل جدا عن العراق\n".encode() + word * int(megabytes * 1_000_000 // len(word)) + b"\n"


def _deep_json(depth):
    return b"[" * depth + b"]" * depth


def cases(full=False, outside="/tmp", raised_limit=True):
    """The hostile cases. `outside` is a directory outside the spool for link targets;
    `raised_limit` adds the 40 MB page meant for a daemon whose max_file_bytes is above it."""
    depth = 100_000 if full else 10_000
    soup_mb = 20 if full else 2
    line_mb = 10 if full else 0.2
    plain_line_mb = 10 if full else 2
    utf8 = article(1).encode()
    broken = bytearray(article(2).encode())
    broken[40] = 0xFF
    broken[90:92] = b"\xd8"  # a lead byte without its continuation
    utf16 = "\ufeff".encode("utf-16-le") + article(3).encode("utf-16-le")
    list_ = [
        # Not text at all.
        Case(1, "random-bytes", "txt", lambda: _random_bytes(1, 256 * 1024), expect={"failed:binary", "failed:undecodable"}),
        Case(2, "png-as-html", "html", lambda: b"\x89PNG\r\n\x1a\n" + _random_bytes(2, 64 * 1024),
             expect={"failed:binary", "failed:undecodable"}),
        Case(3, "elf-no-extension", "", lambda: b"\x7fELF\x02\x01\x01" + b"\x00" * 9 + _random_bytes(3, 32 * 1024),
             expect={"failed:binary"}),
        Case(4, "utf16-without-bom", "txt", article(4).encode("utf-16-le"), expect={"failed:binary"}),
        Case(5, "control-characters", "txt", article(5).replace(" ", "\x01 \x02").encode(), expect={"failed:binary"}),
        # Broken text.
        Case(6, "invalid-utf8", "txt", bytes(broken), expect={"failed:undecodable"}),
        Case(7, "overlong-and-surrogate-utf8", "json", article_json(7).encode()[:30] + b"\xc0\xaf\xed\xa0\x80" + article_json(7).encode()[30:],
             expect={"failed:undecodable"}),
        Case(8, "truncated-utf16", "txt", utf16 + b"\x41", expect={"failed:undecodable"}),
        Case(9, "utf16-unpaired-surrogate", "txt", utf16 + "\ud800".encode("utf-16-le", "surrogatepass") + "x".encode("utf-16-le"),
             expect={"failed:undecodable"}),
        Case(10, "utf16be-valid", "txt", b"\xfe\xff" + article(10).encode("utf-16-be")),
        Case(11, "bom-only", "txt", b"\xef\xbb\xbf", expect={"failed:empty", "failed:no_title"}),
        # Empty.
        Case(12, "empty", "txt", b"", expect={"failed:empty"}),
        Case(13, "empty", "json", b"", expect={"failed:empty"}),
        Case(14, "empty", "html", b"", expect={"failed:empty"}),
        Case(15, "empty", "jsonl", b"", expect={"failed:empty"}),
        Case(16, "whitespace-only", "txt", b" \n\t\r\n" * 1000, expect={"failed:empty", "failed:no_title"}),
        Case(17, "newlines-only", "txt", b"\n" * MIB, expect={"failed:empty", "failed:no_title"}),
        # Too big to read: quarantined unread, whatever the limit (45 MiB in scripts/hostile.py).
        Case(18, "too-large-50mib", "txt", lambda: b"a" * (50 * MIB), expect={"failed:too_large"}, size=50 * MIB),
        # Big and awkward, under the limit.
        Case(19, f"attribute-soup-{soup_mb}mb", "html", lambda: _soup(soup_mb), expect=ANY, size=soup_mb * 1_000_000),
        Case(20, "unclosed-attribute", "html",
             lambda: b'<html><body><div title="' + "نص بلا نهاية ".encode() * (soup_mb * 40_000), expect=ANY, size=soup_mb * 1_000_000),
        Case(21, "unclosed-comment", "html", lambda: b"<html><body><!-- " + b"<p>x</p> " * (soup_mb * 100_000), expect=ANY,
             size=soup_mb * 900_000),
        Case(22, "unclosed-script", "html",
             lambda: "<html><body><h1>عنوان خبر عن الحكومة العراقية</h1><script>".encode() + b"var a = '<p>'; " * (soup_mb * 60_000),
             expect=ANY, size=soup_mb * 900_000),
        Case(23, f"long-arabic-line-{line_mb}mb", "txt", lambda: _long_line(line_mb), expect={"done"}, size=int(line_mb * 1_000_000)),
        Case(24, f"long-line-no-spaces-{plain_line_mb}mb", "txt",
             lambda: "عنوان خبر بسطر طويل بلا فراغ\n".encode() + "ا".encode() * int(plain_line_mb * 500_000), expect=ANY,
             size=int(plain_line_mb * 1_000_000)),
        Case(25, f"long-ascii-line-{plain_line_mb}mb", "txt", lambda: b"a" * int(plain_line_mb * 1_000_000), expect=ANY,
             size=int(plain_line_mb * 1_000_000)),
        # Deep nesting.
        Case(26, f"deep-json-{depth}", "json", lambda: _deep_json(depth), expect={"failed:bad_json"}),
        Case(27, "deep-json-in-article", "json",
             lambda: article_json(27)[:-1].encode() + b', "extra": ' + _deep_json(depth) + b"}", expect={"failed:bad_json"}),
        Case(28, "deep-json-line", "jsonl",
             lambda: (article_json(280) + "\n").encode() + _deep_json(depth) + b"\n" + (article_json(281) + "\n").encode(),
             lines={2: "bad_json"}, required_lines={2}),
        Case(29, f"deep-divs-{depth}", "html",
             lambda: b"<html><body>" + b"<div>" * depth + "<h1>عنوان خبر عميق عن العراق</h1><p>فقرة عن الحكومة العراقية.</p>".encode()
             + b"</div>" * depth + b"</body></html>", expect=ANY),
        Case(30, "unclosed-tags", "html",
             lambda: b"<html><body>" + b"<div><span><b><i>" * depth + "<h1>عنوان خبر بلا إغلاق عن العراق</h1><p>فقرة عن الحكومة.</p>".encode(),
             expect=ANY),
        # JSON that is valid but not an article, or an article with awkward values.
        Case(31, "json-top-level-array", "json", b"[1, 2, 3]", expect={"failed:bad_json"}),
        Case(32, "json-wrong-types", "json", b'{"title": 5, "body": {"x": [true, null]}}', expect={"failed:bad_json"}),
        Case(33, "json-huge-number-date", "json", article_json(33, date=1e300).encode(), expect={"done", "failed:bad_json"},
             note="a numeric date beyond Int.max"),
        Case(34, "json-huge-number-date-line", "jsonl", (article_json(34, date=9.3e18) + "\n" + article_json(340) + "\n").encode(),
             expect={"done"}, lines={1: "bad_json"}, note="the same on a .jsonl line; the line may parse or be quarantined"),
        # Text the normaliser expands (NFKC: ¾ → 3⁄4) right after a title word.
        Case(35, "nfkc-fraction", "txt", "خبر عن وزير جديد في الحكومة العراقية\nقال وزير خني¾ إن الوضع مستقر.\n".encode()),
        # Names.
        Case(36, "newline", "txt", article(36).encode(), name_extra=b"\nsecond line"),
        Case(37, "non-utf8-", "txt", article(37).encode(), name_extra=b"\xff\xfe\xc3("),
        Case(38, "shell-meta", "txt", article(38).encode(), name_extra=b" $(touch x);'\"\\*?[a]|&<>"),
        Case(39, "uppercase", "TXT", article(39).encode()),
        Case(40, "unsupported", "pdf", b"%PDF-1.4\n", expect={"failed:unsupported_type"}),
        Case(41, "long-name-article-", "txt", article(41).encode(), name_extra=b"n" * (255 - 5 - 18 - 4)),
        Case(42, "long-name-empty-", "txt", b"", name_extra=b"e" * (250 - 5 - 16 - 4), expect={"failed:empty"},
             note="a 250-byte name to quarantine: failed/.<name>.error.json.tmp is longer than NAME_MAX"),
        Case(43, "long-name-bad-line-", "jsonl", b"{}\n" + (article_json(43) + "\n").encode(), name_extra=b"j" * (248 - 5 - 19 - 6),
             lines={1: "bad_json"}, required_lines={1},
             note="a bad .jsonl line of a 248-byte name: its report failed/<name>.line-1.error.json is longer than NAME_MAX"),
        # Arrivals other than rename.
        Case(44, "symlink-outside", "txt", arrival="symlink", target="outside-article.txt", expect={"failed:symlink"}),
        Case(45, "symlink-dangling", "txt", arrival="symlink", target="missing.txt", expect={"failed:symlink"}),
        Case(46, "symlink-to-directory", "txt", arrival="symlink", target=".", expect={"failed:symlink"}),
        Case(47, "symlink-to-dev-zero", "txt", arrival="symlink", target="/dev/zero", expect={"failed:symlink"}),
        Case(48, "hardlink-outside", "txt", arrival="hardlink", target="outside-hardlinked.txt", expect=ANY),
        Case(49, "fifo", "txt", arrival="fifo", expect={"failed:not_regular_file"}),
        Case(50, "unreadable", "txt", article(50).encode(), arrival="chmod000", expect={"done", "failed:unreadable"}),
        Case(51, "slow-writer", "txt", article(51, extra=" وختم البيان بالدعوة إلى الحوار." * 20).encode(), arrival="slow",
             seconds=12.0 if full else 6.0),
        Case(52, "slow-writer", "json", article_json(52).encode(), arrival="slow", seconds=12.0 if full else 6.0,
             note="any prefix of a JSON object is bad_json: a read before the close would show"),
    ]
    if raised_limit:
        list_.append(Case(53, "attribute-soup-40mb", "html", lambda: _soup(40), expect=ANY, size=40_000_000,
                          note="under a raised max_file_bytes: must parse or fail cleanly within seconds"))
    for case in list_:
        if case.target and case.arrival in ("symlink", "hardlink") and not case.target.startswith("/") and case.target != ".":
            case.target = os.path.join(outside, case.target)
        elif case.target == ".":
            case.target = outside
    return list_


def prepare_outside(outside):
    """The files outside the spool that the link cases point at."""
    os.makedirs(outside, exist_ok=True)
    with open(os.path.join(outside, "outside-article.txt"), "wb") as handle:
        handle.write(article(9001).encode())
    with open(os.path.join(outside, "outside-hardlinked.txt"), "wb") as handle:
        handle.write(article(9002).encode())


def burst(count, start=0):
    """`count` tiny files for one burst, as (name, bytes): unique one-line articles, one-byte
    files, blank files and copies of one article, in turn."""
    for index in range(start, start + count):
        kind = index % 4
        if kind == 0:
            data = f"خبر قصير رقم {index} عن العراق\nفقرة قصيرة رقم {index} عن الحكومة العراقية.\n".encode()
        elif kind == 1:
            data = b"x"
        elif kind == 2:
            data = b" \n"
        else:
            data = "خبر قصير مكرر عن العراق\nفقرة قصيرة مكررة عن الحكومة العراقية.\n".encode()
        yield b"burst-%07d.txt" % index, data


def burst_expectation(name):
    """Outcomes allowed for a burst file."""
    kind = int(name[6:13]) % 4
    return {"done"} if kind in (0, 3) else ANY_FAILURE


def write_atomically(directory, name, data, mode=None):
    """Hidden temporary name, then rename, as producers should."""
    temporary = os.path.join(directory, b"." + name[:200] + b".tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
    if mode is not None:
        os.chmod(temporary, mode)
    os.rename(temporary, os.path.join(directory, name))


def write_slowly(path, data, seconds, chunks=30):
    """Writes `data` through its final name in `chunks` pieces over `seconds`, one open file."""
    step = max(1, -(-len(data) // chunks))
    with open(path, "wb") as handle:
        for start in range(0, len(data), step):
            handle.write(data[start:start + step])
            handle.flush()
            time.sleep(seconds / chunks)


def drop_case(inbox, case, workdir):
    """Puts one case into `inbox` the way it must arrive. A slow writer runs on a thread of its
    own, which is returned (join it); every other arrival is complete when this returns."""
    inbox = os.fsencode(inbox)
    path = os.path.join(inbox, case.name)
    if case.arrival == "rename":
        write_atomically(inbox, case.name, case.content())
    elif case.arrival == "chmod000":
        write_atomically(inbox, case.name, case.content(), mode=0)
    elif case.arrival == "symlink":
        os.symlink(os.fsencode(case.target), path)
    elif case.arrival == "hardlink":
        os.link(os.fsencode(case.target), path)
    elif case.arrival == "fifo":
        fifo = os.path.join(os.fsencode(workdir), b"fifo-%d" % case.index)
        os.mkfifo(fifo, 0o644)
        os.rename(fifo, path)
    elif case.arrival == "slow":
        thread = threading.Thread(target=write_slowly, args=(path, case.content(), case.seconds), daemon=True)
        thread.start()
        return thread
    else:
        raise ValueError(case.arrival)
    return None


def describe(expect):
    """Allowed outcomes, briefly."""
    if expect == ANY:
        return "done or any failure"
    if expect == ANY_FAILURE:
        return "any failure"
    return " | ".join(sorted(expect))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", help="write every case into this directory (links and FIFO as they are)")
    where.add_argument("--inbox", help="drop every case into this live inbox")
    where.add_argument("--list", action="store_true", help="print the cases")
    parser.add_argument("--short", action="store_true", help="the CI sizes (10k-deep JSON, 2 MB soup, 0.2-2 MB lines)")
    parser.add_argument("--burst", type=int, default=0, help="also this many tiny files at once")
    parser.add_argument("--outside", help="directory outside the spool for link targets (default: beside --out/--inbox)")
    args = parser.parse_args()

    target = args.out or args.inbox
    outside = args.outside or (os.path.join(os.path.dirname(os.path.abspath(target.rstrip("/"))), "hostile-outside") if target else "/tmp")
    all_cases = cases(full=not args.short, outside=outside)
    if args.list:
        for case in all_cases:
            size = case.size if case.size is not None else (len(case.content()) if case.arrival not in ("symlink", "hardlink", "fifo") else 0)
            print(f"{case.printable[:60]:60} {case.arrival:9} {size:>11,} B  {describe(case.expect)}"
                  + (f"  lines {case.lines}" if case.lines else ""))
        return 0
    os.makedirs(target, exist_ok=True)
    prepare_outside(outside)
    threads = [thread for case in all_cases if (thread := drop_case(target, case, os.path.dirname(os.path.abspath(target))))]
    for name, data in burst(args.burst):
        write_atomically(os.fsencode(target), name, data)
    for thread in threads:
        thread.join()
    print(f"{len(all_cases)} hostile cases and {args.burst} tiny files in {target}; link targets in {outside}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
