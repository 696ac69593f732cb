#!/usr/bin/env python3
"""Scores extracted article texts against the extraction benchmark's ground truth.

The method is the benchmark's own (scrapinghub/article-extraction-benchmark, as
described in ../shared/data/extraction/README.md): texts are split into `\\w+`
tokens (case kept) and each becomes a multiset of 4-token shingles; per page,
tp/fp/fn are counted on those multisets and divided by tp+fp+fn. Precision is
the mean over pages with extracted text of tp/(tp+fp), recall the mean over all
pages of tp/(tp+fn) (a page with no text counts 0), F1 from the two means.

    python3 bench/extraction.py DIR [--truth ground-truth.json] [--worst N]

DIR holds one `ID.txt` per page (a missing or empty file is a page with no text).
Only pages present in the ground truth and in `--ids` (default: every page whose
HTML is in the benchmark folder) are scored.
"""

import argparse
import json
import os
import re
import sys
from collections import Counter

DEFAULT_DATA = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "extraction")


def shingles(text, n=4):
    tokens = re.findall(r"\w+", text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def page_counts(extracted, truth):
    """(tp, fp, fn) for one page, each divided by tp+fp+fn."""
    got, want = shingles(extracted), shingles(truth)
    tp = sum((got & want).values())
    fp = sum((got - want).values())
    fn = sum((want - got).values())
    total = tp + fp + fn
    if total == 0:
        return 0.0, 0.0, 0.0
    return tp / total, fp / total, fn / total


def score(extracted_by_id, truth_by_id):
    """Benchmark precision, recall, F1, and per-page figures."""
    precisions, recalls, pages = [], [], {}
    for page_id, truth in sorted(truth_by_id.items()):
        text = extracted_by_id.get(page_id) or ""
        tp, fp, fn = page_counts(text, truth)
        recall = tp / (tp + fn) if tp + fn else 0.0
        recalls.append(recall)
        precision = None
        if text.strip():
            precision = tp / (tp + fp) if tp + fp else 0.0
            precisions.append(precision)
        pages[page_id] = (precision, recall)
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    empty = sum(1 for pr, _ in pages.values() if pr is None)
    return {"f1": f1, "precision": p, "recall": r, "pages": len(recalls), "empty": empty}, pages


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir", help="folder of ID.txt extracted texts")
    parser.add_argument("--data", default=DEFAULT_DATA, help="benchmark folder (ground-truth.json, html/)")
    parser.add_argument("--worst", type=int, default=0, help="list the N pages with the lowest F1")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    with open(os.path.join(args.data, "ground-truth.json"), encoding="utf-8") as f:
        truth = {k: v["articleBody"] for k, v in json.load(f).items()}
    html_dir = os.path.join(args.data, "html")
    present = {name.split(".")[0] for name in os.listdir(html_dir)} if os.path.isdir(html_dir) else set(truth)
    truth = {k: v for k, v in truth.items() if k in present}

    extracted = {}
    for page_id in truth:
        path = os.path.join(args.dir, page_id + ".txt")
        if os.path.exists(path):
            with open(path, encoding="utf-8", errors="replace") as f:
                extracted[page_id] = f.read()

    figures, pages = score(extracted, truth)
    if args.json:
        print(json.dumps(figures))
    else:
        print(
            f"F1 {figures['f1']:.3f}  precision {figures['precision']:.3f}  recall {figures['recall']:.3f}"
            f"  pages {figures['pages']}  no text {figures['empty']}"
        )
    if args.worst:
        def f1(pr):
            p, r = pr
            return 0.0 if p is None or p + r == 0 else 2 * p * r / (p + r)
        for page_id, pr in sorted(pages.items(), key=lambda kv: f1(kv[1]))[: args.worst]:
            p, r = pr
            p = "  -  " if p is None else f"{p:.3f}"
            print(f"  {page_id}  F1 {f1(pr):.3f}  P {p}  R {r:.3f}", file=sys.stderr)


if __name__ == "__main__":
    main()
