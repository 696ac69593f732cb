#!/usr/bin/env python3
"""A bm25s run of a BEIR collection, with the settings of the collections'
READMEs (title + " " + text as one field, bm25s's English stop words,
Snowball stemmer, Lucene BM25 k1 1.2 b 0.75, 1,000 deep), as a TREC run that
`newsdex eval RUN --qrels ...` scores (add `--format json` for per-query
figures, to set beside `newsdex eval --collection DIR --format json`).

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install bm25s==0.3.16 PyStemmer
    /tmp/venv/bin/python bench/ranking/bm25s_run.py ../shared/data/eval/lisa /tmp/bm25s-lisa.run
"""
import json
import sys

import bm25s
import Stemmer


def main(collection, out):
    docs = [json.loads(line) for line in open(f"{collection}/corpus.jsonl")]
    queries = [json.loads(line) for line in open(f"{collection}/queries.jsonl")]
    stemmer = Stemmer.Stemmer("english")
    corpus = [d.get("title", "") + " " + d.get("text", "") for d in docs]
    tokens = bm25s.tokenize(corpus, stopwords="en", stemmer=stemmer, show_progress=False)
    retriever = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
    retriever.index(tokens, show_progress=False)
    with open(out, "w") as f:
        for q in queries:
            qt = bm25s.tokenize([q["text"]], stopwords="en", stemmer=stemmer, show_progress=False)
            words = {i: w for w, i in qt.vocab.items()}
            # Repeated query words count once each time, as bm25s scores them.
            query = [words[i] for i in qt.ids[0] if words[i] in retriever.vocab_dict]
            if not query:
                continue
            found, scores = retriever.retrieve([query], k=min(1000, len(docs)), show_progress=False)
            for rank, (doc, score) in enumerate(zip(found[0], scores[0])):
                if score <= 0:
                    break
                f.write(f"{q['_id']} Q0 {docs[doc]['_id']} {rank + 1} {score:.6f} bm25s\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
