#!/usr/bin/env python3
"""Reference means for `newsdex eval` (src/eval/metrics.rs), computed with ir_measures.

Usage: reference_eval.py QRELS RUN

QRELS: TREC (`qid iter docid rel`) or BEIR TSV (`query-id corpus-id score`, optional
header), detected per line. RUN: TREC run (`qid Q0 docid rank score tag`); a repeated doc id
keeps its first occurrence. Prints JSON means of nDCG@10, R@100, AP, RR@10 and P@10 over the
qrels queries with at least one relevant (>= 1) doc; a query missing from the run scores 0.

Needs `pip install ir-measures pytrec-eval-terrier`.
"""
import json
import sys

import ir_measures
import numpy
from ir_measures import AP, P, R, RR, nDCG


def read_qrels(path):
    qrels = {}
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
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
    doc id descending). ir_measures computes RR@10 with its MS MARCO provider, which breaks
    score ties by ascending doc id on double scores; on tie-free scores it agrees with
    trec_eval's ordering."""
    ranked = {}
    for query, docs in run.items():
        order = sorted(docs, key=lambda doc: (numpy.float32(docs[doc]), doc), reverse=True)
        ranked[query] = {doc: float(1_000_000 - rank) for rank, doc in enumerate(order)}
    return ranked


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    qrels, run = read_qrels(sys.argv[1]), read_run(sys.argv[2])
    queries = [q for q, judged in qrels.items() if any(rel >= 1 for rel in judged.values())]
    names = {nDCG @ 10: "ndcg_cut_10", R @ 100: "recall_100", AP: "map", RR @ 10: "recip_rank_10", P @ 10: "p_10"}
    values = {name: dict.fromkeys(queries, 0.0) for name in names.values()}
    # nDCG@10, R@100, AP and P@10 go through trec_eval itself (pytrec_eval), ties and all.
    metrics = list(ir_measures.pytrec_eval.iter_calc([nDCG @ 10, R @ 100, AP, P @ 10], qrels, run))
    metrics += ir_measures.iter_calc([RR @ 10], qrels, trec_eval_ranks(run))
    for metric in metrics:
        if metric.query_id in values[names[metric.measure]]:
            values[names[metric.measure]][metric.query_id] = metric.value
    means = {name: sum(per_query.values()) / max(len(queries), 1) for name, per_query in values.items()}
    print(json.dumps({name: means[name] for name in names.values()}))


if __name__ == "__main__":
    main()
