#!/usr/bin/env python3
"""Pseudo-relevance feedback (RM3-like) measured outside newsdex: what a
second query per search would give. For each query, the FB best articles
of newsdex's run weight their words (not newsdex's query function words,
3+ letters) by the article's share of the FB scores times the word's share
of the article (relevance model 1); the T best words not in the query are
appended once each to the query's text repeated R times (so the original
words weigh R against 1: newsdex has no boost syntax, repeated words add
up), and the new queries are run and scored. A diagnostic, not newsdex.

    newsdex index ../shared/data/eval/lisa/corpus.jsonl --index /tmp/idx-lisa
    python3 bench/ranking/prf.py ../shared/data/eval/lisa /tmp/idx-lisa 5 5 3

prints nDCG@10 / MAP of the feedback run (T 0: the repeated query alone,
its baseline). Uses target/release/newsdex (NEWSDEX to change).
"""
import collections
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NEWSDEX = os.environ.get("NEWSDEX", os.path.join(ROOT, "target/release/newsdex"))


def function_words():
    """newsdex's query function words, read from src/analysis.rs."""
    src = open(os.path.join(ROOT, "src/analysis.rs")).read()
    words = set()
    for name in ("const STOP_WORDS", "const QUERY_STOP_WORDS"):
        words |= set(re.findall(r'"([^"]*)"', src.split(name)[1].split("];")[0]))
    return words


def run(queries, index):
    cmd = [NEWSDEX, "batch", queries, "--index", index, "--format", "trec",
           "--articles", "--match", "any", "--plain", "--limit", "1000"]
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def main(collection, index, fb, terms, repeat):
    stop = function_words()
    docs = {}
    for line in open(f"{collection}/corpus.jsonl"):
        d = json.loads(line)
        text = (d.get("title") or "") + " " + (d.get("text") or "")
        docs[d["_id"]] = [w for w in re.findall(r"[a-z]+", text.lower()) if w not in stop and len(w) > 2]
    queries = [json.loads(line) for line in open(f"{collection}/queries.jsonl")]
    top = collections.defaultdict(list)
    for line in run(f"{collection}/queries.jsonl", index).splitlines():
        q, _, d, rank, score, _ = line.split()
        if int(rank) <= fb:
            top[q].append((d, float(score)))
    work = tempfile.mkdtemp()
    expanded = os.path.join(work, "queries.jsonl")
    with open(expanded, "w") as out:
        for q in queries:
            found = top.get(q["_id"], [])
            total = sum(s for _, s in found) or 1.0
            weights = collections.Counter()
            for d, s in found:
                words = docs.get(d) or []
                for w, n in collections.Counter(words).items():
                    weights[w] += (s / total) * n / len(words)
            asked = set(re.findall(r"[a-z]+", q["text"].lower()))
            new = [w for w, _ in weights.most_common() if w not in asked][:terms]
            out.write(json.dumps({"_id": q["_id"], "text": " ".join([q["text"]] * repeat + new)}) + "\n")
    trec = os.path.join(work, "run.trec")
    open(trec, "w").write(run(expanded, index))
    scored = subprocess.run([NEWSDEX, "eval", trec, "--qrels", f"{collection}/qrels/test.tsv", "--format", "json"],
                            capture_output=True, text=True, check=True).stdout
    m = json.loads(scored)["mean"]
    print(f"{m['ndcg_cut_10']:.4f} / {m['map']:.4f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6]))
