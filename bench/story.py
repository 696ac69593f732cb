#!/usr/bin/env python3
"""Warm in-process latency of `count`, `timeline` and `trace` (issue 13).

    python3 bench/story.py STORY_LATENCY INDEX SOURCE.jsonl.gz QUOTES.jsonl [--passes 5]

STORY_LATENCY is the release build of examples/story_latency.rs
(`cargo build --release --example story_latency`); INDEX an index of
SOURCE; QUOTES.jsonl the quotes `bench/trace_check.py` wrote
(`{"quote"}` lines). Picks words whose articles are about 10 % (and 1 %,
30 %) of SOURCE's, times `count --by month` and `timeline --by week` on
them and `trace` on every quote, in one process, PASSES passes; the first
pass is cold (lazy loading), the rest are reported (p50, p95, max, ms).
"""

import argparse
import collections
import gzip
import json
import re
import statistics
import subprocess
import tempfile


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("harness")
    ap.add_argument("index")
    ap.add_argument("source")
    ap.add_argument("quotes")
    ap.add_argument("--passes", type=int, default=5)
    a = ap.parse_args()

    df = collections.Counter()
    n = 0
    for line in gzip.open(a.source, "rt", encoding="utf-8"):
        r = json.loads(line)
        n += 1
        df.update(set(re.findall(r"[a-z]{4,}", (r.get("text") or "").lower())))
    picks = {}
    for share in (0.01, 0.10, 0.30):
        word = min(df, key=lambda w: (abs(df[w] / n - share), w))
        picks[share] = word
    quotes = [json.loads(l)["quote"] for l in open(a.quotes, encoding="utf-8")]
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False, encoding="utf-8") as jobs:
        for word in picks.values():
            jobs.write(f"count\t{word}\ntimeline\t{word}\n")
        for q in quotes:
            jobs.write(f"trace\t{q}\n")
    out = subprocess.run([a.harness, a.index, jobs.name, str(a.passes)], check=True,
                         capture_output=True, text=True).stdout
    rows = [json.loads(l) for l in out.splitlines()]
    result = {"articles": n, "words": {w: round(df[w] / n, 3) for w in picks.values()}}
    for kind in ("count", "timeline"):
        for share, word in picks.items():
            t = [r["took_ms"] for r in rows if r["kind"] == kind and r["text"] == word and r["pass"] > 0]
            matched = next(r["articles"] for r in rows if r["kind"] == kind and r["text"] == word)
            result[f"{kind} '{word}' ({matched} articles, {matched / n:.1%})"] = {
                "p50_ms": round(statistics.median(t), 2), "max_ms": round(max(t), 2)}
    t = [r["took_ms"] for r in rows if r["kind"] == "trace" and r["pass"] > 0]
    cold = [r["took_ms"] for r in rows if r["kind"] == "trace" and r["pass"] == 0]
    result[f"trace ({len(quotes)} quotes)"] = {
        "p50_ms": round(statistics.median(t), 2), "p95_ms": round(percentile(t, 95), 2),
        "max_ms": round(max(t), 2), "first_pass_p50_ms": round(statistics.median(cold), 2)}
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
