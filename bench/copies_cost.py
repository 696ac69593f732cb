#!/usr/bin/env python3
"""What finding copies of one story costs at index time, and `count` on the
index: issue 13, point 5.

    python3 bench/copies_cost.py CORPUS.jsonl [--newsdex target/release/newsdex] \\
        [--work /tmp/copies-cost] [--repeat 1] [--query WORD]

Builds the index of CORPUS twice, `--repeat` times each, alternating which
mode goes first: as newsdex does (copy signatures in the parallel document
stage, copy groups at the end of the run) and with `NEWSDEX_COPIES=off` (no
signatures, no groups; a switch for this measurement only). Prints, best of
the repeats, wall and CPU seconds (user + system) and peak RSS of each and
the share copy finding adds; with `--repeat` over 1, each repeat's pair of
runs and the median of what copies added in them (the figure to read on a
machine whose speed drifts); the time of the grouping step alone (from the
run's `NEWSDEX_COPIES_TIME` line); and then `newsdex count QUERY --by month`
in fresh processes (median of 9; the first run warms the page cache): an
upper bound on a warm process, as each run also starts the process and
reads the copy groups.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from run import LAST_CPU, timed  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus")
    ap.add_argument("--newsdex", default=os.path.join(HERE, "..", "target", "release", "newsdex"))
    ap.add_argument("--work", default="/tmp/copies-cost")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--query", default="said", help="query for the count rows")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    best = {}
    pairs = []
    for r in range(args.repeat):
        # Alternated, so that a machine speeding up or slowing down through
        # the runs favours neither mode.
        run = {}
        for mode in ("on", "off") if r % 2 == 0 else ("off", "on"):
            index = os.path.join(args.work, f"index-{mode}")
            shutil.rmtree(index, ignore_errors=True)
            env = dict(os.environ, NEWSDEX_COPIES=mode, NEWSDEX_COPIES_TIME="1")
            log = os.path.join(args.work, f"index-{mode}.log")
            with open(log, "w") as err:
                t0 = time.perf_counter()
                proc = subprocess.Popen([args.newsdex, "--index", index, "index", args.corpus],
                                        stdout=subprocess.DEVNULL, stderr=err, env=env)
                _, status, usage = os.wait4(proc.pid, 0)
                wall = time.perf_counter() - t0
            if os.waitstatus_to_exitcode(status) != 0:
                sys.exit(f"indexing failed, see {log}")
            cpu = usage.ru_utime + usage.ru_stime
            rss = usage.ru_maxrss / 1024
            grouping = None
            with open(log) as f:
                m = re.search(r"copy groups: ([\d.]+) s", f.read())
                grouping = float(m.group(1)) if m else None
            run[mode] = {"wall": wall, "cpu": cpu, "rss": rss, "grouping": grouping}
            old = best.get(mode)
            if old is None or cpu < old["cpu"]:
                best[mode] = run[mode]
        pairs.append(run)
    on, off = best["on"], best["off"]
    print(f"corpus: {args.corpus}")
    print("| measure | with copies | without | added |")
    print("|---|--:|--:|--:|")
    print(f"| indexing wall, s | {on['wall']:.1f} | {off['wall']:.1f} | {100 * (on['wall'] / off['wall'] - 1):+.1f} % |")
    print(f"| indexing CPU (user + sys), s | {on['cpu']:.1f} | {off['cpu']:.1f} | {100 * (on['cpu'] / off['cpu'] - 1):+.1f} % |")
    print(f"| peak RSS while indexing, MB | {on['rss']:.0f} | {off['rss']:.0f} | |")
    print(f"| grouping step (wall, in the run), s | {on['grouping']:.2f} | — | |")
    if args.repeat > 1:
        print()
        print("| repeat | CPU with / without, s | CPU added | wall with / without, s | wall added |")
        print("|--:|--:|--:|--:|--:|")
        added = {"cpu": [], "wall": []}
        for r, run in enumerate(pairs, 1):
            for k in added:
                added[k].append(100 * (run["on"][k] / run["off"][k] - 1))
            print(f"| {r} | {run['on']['cpu']:.1f} / {run['off']['cpu']:.1f} | {added['cpu'][-1]:+.1f} % "
                  f"| {run['on']['wall']:.1f} / {run['off']['wall']:.1f} | {added['wall'][-1]:+.1f} % |")
        print(f"| median | | {statistics.median(added['cpu']):+.1f} % | | {statistics.median(added['wall']):+.1f} % |")
        print()
    index = os.path.join(args.work, "index-on")
    groups = subprocess.run([args.newsdex, "--index", index, "copies", "--format", "jsonl"],
                            capture_output=True, text=True).stdout.splitlines()
    sizes = sorted((line.count('"id"') for line in groups), reverse=True)
    print(f"| copy groups (articles in them; largest) | {len(groups)} ({sum(sizes)}; {sizes[:5]}) | | |")
    cmd = [args.newsdex, "--index", index, "count", args.query, "--by", "month", "--format", "json"]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    m = re.search(r'"articles":\s*(\d+)', out)
    times = []
    for _ in range(10):
        wall, _, _ = timed(cmd)
        times.append(wall)
    print(f"| `count {args.query} --by month` ({m.group(1) if m else '?'} articles), fresh process, median ms | "
          f"{1000 * statistics.median(times[1:]):.0f} | | |")


if __name__ == "__main__":
    main()
