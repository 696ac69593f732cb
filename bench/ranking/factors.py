#!/usr/bin/env python3
"""Which choices of plain BM25 matter on a collection: a small BM25 with
bm25s's tokens (words of 2+ letters, its English stop words, Snowball),
Lucene's idf, k1 1.2, b 0.75, nDCG@10 (linear gains) / MAP per variant. With the
defaults it gives bm25s's own figures (0.3695 / 0.4707 / 0.4832 on
Cranfield / LISA / ADI), so each switch measures one difference between
bm25s and newsdex's evidence, in isolation. Not newsdex: a diagnostic.

    /tmp/venv/bin/python bench/ranking/factors.py ../shared/data/eval/lisa \
        fields=sum dup=1 stop_in_length=1

Switches (default first):
  fields=merged|sum|bm25f  title and text as one field; two fields whose
                           BM25s add up (newsdex); BM25F (per-field length
                           normalisation, one saturation, one idf)
  dup=0|1                  a record without text uses its title as its text
                           too (newsdex's reader: the title is both)
  stop_in_length=0|1       document length counts stop words (newsdex: all
                           words are indexed) or not (bm25s removes them)
  min_len=2|1              shortest token (bm25s drops one-letter words)
  dedup=0|1                a repeated query word counts once
  title_weight=1.0         weight of the title field (sum, bm25f)
  tfnorm=bm25|plus|l       the saturated tf of a matching word: BM25's
                           (k1+1) c / (k1 + c), c = tf / (1 - b + b dl/avgdl);
                           BM25+ adds delta to it; BM25L saturates c + delta
                           instead of c (Lv & Zhai 2011: a lower bound for
                           long documents). Per field (sum), or on BM25F's
                           combined c (bm25f)
  delta=0.5                BM25+'s and BM25L's delta (Lv & Zhai: 1 and 0.5)
  idf=lucene|plus          Lucene's idf, ln(1 + (N - df + 0.5) / (df + 0.5)),
                           or ln((N + 1) / df), BM25+'s (and bm25s's
                           method="bm25+", which gives delta to every
                           document, matching or not: so BM25 with this idf)
"""
import collections
import json
import math
import re
import sys

import bm25s.stopwords
import Stemmer

K1, B = 1.2, 0.75
STEMMER = Stemmer.Stemmer("english")
STOP = set(bm25s.stopwords.STOPWORDS_EN)
WORD = re.compile(r"(?u)\b\w+\b")


def tokens(text, opt):
    words = [w for w in WORD.findall(text.lower()) if len(w) >= opt["min_len"]]
    content = [STEMMER.stemWord(w) for w in words if w not in STOP]
    return (len(words) if opt["stop_in_length"] else len(content)), content


def field(texts, opt):
    tfs, lengths, df = [], [], collections.Counter()
    for text in texts:
        length, content = tokens(text, opt)
        tf = collections.Counter(content)
        tfs.append(tf)
        df.update(tf.keys())
        lengths.append(length)
    return tfs, lengths, sum(lengths) / max(1, len(lengths)), df


def ndcg10(ranked, rel):
    dcg = sum(rel.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:10]))
    ideal = sorted(rel.values(), reverse=True)[:10]
    return dcg / sum(g / math.log2(i + 2) for i, g in enumerate(ideal))


def average_precision(ranked, rel):
    """trec_eval's AP of the first 1,000: relevant means a grade of 1 or more."""
    found, total = 0, 0.0
    for i, d in enumerate(ranked[:1000]):
        if rel.get(d, 0) >= 1:
            found += 1
            total += found / (i + 1)
    return total / sum(1 for g in rel.values() if g >= 1)


def idf(n, total, opt):
    if opt["idf"] == "plus":
        return math.log((total + 1) / n)
    return math.log(1 + (total - n + 0.5) / (n + 0.5))


def saturate(c, opt):
    """A matching word's saturated tf, from its normalised tf `c`, times
    (k1 + 1) as in Tantivy (which leaves BM25's order as Lucene's)."""
    if opt["tfnorm"] == "plus":
        return (K1 + 1) * c / (K1 + c) + opt["delta"]
    if opt["tfnorm"] == "l":
        return (K1 + 1) * (c + opt["delta"]) / (K1 + c + opt["delta"])
    return (K1 + 1) * c / (K1 + c)


def run(collection, opt):
    docs = [json.loads(line) for line in open(f"{collection}/corpus.jsonl")]
    queries = [json.loads(line) for line in open(f"{collection}/queries.jsonl")]
    qrels = collections.defaultdict(dict)
    for i, line in enumerate(open(f"{collection}/qrels/test.tsv")):
        if i:
            q, d, s = line.rstrip("\n").split("\t")
            qrels[q][d] = int(s)
    titles = [d.get("title", "") for d in docs]
    texts = [d.get("text", "") for d in docs]
    if opt["dup"]:
        texts = [x if x.strip() else t for t, x in zip(titles, texts)]
    total = len(docs)
    merged = field([t + " " + x for t, x in zip(titles, texts)], opt)
    title, text = field(titles, opt), field(texts, opt)
    per_query = []
    for q in queries:
        if q["_id"] not in qrels:
            continue
        words = tokens(q["text"], opt)[1]
        if opt["dedup"]:
            words = list(dict.fromkeys(words))
        scores = collections.defaultdict(float)
        for word in words:
            if opt["fields"] == "merged":
                parts = [(merged, 1.0)]
            else:
                parts = [(title, opt["title_weight"]), (text, 1.0)]
            if opt["fields"] == "bm25f":
                n = merged[3].get(word, 0)
                if not n:
                    continue
                w_idf = idf(n, total, opt)
                for i in range(total):
                    x = 0.0
                    for (tfs, lengths, avg, _), weight in parts:
                        f = tfs[i].get(word)
                        if f:
                            x += weight * f / (1 - B + B * lengths[i] / avg)
                    if x:
                        scores[i] += w_idf * saturate(x, opt)
                continue
            for (tfs, lengths, avg, df), weight in parts:
                n = df.get(word, 0)
                if not n:
                    continue
                w_idf = idf(n, total, opt)
                for i in range(total):
                    f = tfs[i].get(word)
                    if f:
                        scores[i] += weight * w_idf * saturate(f / (1 - B + B * lengths[i] / avg), opt)
        ranked = [docs[i]["_id"] for i, _ in sorted(scores.items(), key=lambda s: -s[1])]
        per_query.append((ndcg10(ranked, qrels[q["_id"]]), average_precision(ranked, qrels[q["_id"]])))
    return [sum(x) / len(per_query) for x in zip(*per_query)]


def main(args):
    opt = {"fields": "merged", "dup": 0, "stop_in_length": 0, "min_len": 2, "dedup": 0,
           "title_weight": 1.0, "tfnorm": "bm25", "delta": 0.5,
           "idf": "lucene"}
    collection = args[0]
    for arg in args[1:]:
        key, value = arg.split("=", 1)
        if key not in opt:
            sys.exit(f"unknown switch {key}")
        opt[key] = type(opt[key])(value)
    if opt["tfnorm"] not in ("bm25", "plus", "l") or opt["idf"] not in ("lucene", "plus"):
        sys.exit(f"unknown tfnorm {opt['tfnorm']} or idf {opt['idf']}")
    ndcg, ap = run(collection, opt)
    print(f"{ndcg:.4f} / {ap:.4f}")


if __name__ == "__main__":
    main(sys.argv[1:])
