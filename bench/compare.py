#!/usr/bin/env python3
"""Two or more newsdex binaries on the same batch, interleaved.

    python3 bench/compare.py INDEX QUERIES --format trec --threads 1 -n 9 OLD NEW

Runs `BINARY --index INDEX batch QUERIES --format F --threads T` for each
binary in turn, N rounds, output to /dev/null, and prints the minimum and
median wall and CPU (user + system) time of each, in ms. Interleaving puts
every binary through the same moments of a noisy machine; compare minimums.
"""

import argparse
import os
import statistics
import time


def run(argv):
    """Runs `argv` with output discarded: wall and CPU (user + system) ms,
    and the exit code."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.execv(argv[0], argv)
    _, status, usage = os.wait4(pid, 0)
    os.close(devnull)
    wall = (time.perf_counter() - started) * 1000
    return wall, (usage.ru_utime + usage.ru_stime) * 1000, os.waitstatus_to_exitcode(status)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("index")
    ap.add_argument("queries")
    ap.add_argument("binaries", nargs="+")
    ap.add_argument("--format", default="trec")
    ap.add_argument("--threads", default="1")
    ap.add_argument("-n", type=int, default=9, help="rounds (default 9)")
    args = ap.parse_args()
    times = {b: ([], []) for b in args.binaries}
    for _ in range(args.n):
        for binary in args.binaries:
            wall, cpu, _ = run([binary, "--index", args.index, "batch", args.queries,
                                "--format", args.format, "--threads", args.threads])
            times[binary][0].append(wall)
            times[binary][1].append(cpu)
    for binary, (wall, cpu) in times.items():
        print(f"{binary}: wall min {min(wall):.1f} median {statistics.median(wall):.1f} ms, "
              f"CPU min {min(cpu):.1f} median {statistics.median(cpu):.1f} ms")


if __name__ == "__main__":
    main()
