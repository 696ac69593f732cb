#!/usr/bin/env python3
"""The SQLite FTS5 side of the benchmark (Python's sqlite3), run by
bench/run.py as separate processes so that each is measured on its own
(wall time, peak RSS).

    fts5.py index   --db DB --corpus CORPUS.jsonl[.gz]
    fts5.py latency --db DB --queries QUERIES.json      one thread, per-query ms
    fts5.py batch   --db DB --queries QUERIES.json --workers N

The table has one row per article, `porter unicode61 remove_diacritics 2`
tokenizer, title and body indexed, id/outlet/date stored unindexed. It is
given its best chance: one transaction, no journal, no fsync, a 256 MB page
cache (newsdex's writer budget), and `optimize` after loading (which merges
the b-trees so queries are faster; its time counts as indexing). A query is
`WHERE articles MATCH ? ORDER BY bm25(articles) LIMIT 10`, fetching id,
title, outlet, date and score of the ten best.
"""

import argparse
import gzip
import json
import multiprocessing as mp
import os
import sqlite3
import sys
import time

TOKENIZE = "porter unicode61 remove_diacritics 2"
SQL = (
    "SELECT article_id, title, outlet, date, bm25(articles) FROM articles "
    "WHERE articles MATCH ? ORDER BY bm25(articles) LIMIT 10"
)


def connect(db):
    conn = sqlite3.connect(db, check_same_thread=False)
    conn.execute("PRAGMA cache_size=-262144")
    return conn


def records(corpus):
    opener = gzip.open if corpus.endswith(".gz") else open
    with opener(corpus, "rt", encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            try:
                r = json.loads(line)
            except ValueError:
                continue
            yield (
                r.get("title") or "",
                r.get("text") or r.get("body") or "",
                str(r.get("id") or r.get("_id") or ""),
                r.get("outlet") or "",
                r.get("date") or "",
            )


def cmd_index(args):
    if os.path.exists(args.db):
        os.remove(args.db)
    conn = connect(args.db)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute(
        "CREATE VIRTUAL TABLE articles USING fts5("
        "title, body, article_id UNINDEXED, outlet UNINDEXED, date UNINDEXED, "
        f"tokenize='{TOKENIZE}')"
    )
    started = time.perf_counter()
    with conn:
        conn.executemany(
            "INSERT INTO articles(title, body, article_id, outlet, date) VALUES (?,?,?,?,?)",
            records(args.corpus),
        )
    conn.execute("INSERT INTO articles(articles) VALUES('optimize')")
    conn.commit()
    conn.close()
    print(json.dumps({"seconds": time.perf_counter() - started}))


def load_queries(path):
    with open(path, encoding="utf-8") as f:
        return [q["fts5"] for q in json.load(f)]


def cmd_latency(args):
    queries = load_queries(args.queries)
    conn = connect(args.db)
    passes = []
    for _ in range(args.passes):
        times = []
        for q in queries:
            t0 = time.perf_counter()
            conn.execute(SQL, (q,)).fetchall()
            times.append((time.perf_counter() - t0) * 1000.0)
        passes.append(times)
    print(json.dumps({"passes_ms": passes}))


def _worker(job):
    db, queries = job
    conn = connect(db)
    hits = 0
    for q in queries:
        hits += len(conn.execute(SQL, (q,)).fetchall())
    conn.close()
    return hits


def cmd_batch(args):
    queries = load_queries(args.queries)
    n = max(1, args.workers)
    jobs = [(args.db, queries[i::n]) for i in range(n)]
    best = None
    for _ in range(args.passes):
        t0 = time.perf_counter()
        with mp.get_context("fork").Pool(n) as pool:
            hits = sum(pool.map(_worker, jobs))
        elapsed = time.perf_counter() - t0
        best = elapsed if best is None else min(best, elapsed)
    print(json.dumps({"seconds": best, "queries": len(queries), "hits": hits}))


def main():
    ap = argparse.ArgumentParser(description="SQLite FTS5 side of the newsdex benchmark")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("index")
    p.add_argument("--db", required=True)
    p.add_argument("--corpus", required=True)
    for name in ("latency", "batch"):
        p = sub.add_parser(name)
        p.add_argument("--db", required=True)
        p.add_argument("--queries", required=True)
        p.add_argument("--passes", type=int, default=1)
        if name == "batch":
            p.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    {"index": cmd_index, "latency": cmd_latency, "batch": cmd_batch}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
