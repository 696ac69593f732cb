#!/usr/bin/env python3
"""CPU time per query by kind of query (terms, phrases, names): newsdex
beside plain Tantivy, Xapian and SQLite FTS5, all on one thread, all
answering with the ten best ids and no count (the work of `newsdex batch
--format trec`).

    python3 bench/classes.py WORK [--newsdex BIN] [-n 7]

WORK is a `bench/run.py` work folder (its queries and indexes). CPU is
compared with CPU:
- newsdex and Tantivy (bench/tantivy-side) run each kind's queries,
  repeated `--repeat` times, in one process on one thread; the CPU time
  (user + system) of the same process given no query (start, index
  opening) is subtracted, and the rest divided by the number of queries;
- FTS5 and Xapian run the same queries in this process, after a warm-up
  pass, and their CPU time is this process's (`time.process_time`) over
  the kind's queries.
Each engine takes the best of `-n` rounds, interleaved. The script also
prints the whole 1,000-query `trec` batch's wall time on one and on every
core, to show how the batch scales on this machine. Xapian's column needs
its Python bindings: run the script with /usr/bin/python3 (python3-xapian)
to have it. Nothing fails on a number.
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402
import fts5  # noqa: E402

try:
    import xapian_side
except ImportError:  # no Xapian bindings for this Python
    xapian_side = None

HERE = os.path.dirname(os.path.abspath(__file__))
KINDS = ("term", "phrase", "name")


def cpu_of(argv):
    """CPU (user + system) ms of one process, output discarded."""
    wall, cpu, code = compare.run(argv)
    if code not in (0, 1):  # 1: nothing matched
        sys.exit(f"{' '.join(argv)} failed (exit code {code})")
    return wall, cpu


def in_process_cpu(run, queries):
    started = time.process_time()
    for q in queries:
        run(q)
    return (time.process_time() - started) * 1000


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("work")
    ap.add_argument("--newsdex", default=os.path.join(HERE, "..", "target", "release", "newsdex"))
    ap.add_argument("--tantivy-side", default=os.path.join(HERE, "tantivy-side", "target", "release", "tantivy-side"))
    ap.add_argument("-n", type=int, default=7, help="rounds; the best is kept (default 7)")
    ap.add_argument("--repeat", type=int, default=4, help="copies of each kind's queries in a process's batch (default 4)")
    args = ap.parse_args()
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

    # Engines run as a process per batch: argv for a query file on one thread.
    processes = {"newsdex": lambda path, threads=1: [args.newsdex, "--index", os.path.join(args.work, "newsdex-index"),
                                                     "batch", path, "--format", "trec", "--threads", str(threads)]}
    tantivy_index = os.path.join(args.work, "tantivy-index")
    if os.access(args.tantivy_side, os.X_OK) and os.path.isdir(tantivy_index):
        processes["Tantivy"] = lambda path, threads=1: [args.tantivy_side, "batch", tantivy_index, path, "ids", str(threads)]
    # Engines run in this process: a function answering one query.
    inline = {}
    if xapian_side and os.path.isdir(os.path.join(args.work, "xapian.db")):
        xs = xapian_side.Searcher(os.path.join(args.work, "xapian.db"))
        inline["Xapian"] = lambda q: xs.query("ids", q["xapian"])
    conn = fts5.connect(os.path.join(args.work, "fts5.db"))
    inline["FTS5"] = lambda q: fts5.query(conn, "ids", q["fts5"])
    for run in inline.values():
        for q in queries:
            run(q)

    cpu = {(e, name): [] for e in processes for name in ("none",) + KINDS}
    cpu.update({(e, kind): [] for e in inline for kind in KINDS})
    batch = {1: [], os.cpu_count(): []}
    for _ in range(args.n):
        for e, argv in processes.items():
            for name in ("none",) + KINDS:
                cpu[(e, name)].append(cpu_of(argv(files[name]))[1])
        for e, run in inline.items():
            for kind in KINDS:
                cpu[(e, kind)].append(in_process_cpu(run, [q for q in queries if q["kind"] == kind]))
        for threads in batch:
            batch[threads].append(cpu_of(processes["newsdex"](files["all"], threads))[0])

    engines = list(processes) + list(inline)
    per = {}
    for e in engines:
        for kind in KINDS:
            count = sum(q["kind"] == kind for q in queries)
            if e in processes:
                per[(e, kind)] = (min(cpu[(e, kind)]) - min(cpu[(e, "none")])) * 1000 / (count * args.repeat)
            else:
                per[(e, kind)] = min(cpu[(e, kind)]) * 1000 / count
    print("CPU µs per query, one thread, ten best ids, no count (in brackets: ÷ newsdex)")
    print()
    print("| kind | queries | " + " | ".join(engines) + " |")
    print("|---|--:|" + "--:|" * len(engines))
    counts = {kind: sum(q["kind"] == kind for q in queries) for kind in KINDS}
    rows = [(kind, counts[kind], {e: per[(e, kind)] for e in engines}) for kind in KINDS]
    n = len(queries)
    rows.append(("all", n, {e: sum(per[(e, k)] * counts[k] for k in KINDS) / n for e in engines}))
    for kind, count, v in rows:
        cells = [f"{v['newsdex']:.1f}"] + [f"{v[e]:.1f} ({v[e] / v['newsdex']:.1f}×)" for e in engines[1:]]
        print(f"| {kind} | {count} | " + " | ".join(cells) + " |")
    print()
    for e in processes:
        print(f"- {e} process with no query (start, open the index): CPU {min(cpu[(e, 'none')]):.1f} ms")
    print(f"- newsdex `batch --format trec`, all {n} queries, wall: "
          f"{min(batch[1]):.1f} ms on 1 thread, {min(batch[os.cpu_count()]):.1f} ms on {os.cpu_count()} "
          f"({min(batch[1]) / min(batch[os.cpu_count()]):.2f}× faster)")
    load = os.getloadavg()[0]
    print(f"- load average at the end: {load:.1f}")


if __name__ == "__main__":
    main()
