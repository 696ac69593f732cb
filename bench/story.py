#!/usr/bin/env python3
"""Warm in-process latency of `count`, `timeline` and `trace` (issue 13).

    python3 bench/story.py STORY_LATENCY INDEX SOURCE.jsonl[.gz] QUOTES.jsonl [--passes 5]
    python3 bench/story.py STORY_LATENCY INDEX SOURCE.jsonl[.gz] --corpus-quotes 100 \\
        [--df-articles 100000]

STORY_LATENCY is the release build of examples/story_latency.rs
(`cargo build --release --example story_latency`); INDEX an index of
SOURCE; QUOTES.jsonl the quotes `bench/trace_check.py` wrote (`{"quote"}`
lines), or with `--corpus-quotes N` N sentences (12-35 words) picked from
SOURCE's articles, as trace_check.py picks them (for a corpus without
labelled quotes, such as the scale corpus). Picks words whose articles are
about 1 %, 10 % and 30 % of SOURCE's (counted over the first
`--df-articles` articles, all by default), times `count --by month` and
`timeline --by week` on them and `trace` on every quote, in one process,
PASSES passes; the first pass is cold (lazy loading), the rest are
reported (p50, p95, max, ms), with the share of articles each word
matched in the index.
"""

import argparse
import collections
import gzip
import json
import random
import re
import statistics
import subprocess
import tempfile

from trace_check import sentences


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def records(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("harness")
    ap.add_argument("index")
    ap.add_argument("source")
    ap.add_argument("quotes", nargs="?")
    ap.add_argument("--passes", type=int, default=5)
    ap.add_argument("--corpus-quotes", type=int, default=0)
    ap.add_argument("--df-articles", type=int, default=0)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    if not a.quotes and not a.corpus_quotes:
        ap.error("give QUOTES.jsonl or --corpus-quotes N")

    rng = random.Random(a.seed)
    df = collections.Counter()
    n = seen = 0
    texts = []
    for r in records(a.source):
        n += 1
        if a.df_articles and seen >= a.df_articles:
            continue
        seen += 1
        text = r.get("text") or ""
        df.update(set(re.findall(r"[a-z]{4,}", text.lower())))
        if a.corpus_quotes and r.get("date") and rng.random() < 0.02:
            texts.append(text)
    picks = {}
    for share in (0.01, 0.10, 0.30):
        word = min(df, key=lambda w: (abs(df[w] / seen - share), w))
        picks[share] = word
    if a.corpus_quotes:
        rng.shuffle(texts)
        quotes = []
        for text in texts:
            cands = list(sentences(text))
            if cands:
                quotes.append(rng.choice(cands))
            if len(quotes) >= a.corpus_quotes:
                break
    else:
        quotes = [json.loads(l)["quote"] for l in open(a.quotes, encoding="utf-8")]
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False, encoding="utf-8") as jobs:
        for word in picks.values():
            jobs.write(f"count\t{word}\ntimeline\t{word}\n")
        for q in quotes:
            jobs.write(f"trace\t{q}\n")
    out = subprocess.run([a.harness, a.index, jobs.name, str(a.passes)], check=True,
                         capture_output=True, text=True).stdout
    rows = [json.loads(l) for l in out.splitlines()]
    result = {"articles": n, "words": {w: round(df[w] / seen, 3) for w in picks.values()}}

    def times(kind, text=None):
        t = [r["took_ms"] for r in rows
             if r["kind"] == kind and (text is None or r["text"] == text) and r["pass"] > 0]
        cold = [r["took_ms"] for r in rows
                if r["kind"] == kind and (text is None or r["text"] == text) and r["pass"] == 0]
        return {"p50_ms": round(statistics.median(t), 2), "p95_ms": round(percentile(t, 95), 2),
                "max_ms": round(max(t), 2), "first_pass_ms": round(statistics.median(cold), 2)}

    for kind in ("count", "timeline"):
        for share, word in picks.items():
            matched = next(r["articles"] for r in rows if r["kind"] == kind and r["text"] == word)
            result[f"{kind} '{word}' ({matched} articles, {matched / n:.1%})"] = times(kind, word)
    found = [r["articles"] for r in rows if r["kind"] == "trace" and r["pass"] == 0]
    result[f"trace ({len(quotes)} quotes, appearances p50 {statistics.median(found)})"] = times("trace")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
