#!/usr/bin/env python3
"""How a corpus's vocabulary grows: the number of distinct words (ASCII
letter runs and digit runs, lower-cased: close to the index's terms before
stemming) after the first N articles, for each N asked.

    python3 bench/vocabulary.py CORPUS.jsonl --at 21577,100000,300000,1000000

Prints a markdown table: articles, distinct words, words (tokens).
"""

import argparse
import json
import re

TOKEN = re.compile(r"[A-Za-z]+|[0-9]+")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("--at", default="21577,100000,300000,1000000", help="article counts, comma-separated")
    args = ap.parse_args()
    marks = sorted(int(x) for x in args.at.split(","))
    seen, tokens, articles = set(), 0, 0
    print("| articles | distinct words | words |")
    print("|--:|--:|--:|")
    with open(args.corpus, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            words = TOKEN.findall(f"{r.get('title') or ''} {r.get('text') or ''}".lower())
            tokens += len(words)
            seen.update(words)
            articles += 1
            if marks and articles == marks[0]:
                print(f"| {articles:,} | {len(seen):,} | {tokens:,} |", flush=True)
                marks.pop(0)
    if marks:
        print(f"| {articles:,} (end) | {len(seen):,} | {tokens:,} |")


if __name__ == "__main__":
    main()
