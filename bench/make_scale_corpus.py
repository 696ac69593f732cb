#!/usr/bin/env python3
"""Writes a scale corpus for benchmarks: N news articles in JSON Lines, made
from the Reuters-21578 articles by deterministic replication, with the text
of every copy but the first varied as real news varies (new names, new
numbers, new words), so that the term dictionary and the index grow with
the corpus instead of stopping at Reuters' vocabulary.

Copy k of source article j becomes article number i = k * len(source) + j:
- a new id, ``scale-<i>`` (zero-padded), so ids stay unique;
- its date shifted by a whole number of years and a number of days that
  depend on k only, so copies spread over 1980-2025 (the source covers
  Feb-Oct 1987) and every copy keeps Reuters' within-year rhythm;
- an outlet from a fixed list of 36 names, picked by a hash of i with a
  skewed (Zipf-like) weight, so a few outlets are big and most are small,
  as in a real collection of coverage;
- for k = 0, title and text unchanged but for years, which move with the
  dates (below); for k >= 1, title and text with words replaced, the same way in every article of the copy (so a renamed
  person is still named in several articles, and a name query still finds
  more than one), keeping the case of each occurrence (Reuters titles are
  in capitals):
  - a name (a word written capitalised more often than not) is replaced
    in a copy with probability 0.5 by a made-up name (syllables);
  - another word of 4 letters or more that is not a function word, with
    probability 0.04, by a made-up word;
  - a year (1900-2029) moves with the copy's dates; another number, with
    probability 0.5, becomes a different number of as many digits.
  Made-up names and words are drawn from pools that grow with the copy
  number as k^0.6, so new terms keep arriving but more slowly as the
  corpus grows, as Heaps' law describes for real collections.
  ``--plain`` turns the variation off (Reuters copied as is).

The same arguments always give byte-identical output (``.gz`` is written
with mtime 0). Memory stays small: the source (22 MB) is read once and the
output is streamed; two processes vary the copies.

    python3 bench/make_scale_corpus.py -n 1000000 -o /work/scratch/bench-data/scale-1m.jsonl
"""

import argparse
import datetime as dt
import gzip
import hashlib
import json
import multiprocessing as mp
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SOURCE = os.path.normpath(
    os.path.join(HERE, "..", "..", "shared", "data", "news", "reuters21578.jsonl.gz")
)

# A fixed list of outlets (wire services, papers, broadcasters, sites).
OUTLETS = [
    "Reuters", "Associated Press", "Agence France-Presse", "Bloomberg",
    "The New York Times", "The Washington Post", "The Wall Street Journal",
    "Financial Times", "The Guardian", "BBC News", "CNN", "Al Jazeera",
    "El País", "Le Monde", "Der Spiegel", "Folha de S.Paulo", "Clarín",
    "El Universal", "La Nación", "The Economist", "Los Angeles Times",
    "Chicago Tribune", "The Times of India", "South China Morning Post",
    "The Japan Times", "Deutsche Welle", "France 24", "EFE", "ANSA",
    "Xinhua", "NPR", "Politico", "Axios", "InSight Crime",
    "Miami Herald", "Caracas Chronicles",
]
# Zipf-like weights: outlet r (0-based) has weight 1/(r+1).
WEIGHTS = [1.0 / (r + 1) for r in range(len(OUTLETS))]
TOTAL_WEIGHT = sum(WEIGHTS)
CUMULATIVE = []
_acc = 0.0
for _w in WEIGHTS:
    _acc += _w / TOTAL_WEIGHT
    CUMULATIVE.append(_acc)

FIRST_YEAR = 1980
YEARS = 46  # 1980 .. 2025
SOURCE_YEAR = 1987


