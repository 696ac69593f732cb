#!/usr/bin/env python3
"""Pairwise precision and recall of `newsdex copies` on labelled sets made by
bench/make_copies_set.py, for several seeds.

    python3 bench/copies_eval.py [--newsdex target/release/newsdex] \\
        [--seeds 1,2,3] [--stories 300] [--work /tmp/copies-eval] SOURCE.jsonl.gz

Prints one row per seed (copy pairs, found pairs, precision, recall) and,
with --misses, the pairs missed and found wrongly.
"""
import argparse
import itertools
import json
import os
import subprocess
import sys
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))


def pairs(groups):
    out = set()
    for ids in groups:
        out.update(itertools.combinations(sorted(ids), 2))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("source")
    ap.add_argument("--newsdex", default=os.path.join(HERE, "..", "target", "release", "newsdex"))
    ap.add_argument("--seeds", default="13,1,2,3,4,5,6,7")
    ap.add_argument("--stories", type=int, default=300)
    ap.add_argument("--work", default="/tmp/copies-eval")
    ap.add_argument("--misses", action="store_true")
    args = ap.parse_args()
    print("| seed | stories | copy pairs | found pairs | precision | recall |")
    print("|---|---|---|---|---|---|")
    for seed in [int(s) for s in args.seeds.split(",")]:
        stories = 150 if seed == 13 else args.stories
        work = os.path.join(args.work, f"seed-{seed}")
        subprocess.run([sys.executable, os.path.join(HERE, "make_copies_set.py"), "--seed", str(seed),
                        "--stories", str(stories), args.source, work], check=True,
                       stdout=subprocess.DEVNULL)
        index = os.path.join(work, "index")
        subprocess.run([args.newsdex, "--index", index, "index", "--rebuild",
                        os.path.join(work, "copies.jsonl")], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out = subprocess.run([args.newsdex, "--index", index, "copies", "--format", "jsonl"],
                             capture_output=True, text=True)
        found = pairs([a["id"] for a in json.loads(l)["articles"]] for l in out.stdout.splitlines())
        stories_of = defaultdict(list)
        with open(os.path.join(work, "labels.jsonl")) as f:
            for line in f:
                label = json.loads(line)
                stories_of[label["story"]].append(label["id"])
        truth = pairs(stories_of.values())
        right = len(found & truth)
        print(f"| {seed} | {stories} | {len(truth)} | {len(found)} | "
              f"{right / max(1, len(found)):.4f} | {right / max(1, len(truth)):.4f} |")
        if args.misses:
            for p in sorted(truth - found)[:20]:
                print("  missed", *p)
            for p in sorted(found - truth)[:20]:
                print("  wrong ", *p)


if __name__ == "__main__":
    main()
