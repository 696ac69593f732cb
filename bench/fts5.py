#!/usr/bin/env python3
"""The SQLite FTS5 side of the benchmark (Python's sqlite3), run by
bench/run.py as separate processes (see common.py for the commands and the
two shapes of an answer).

The table has one row per article, `porter unicode61 remove_diacritics 2`
tokenizer, title and body indexed, id/outlet/date stored unindexed. It is
given its best chance: one transaction, no journal, no fsync, a 256 MB page
cache (newsdex's writer budget).

Indexing times only SQLite's work: the JSON Lines are parsed in chunks of
2,000 articles with the timer stopped, and each chunk goes to one
`executemany` with it running. FTS5 merges its b-trees as it loads
(automerge, its default), as Tantivy merges segments; the final `optimize`
(one b-tree) is not part of the indexing time: `--optimize` runs it after,
timed on its own, and the query rows use the optimized database.

Queries: `ids` is `SELECT rowid ... ORDER BY rank LIMIT 10` (rowid is the
article's number; bm25 is FTS5's default rank); `text` is the ten best with
id, outlet, date, `highlight()` of the title and a 64-token `snippet()` of
the body, plus `count(*)` of the matches.
"""

import os
import sqlite3
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

TOKENIZE = "porter unicode61 remove_diacritics 2"
SQL_IDS = "SELECT rowid FROM articles WHERE articles MATCH ? ORDER BY rank LIMIT 10"
SQL_TEXT = (
    "SELECT article_id, outlet, date, highlight(articles, 0, '[', ']'), "
    "snippet(articles, 1, '[', ']', '…', 64), bm25(articles) FROM articles "
    "WHERE articles MATCH ? ORDER BY rank LIMIT 10"
)
SQL_COUNT = "SELECT count(*) FROM articles WHERE articles MATCH ?"


def connect(db):
    conn = sqlite3.connect(db, check_same_thread=False)
    conn.execute("PRAGMA cache_size=-262144")
    return conn


def query(conn, shape, q):
    """One query's answer in `shape`; returns the number of rows."""
    if shape == "ids":
        return len(conn.execute(SQL_IDS, (q,)).fetchall())
    rows = conn.execute(SQL_TEXT, (q,)).fetchall()
    conn.execute(SQL_COUNT, (q,)).fetchone()
    return len(rows)


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
    load = common.Stopwatch()
    conn.execute("BEGIN")
    for rows in common.chunks(args.corpus):
        with load:
            conn.executemany("INSERT INTO articles(title, body, article_id, outlet, date) VALUES (?,?,?,?,?)", rows)
    with load:
        conn.commit()
    report = {"wall_s": load.wall, "cpu_s": load.cpu}
    if args.optimize:
        merge = common.Stopwatch()
        with merge:
            conn.execute("INSERT INTO articles(articles) VALUES('optimize')")
            conn.commit()
        report.update(optimize_wall_s=merge.wall, optimize_cpu_s=merge.cpu)
    conn.close()
    return report


def cmd_latency(args):
    conn = connect(args.db)
    return common.latency(lambda q: query(conn, args.shape, q["fts5"]), common.load_queries(args.queries), args.passes)


def _worker(job):
    db, shape, queries = job
    cpu = time.process_time()
    conn = connect(db)
    hits = sum(query(conn, shape, q["fts5"]) for q in queries)
    conn.close()
    return hits, time.process_time() - cpu


def cmd_batch(args):
    return common.batch(_worker, args.db, args.shape, common.load_queries(args.queries), args.workers, args.passes)


if __name__ == "__main__":
    common.cli("SQLite FTS5 side of the newsdex benchmark", {"index": cmd_index, "latency": cmd_latency, "batch": cmd_batch})