def unit(i, salt):
    """A deterministic number in [0, 1) for article i."""
    digest = hashlib.blake2b(f"{salt}:{i}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def outlet_of(i):
    u = unit(i, "outlet")
    for name, edge in zip(OUTLETS, CUMULATIVE):
        if u < edge:
            return name
    return OUTLETS[-1]


def shift_of(k):
    """Years and days that copy k is shifted by."""
    years = (FIRST_YEAR - SOURCE_YEAR) + (k * 17) % YEARS
    days = (k * 53) % 61 - 30  # -30 .. +30 days
    return years, days


def shifted(date, years, days):
    """`date` (ISO date or datetime, as in the source) moved by years and days."""
    if not date:
        return date
    try:
        if "T" in date:
            parsed = dt.datetime.fromisoformat(date)
        else:
            parsed = dt.datetime.fromisoformat(date + "T00:00:00")
    except ValueError:
        return date
    year = parsed.year + years
    try:
        moved = parsed.replace(year=year)
    except ValueError:  # 29 February into a non-leap year
        moved = parsed.replace(year=year, day=28)
    moved += dt.timedelta(days=days)
    text = moved.isoformat(timespec="milliseconds") if "T" in date else moved.date().isoformat()
    return text


# ---------------------------------------------------------------- varied text

TOKEN = re.compile(r"[A-Za-z]+|[0-9]+")
SPLIT = re.compile(r"([A-Za-z]+|[0-9]+)")
FUNCTION_WORDS = set(
    "a an and are as at be by for from in into is it its of on or that the this to was were will with "
    "he she they we you his her their our has have had not but said says also than then which who "
    "would there been after before about over under more most some such only other these those what "
    "when where while could should shall may might must does did done being very just".split()
)
NAME_RATE, WORD_RATE, NUMBER_RATE = 0.5, 0.04, 0.5
NAME_POOL, WORD_POOL, GROWTH = 20_000, 8_000, 0.6
CONSONANTS = "bcdfghjklmnprstvz"
VOWELS = "aeiou"
SYLLABLES = [c + v for c in CONSONANTS for v in VOWELS]


def made_up(number):
    """A pronounceable made-up word for `number` (distinct numbers give
    distinct words): its base-85 digits as consonant-vowel syllables, at
    least three. Names take even numbers and other words odd ones."""
    digits = []
    while number or len(digits) < 3:
        number, d = divmod(number, len(SYLLABLES))
        digits.append(d)
    return "".join(SYLLABLES[d] for d in reversed(digits))


def pool(base, k):
    """How many made-up names (or words) copy k draws from."""
    return int(base * k**GROWTH)


def hashed(token, k, salt):
    return int.from_bytes(hashlib.blake2b(f"{salt}:{k}:{token}".encode(), digest_size=8).digest(), "big")


def with_case(word, like):
    if len(like) > 1 and like.isupper():
        return word.upper()
    if like[0].isupper():
        return word.capitalize()
    return word


class Copy(dict):
    """Copy k's replacement of every token (memoised: a copy replaces a
    word the same way wherever it occurs). Copy 0 only moves years."""

    def __init__(self, k, names):
        super().__init__()
        self.k = k
        self.years = shift_of(k)[0]
        self.names = names

    def __missing__(self, token):
        self[token] = out = self.vary(token)
        return out

    def vary(self, token):
        k = self.k
        if not (token.isascii() and token.isalnum()):
            return token  # the text between two words
        if token.isdigit():
            if len(token) == 4 and 1900 <= int(token) <= 2029:
                return str(int(token) + self.years)
            if k == 0:
                return token
            h = hashed(token, k, "number")
            if h % 1000 >= NUMBER_RATE * 1000:
                return token
            digits = str(h // 1000).rjust(len(token), "0")[-len(token):]
            if len(token) > 1 and digits[0] == "0":
                digits = str(1 + h % 9) + digits[1:]
            return digits
        if k == 0:
            return token
        key = token.lower()
        h = hashed(key, k, "word")
        if key in self.names:
            if h % 1000 >= NAME_RATE * 1000:
                return token
            return with_case(made_up(2 * (h // 1000 % pool(NAME_POOL, k))), token)
        if len(key) < 4 or key in FUNCTION_WORDS or h % 1000 >= WORD_RATE * 1000:
            return token
        return with_case(made_up(2 * (h // 1000 % pool(WORD_POOL, k)) + 1), token)


def names_of(source):
    """Words written capitalised more often than lower-case in the source's
    text (titles are all capitals and say nothing)."""
    upper, lower = {}, {}
    for record in source:
        for token in TOKEN.findall(record.get("text") or ""):
            if token[0].isupper():
                key = token.lower()
                upper[key] = upper.get(key, 0) + 1
            elif token[0].islower():
                lower[token] = lower.get(token, 0) + 1
    return {w for w, n in upper.items() if n > lower.get(w, 0) and w not in FUNCTION_WORDS}


SOURCE, PARTS, NAMES, PLAIN = [], [], set(), False


def parts_of(text):
    """`text` as alternating separators and words (shared strings), so a
    copy is a join of their replacements."""
    return [sys.intern(p) for p in SPLIT.split(text)]


def copy_lines(job):
    """The JSON lines of copy k, articles `first` to `last` (exclusive) of the output."""
    k, first, last, width = job
    table = None if PLAIN else Copy(k, NAMES)
    years, days = shift_of(k)
    lines = []
    for i in range(first, last):
        j = i - k * len(SOURCE)
        src = SOURCE[j]
        if table is None:
            title, text = src.get("title") or "", src.get("text") or ""
        else:
            title, text = ("".join(map(table.__getitem__, parts)) for parts in PARTS[j])
        record = {
            "id": f"scale-{i:0{width}d}",
            "outlet": outlet_of(i),
            "date": shifted(src.get("date"), years, days),
            "title": title or None,
            "url": None,
            "text": text,
        }
        lines.append(json.dumps(record, ensure_ascii=False) + "\n")
    return "".join(lines)


def read_source(path):
    opener = gzip.open if path.endswith(".gz") else open
    records = []
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                records.append(json.loads(line))
    return records


def open_output(path):
    if path == "-":
        return sys.stdout
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    if path.endswith(".gz"):
        raw = open(path, "wb")
        return gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=6, filename="")
    return open(path, "w", encoding="utf-8", newline="\n")


def main(argv=None):
    global SOURCE, PARTS, NAMES, PLAIN
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", "--articles", type=int, default=1_000_000, help="articles to write (default 1,000,000)")
    ap.add_argument("-o", "--output", required=True, help="output file (.jsonl, .jsonl.gz or - for stdout)")
    ap.add_argument("--source", default=DEFAULT_SOURCE, help="source JSON Lines (default: the shared Reuters-21578)")
    ap.add_argument("--plain", action="store_true", help="copy the text unchanged (the corpus before 2026-11-23)")
    ap.add_argument("--quiet", action="store_true", help="no progress on stderr")
    args = ap.parse_args(argv)

    SOURCE = read_source(args.source)
    if not SOURCE:
        sys.exit(f"make_scale_corpus: {args.source}: no records")
    NAMES, PLAIN = names_of(SOURCE), args.plain
    if not PLAIN:
        PARTS = [(parts_of(r.get("title") or ""), parts_of(r.get("text") or "")) for r in SOURCE]
    width = len(str(max(args.articles - 1, 0)))
    jobs = [(k, k * len(SOURCE), min(args.articles, (k + 1) * len(SOURCE)), width)
            for k in range((args.articles + len(SOURCE) - 1) // len(SOURCE))]
    out = open_output(args.output)
    binary = isinstance(out, gzip.GzipFile)
    written = 0
    try:
        # Copies are varied in two processes (fork: they share SOURCE and
        # NAMES) and written in order.
        with mp.get_context("fork").Pool(2) as workers:
            for (_, first, last, _), text in zip(jobs, workers.imap(copy_lines, jobs)):
                out.write(text.encode("utf-8") if binary else text)
                written += last - first
                if not args.quiet:
                    print(f"make_scale_corpus: {written:,} articles", file=sys.stderr)
    finally:
        if out is not sys.stdout:
            out.close()
    if not args.quiet:
        print(f"make_scale_corpus: wrote {written:,} articles to {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
