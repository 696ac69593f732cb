#!/usr/bin/env python3
"""Writes a scale corpus for benchmarks: N news articles in JSON Lines, made
from the Reuters-21578 articles by deterministic replication.

Copy k of source article j becomes article number i = k * len(source) + j:
- a new id, ``scale-<i>`` (zero-padded), so ids stay unique;
- its date shifted by a whole number of years and a number of days that
  depend on k only, so copies spread over 1980-2025 (the source covers
  Feb-Oct 1987) and every copy keeps Reuters' within-year rhythm;
- an outlet from a fixed list of 36 names, picked by a hash of i with a
  skewed (Zipf-like) weight, so a few outlets are big and most are small,
  as in a real collection of coverage;
- title and text unchanged.

The same arguments always give byte-identical output (``.gz`` is written
with mtime 0). Memory stays small: the source (22 MB) is read once and the
output is streamed.

    python3 bench/make_scale_corpus.py -n 1000000 -o /work/scratch/bench-data/scale-1m.jsonl
"""

import argparse
import datetime as dt
import gzip
import hashlib
import json
import os
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
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", "--articles", type=int, default=1_000_000, help="articles to write (default 1,000,000)")
    ap.add_argument("-o", "--output", required=True, help="output file (.jsonl, .jsonl.gz or - for stdout)")
    ap.add_argument("--source", default=DEFAULT_SOURCE, help="source JSON Lines (default: the shared Reuters-21578)")
    ap.add_argument("--quiet", action="store_true", help="no progress on stderr")
    args = ap.parse_args(argv)

    source = read_source(args.source)
    if not source:
        sys.exit(f"make_scale_corpus: {args.source}: no records")
    width = len(str(max(args.articles - 1, 0)))
    out = open_output(args.output)
    binary = isinstance(out, gzip.GzipFile)
    written = 0
    try:
        for i in range(args.articles):
            k, j = divmod(i, len(source))
            src = source[j]
            years, days = shift_of(k)
            record = {
                "id": f"scale-{i:0{width}d}",
                "outlet": outlet_of(i),
                "date": shifted(src.get("date"), years, days),
                "title": src.get("title") or None,
                "url": None,
                "text": src.get("text") or "",
            }
            line = json.dumps(record, ensure_ascii=False) + "\n"
            out.write(line.encode("utf-8") if binary else line)
            written += 1
            if not args.quiet and written % 100_000 == 0:
                print(f"make_scale_corpus: {written:,} articles", file=sys.stderr)
    finally:
        if out is not sys.stdout:
            out.close()
    if not args.quiet:
        print(f"make_scale_corpus: wrote {written:,} articles to {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
