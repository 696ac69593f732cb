#!/usr/bin/env python3
"""Reference means for `newsdex eval` (src/eval/metrics.rs), computed and averaged by
ir_measures, with trec_eval itself (pytrec_eval) for nDCG@10, R@100, AP and P@10.

Usage: reference_eval.py QRELS RUN

QRELS: TREC (`qid iter docid rel`) or BEIR TSV (`query-id corpus-id score`, optional
header), detected per line; a line with a tab is split at tabs. RUN: TREC run
(`qid Q0 docid rank score tag`); a repeated doc id keeps its first occurrence. Prints the
JSON means that ir_measures' own aggregation gives (`calc_aggregate`): over every query of
the qrels, as `trec_eval -c` averages. Ids are compared as newsdex writes them in a run:
whitespace and control characters as %XX.

Needs `pip install ir-measures pytrec-eval-terrier`.
"""
import json
import sys

import ir_measures
import numpy
from ir_measures import AP, P, R, RR, nDCG


def trec_id(text):
    """newsdex's `output::trec_id`: whitespace and control characters as %XX per UTF-8 byte."""
    out = []
    for c in text:
        if c.isspace() or ord(c) < 32 or 127 <= ord(c) < 160:
            out.extend(f"%{b:02X}" for b in c.encode("utf-8"))
        else:
            out.append(c)
    return "".join(out)


def read_qrels(path):
    qrels = {}
    with open(path, encoding="utf-8", newline="") as lines:
        for number, line in enumerate(lines, 1):
            line = line.rstrip("\r\n")
            if "\t" in line:
                fields = [trec_id(f.strip()) for f in line.split("\t") if f.strip()]
            else:
                fields = line.split()
            if len(fields) == 3:
                query, doc, rel = fields
                if number == 1 and not rel.lstrip("-").isdigit():
                    continue  # BEIR header
            elif len(fields) == 4:
                query, _, doc, rel = fields
            elif fields:
                sys.exit(f"{path}:{number}: expected 3 or 4 fields")
            else:
                continue
            qrels.setdefault(query, {})[doc] = int(rel)
    return qrels


def read_run(path):
    run = {}
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                query, _, doc, _, score, _ = line.split()
                run.setdefault(query, {}).setdefault(doc, float(score))
    return run


def trec_eval_ranks(run):
    """Rewrites scores as 1000000 - rank in trec_eval's order (score as C float descending,
    doc id descending). pytrec_eval has no RR cut at 10, so ir_measures computes RR@10 with
    its MS MARCO provider, which breaks score ties by ascending doc id on double scores; on
    tie-free scores it agrees with trec_eval's ordering."""
    ranked = {}
    for query, docs in run.items():
        order = sorted(docs, key=lambda doc: (numpy.float32(docs[doc]), doc), reverse=True)
        ranked[query] = {doc: float(1_000_000 - rank) for rank, doc in enumerate(order)}
    return ranked


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    qrels, run = read_qrels(sys.argv[1]), read_run(sys.argv[2])
    means = ir_measures.pytrec_eval.calc_aggregate([nDCG @ 10, R @ 100, AP, P @ 10], qrels, run)
    means.update(ir_measures.calc_aggregate([RR @ 10], qrels, trec_eval_ranks(run)))
    names = {nDCG @ 10: "ndcg_cut_10", R @ 100: "recall_100", AP: "map", RR @ 10: "recip_rank_10", P @ 10: "p_10"}
    print(json.dumps({name: means[measure] for measure, name in names.items()}))


if __name__ == "__main__":
    main()
