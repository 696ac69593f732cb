#!/usr/bin/python3
"""The Xapian side of the benchmark, run by bench/run.py as separate
processes (see common.py for the commands and the two shapes of an answer).

Needs Xapian's Python bindings: `apt-get install -y python3-xapian`, which
installs them for Debian's /usr/bin/python3 (not for a pyenv python3), so
run.py runs this script with `--xapian-python` (default /usr/bin/python3).

Xapian 1.4's glass backend, English stemmer with its default strategy
(`STEM_SOME`: positional unstemmed terms for phrases, stemmed terms for
bare words), title and body indexed in one text, as FTS5 does. Each
document's data holds id, outlet, date, title and body as JSON, so the
`text` shape can return them (Xapian's own `MSet.snippet`, 400 bytes). The
JSON Lines are parsed in chunks with the timer stopped; the timed part is
`add_document` and the final commit. Changes are flushed every 50,000
documents (`XAPIAN_FLUSH_THRESHOLD`; the default is 10,000); the database
is not compacted (`xapian-compact` is Xapian's optimize) unless
`--optimize`, which is timed on its own.

Queries go through Xapian's `QueryParser` with AND as the default operator:
`word`, `"a phrase"`, and names as bare words, as FTS5 and newsdex get
them. `ids` asks for the ten best document ids (`get_mset(0, 10)`, Xapian's
estimate of the count, not an exact one); `text` also reads each hit's data
and makes a snippet and highlighted title, and counts every match
(`checkatleast` = all documents).
"""

import json
import os
import shutil
import subprocess
import sys
import time

os.environ.setdefault("XAPIAN_FLUSH_THRESHOLD", "50000")
import xapian  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def cmd_index(args):
    shutil.rmtree(args.db, ignore_errors=True)
    load = common.Stopwatch()
    with load:
        db = xapian.WritableDatabase(args.db, xapian.DB_CREATE_OR_OVERWRITE | xapian.DB_NO_SYNC)
        indexer = xapian.TermGenerator()
        indexer.set_stemmer(xapian.Stem("english"))
    for rows in common.chunks(args.corpus):
        with load:
            for title, body, aid, outlet, date in rows:
                doc = xapian.Document()
                indexer.set_document(doc)
                indexer.index_text(title)
                indexer.increase_termpos()
                indexer.index_text(body)
                doc.set_data(json.dumps({"id": aid, "outlet": outlet, "date": date, "title": title, "text": body}))
                db.add_document(doc)
    with load:
        db.commit()
        db.close()
    report = {"wall_s": load.wall, "cpu_s": load.cpu}
    if args.optimize:
        compact = args.db + ".compact"
        t0 = time.perf_counter()
        subprocess.run(["xapian-compact", args.db, compact], check=True, stdout=subprocess.DEVNULL)
        report.update(optimize_wall_s=time.perf_counter() - t0)
        shutil.rmtree(args.db)
        os.replace(compact, args.db)
    return report


class Searcher:
    def __init__(self, path):
        self.db = xapian.Database(path)
        self.parser = xapian.QueryParser()
        self.parser.set_stemmer(xapian.Stem("english"))
        self.parser.set_stemming_strategy(xapian.QueryParser.STEM_SOME)
        self.parser.set_default_op(xapian.Query.OP_AND)
        self.parser.set_database(self.db)
        self.stem = xapian.Stem("english")
        self.all = self.db.get_doccount()

    def query(self, shape, text):
        """One query's answer in `shape`; returns the number of hits."""
        enquire = xapian.Enquire(self.db)
        enquire.set_query(self.parser.parse_query(text, xapian.QueryParser.FLAG_DEFAULT))
        if shape == "ids":
            return len([m.docid for m in enquire.get_mset(0, 10)])
        mset = enquire.get_mset(0, 10, self.all)
        mset.get_matches_estimated()
        hits = []
        for m in mset:
            data = json.loads(m.document.get_data())
            hits.append((
                data["id"], data["outlet"], data["date"], m.weight,
                mset.snippet(data["title"], len(data["title"]) or 1, self.stem, 0, "[", "]", "…"),
                mset.snippet(data["text"], 400, self.stem, xapian.MSet.SNIPPET_EXHAUSTIVE, "[", "]", "…"),
            ))
        return len(hits)


def cmd_latency(args):
    s = Searcher(args.db)
    return common.latency(lambda q: s.query(args.shape, q["xapian"]), common.load_queries(args.queries), args.passes)


def _worker(job):
    db, shape, queries = job
    cpu = time.process_time()
    s = Searcher(db)
    hits = sum(s.query(shape, q["xapian"]) for q in queries)
    return hits, time.process_time() - cpu


def cmd_batch(args):
    return common.batch(_worker, args.db, args.shape, common.load_queries(args.queries), args.workers, args.passes)


if __name__ == "__main__":
    common.cli("Xapian side of the newsdex benchmark", {"index": cmd_index, "latency": cmd_latency, "batch": cmd_batch})
