#!/usr/bin/env python3
"""Time per query by kind of query (terms, phrases, names), newsdex and FTS5.

    python3 bench/classes.py WORK [--newsdex BIN] [-n 7]

WORK is a `bench/run.py` work folder (its queries, newsdex index and FTS5
database). For each kind, newsdex runs the kind's queries, repeated
`--repeat` times, in one `batch --format trec --threads 1` process; the CPU
time of a process given no query (start and index opening) is subtracted,
and the rest divided by the number of queries. FTS5 runs the same queries on
one connection, after a warm-up pass. Both take the best of `-n` rounds,
interleaved. It also times the whole 1,000-query `trec` batch on one and on
all cores, to show how the batch scales on this machine. Nothing fails on
a number.
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402
import fts5  # noqa: E402

KINDS = ("term", "phrase", "name")


def run_newsdex(binary, index, queries, threads):
    """Wall and CPU (user + system) ms of one batch process, output discarded."""
    argv = [binary, "--index", index, "batch", queries, "--format", "trec", "--threads", str(threads)]
    wall, cpu, code = compare.run(argv)
    if code not in (0, 1):  # 1: nothing matched
        sys.exit(f"{' '.join(argv)} failed (exit code {code})")
    return wall, cpu


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("work")
    ap.add_argument("--newsdex", default=os.path.join(os.path.dirname(__file__), "..", "target", "release", "newsdex"))
    ap.add_argument("-n", type=int, default=7, help="rounds; the best is kept (default 7)")
    ap.add_argument("--repeat", type=int, default=4, help="copies of each kind's queries in its batch (default 4)")
    args = ap.parse_args()
    index = os.path.join(args.work, "newsdex-index")
    with open(os.path.join(args.work, "queries.json"), encoding="utf-8") as f:
        queries = json.load(f)
    files = {"none": os.path.join(args.work, "class-none.tsv"), "all": os.path.join(args.work, "queries.tsv")}
    open(files["none"], "w").close()
    for kind in KINDS:
        files[kind] = os.path.join(args.work, f"class-{kind}.tsv")
        with open(files[kind], "w", encoding="utf-8") as f:
            for _ in range(args.repeat):
                for q in queries:
                    if q["kind"] == kind:
                        f.write(f"{q['id']}\t{q['newsdex']}\n")
    conn = fts5.connect(os.path.join(args.work, "fts5.db"))
    for q in queries:
        conn.execute(fts5.SQL, (q["fts5"],)).fetchall()

    cpu = {name: [] for name in ("none",) + KINDS}
    fts = {kind: [] for kind in KINDS}
    batch = {1: [], os.cpu_count(): []}
    for _ in range(args.n):
        for name in cpu:
            cpu[name].append(run_newsdex(args.newsdex, index, files[name], 1)[1])
        for kind in KINDS:
            started = time.perf_counter()
            for q in queries:
                if q["kind"] == kind:
                    conn.execute(fts5.SQL, (q["fts5"],)).fetchall()
            fts[kind].append((time.perf_counter() - started) * 1000)
        for threads in batch:
            batch[threads].append(run_newsdex(args.newsdex, index, files["all"], threads)[0])

    start = min(cpu["none"])
    print("| kind | queries | newsdex, µs per query (CPU, one thread) | FTS5, µs per query | FTS5 ÷ newsdex |")
    print("|---|--:|--:|--:|--:|")
    total_nd = total_fts = 0.0
    for kind in KINDS:
        count = sum(q["kind"] == kind for q in queries)
        nd = (min(cpu[kind]) - start) * 1000 / (count * args.repeat)
        ft = min(fts[kind]) * 1000 / count
        total_nd += nd * count
        total_fts += ft * count
        print(f"| {kind} | {count} | {nd:.1f} | {ft:.1f} | {ft / nd:.1f}× |")
    n = len(queries)
    print(f"| all | {n} | {total_nd / n:.1f} | {total_fts / n:.1f} | {total_fts / total_nd:.1f}× |")
    print()
    print(f"- newsdex process with no query (start, open the index): CPU {start:.1f} ms")
    print(f"- newsdex `batch --format trec`, all {n} queries, wall: "
          f"{min(batch[1]):.1f} ms on 1 thread, {min(batch[os.cpu_count()]):.1f} ms on {os.cpu_count()} "
          f"({min(batch[1]) / min(batch[os.cpu_count()]):.2f}× faster)")


if __name__ == "__main__":
    main()
