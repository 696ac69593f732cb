"""What the Python engine sides of the benchmark (fts5.py, xapian_side.py)
share: reading the corpus in parsed chunks outside the timed sections, the
two shapes of a query's answer, and timing a section in wall and CPU time.

An engine script is run as its own process by bench/run.py:

    ENGINE index   --db DB --corpus CORPUS.jsonl
    ENGINE latency --db DB --queries QUERIES.json --shape ids|text --passes N
    ENGINE batch   --db DB --queries QUERIES.json --shape ids|text --workers N --passes N

and prints one JSON object on stdout.

Shapes (the same work newsdex's batch formats do):
- ``ids``: the ten best article ids, no count, no other column
  (`newsdex batch --format trec`);
- ``text``: the ten best with id, outlet, date, title, a highlighted
  passage of text, and the exact number of matches
  (`newsdex batch --format json`).
"""

import argparse
import json
import multiprocessing as mp
import os
import time

SHAPES = ("ids", "text")
CHUNK = 2000  # articles parsed (untimed) before each timed insert


def chunks(corpus, size=CHUNK):
    """The corpus's records, parsed, in lists of `size`: (title, body, id,
    outlet, date). Parsing happens while the caller's timer is stopped."""
    out = []
    with open(corpus, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            try:
                r = json.loads(line)
            except ValueError:
                continue
            out.append((
                r.get("title") or "",
                r.get("text") or r.get("body") or "",
                str(r.get("id") or r.get("_id") or ""),
                r.get("outlet") or "",
                r.get("date") or "",
            ))
            if len(out) >= size:
                yield out
                out = []
    if out:
        yield out


class Stopwatch:
    """Accumulates wall and CPU (this process, user + system) seconds over
    the sections run inside `with watch:`."""

    def __init__(self):
        self.wall = 0.0
        self.cpu = 0.0

    def __enter__(self):
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall += time.perf_counter() - self._wall
        self.cpu += time.process_time() - self._cpu


def load_queries(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def latency(run_query, queries, passes):
    """Each query's ms per pass, one after another in this thread."""
    out = []
    for _ in range(passes):
        times = []
        for q in queries:
            t0 = time.perf_counter()
            run_query(q)
            times.append((time.perf_counter() - t0) * 1000.0)
        out.append(times)
    return {"passes_ms": out}


def batch(worker, db, shape, queries, workers, passes):
    """The queries split over `workers` processes (forked, each opens its own
    handle): best wall seconds from the pool's start to the last answer, and
    the CPU seconds the workers spent in that run."""
    n = max(1, workers)
    jobs = [(db, shape, queries[i::n]) for i in range(n)]
    best = None
    for _ in range(passes):
        t0 = time.perf_counter()
        with mp.get_context("fork").Pool(n) as pool:
            done = pool.map(worker, jobs)
        elapsed = time.perf_counter() - t0
        if best is None or elapsed < best[0]:
            best = (elapsed, sum(cpu for _, cpu in done), sum(hits for hits, _ in done))
    return {"seconds": best[0], "cpu_s": best[1], "queries": len(queries), "hits": best[2]}


def cli(description, commands):
    """The command line every engine script shares; `commands` maps
    index/latency/batch to functions taking the parsed arguments and
    returning the JSON object to print."""
    ap = argparse.ArgumentParser(description=description)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("index")
    p.add_argument("--db", required=True)
    p.add_argument("--corpus", required=True)
    p.add_argument("--optimize", action="store_true", help="merge the index after loading (timed on its own)")
    for name in ("latency", "batch"):
        p = sub.add_parser(name)
        p.add_argument("--db", required=True)
        p.add_argument("--queries", required=True)
        p.add_argument("--shape", choices=SHAPES, default="ids")
        p.add_argument("--passes", type=int, default=1)
        if name == "batch":
            p.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    print(json.dumps(commands[args.cmd](args)))
