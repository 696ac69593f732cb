#!/usr/bin/env python3
"""A labelled check of `newsdex trace`, built from Reuters-21578.

    python3 bench/trace_check.py [--seed 7] [--quotes 100] NEWSDEX SOURCE.jsonl.gz WORK_DIR

Picks sentences (12-35 words) from Reuters articles as quotes, and plants
new articles (other outlets, later dates, other Reuters text around them):

- copies that must be found: the quote in curly quotes with "he said";
  with a few words cut and marked by an ellipsis (…); with one word
  changed; with two words changed (quotes of 15+ words);
- near-misses that must not be: a figure of the quote changed; the
  quote's words shuffled into another order; the quote's first half only;
  a third of its words changed.

Indexes Reuters with the planted articles into WORK_DIR/index, runs
`newsdex trace --format json` for every quote, and scores the (quote,
article) pairs it reports. Positives: the source article, the planted
copies, and every Reuters article whose folded text holds the folded quote
(Reuters' own re-filings). Any other article reported counts as a false
positive, and is printed for inspection. Prints precision, recall, the
counts, and the trace times (`took_ms`).
"""

import argparse
import gzip
import json
import random
import re
import statistics
import subprocess
import sys
from pathlib import Path

OUTLETS = ["Valley Courier", "Harbor Times", "Coastal Daily", "Prairie Post",
           "Metro Wire", "Northern Star", "Lakeside Gazette", "Bay Chronicle"]
SWAPS = ["notable", "sizeable", "modest", "broad", "recent", "overall",
         "current", "further", "general", "formal"]


def fold(text):
    text = text.lower()
    return " ".join(re.findall(r"[a-z0-9]+", text))


def words(text):
    return text.split()


def sentences(text):
    for para in text.split("\n\n"):
        for s in re.split(r"(?<=[a-z0-9\)][.!?])\s+(?=[A-Z\"])", para.replace("\n", " ")):
            s = s.strip()
            n = len(words(s))
            if 12 <= n <= 35 and s.endswith(".") and not re.search(r"[<>]", s):
                yield s


def change(ws, rng, k):
    """ws with k words (of 4+ letters, no figures) replaced."""
    ws = list(ws)
    spots = [i for i, w in enumerate(ws) if len(w) >= 4 and w.isalpha()]
    if len(spots) < k:
        return None
    for i in rng.sample(spots, k):
        choices = [s for s in SWAPS if s != ws[i].lower()]
        ws[i] = rng.choice(choices)
    return ws


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--quotes", type=int, default=100)
    ap.add_argument("--skip-index", action="store_true")
    ap.add_argument("newsdex")
    ap.add_argument("source")
    ap.add_argument("work")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    work = Path(a.work)
    work.mkdir(parents=True, exist_ok=True)

    records = [json.loads(l) for l in gzip.open(a.source, "rt", encoding="utf-8")]
    folded = {r["id"]: " " + fold(r.get("text") or "") + " " for r in records}
    pool = [r for r in records if r.get("date") and len((r.get("text") or "").split("\n\n")) >= 3]
    rng.shuffle(pool)

    planted, quotes = [], []
    fillers = [r for r in records if r.get("text")]
    for r in pool:
        if len(quotes) >= a.quotes:
            break
        cands = list(sentences(r["text"]))
        if not cands:
            continue
        q = rng.choice(cands)
        fq = " " + fold(q) + " "
        if len(words(fold(q))) < 12:
            continue
        holders = [i for i, t in folded.items() if fq in t]
        if len(holders) > 6:  # boilerplate sentences: not a quote
            continue
        qid = f"q{len(quotes)}"
        ws = words(q.rstrip("."))
        pos, neg = [], []

        def plant(kind, sentence, label):
            filler = rng.choice(fillers)["text"].split("\n\n")
            before, after = filler[0], filler[-1]
            aid = f"trace-{qid}-{kind}"
            text = f"{before}\n\n{sentence}\n\n{after}"
            day = 1 + len(planted) % 27
            planted.append({"id": aid, "outlet": rng.choice(OUTLETS),
                            "date": f"1987-11-{day:02d}T12:00:00Z",
                            "title": f"{kind} {qid}", "text": text})
            (pos if label else neg).append(aid)

        body = " ".join(ws)
        plant("curly", f"“{body},” he said on Tuesday.", True)
        cut_at = rng.randrange(3, len(ws) - 5)
        plant("cut", " ".join(ws[:cut_at]) + " … " + " ".join(ws[cut_at + 2:]) + ".", True)
        one = change(ws, rng, 1)
        if one:
            plant("one-word", " ".join(one) + ".", True)
        if len(ws) >= 15:
            two = change(ws, rng, 2)
            if two:
                plant("two-words", "Officials said: " + " ".join(two) + ".", True)
        figures = [i for i, w in enumerate(ws) if re.search(r"\d", w)]
        if figures:
            f = list(ws)
            i = rng.choice(figures)
            f[i] = re.sub(r"\d", lambda m: str((int(m.group()) + 3) % 10), f[i], count=1)
            plant("figure", " ".join(f) + ".", False)
        shuffled = list(ws)
        while shuffled == ws:
            rng.shuffle(shuffled)
        plant("shuffled", " ".join(shuffled) + ".", False)
        plant("half", " ".join(ws[: len(ws) // 2]) + " and the rest of the day passed quietly.", False)
        third = change(ws, rng, max(4, len(ws) // 3))
        if third:
            plant("third", " ".join(third) + ".", False)
        quotes.append({"id": qid, "quote": q, "positives": sorted(set(holders) | set(pos)),
                       "negatives": neg})

    with open(work / "planted.jsonl", "w", encoding="utf-8") as out:
        for p in planted:
            out.write(json.dumps(p) + "\n")
    with open(work / "quotes.jsonl", "w", encoding="utf-8") as out:
        for q in quotes:
            out.write(json.dumps(q) + "\n")
    index = work / "index"
    if not a.skip_index:
        subprocess.run([a.newsdex, "index", "--rebuild", "--index", str(index), a.source,
                        str(work / "planted.jsonl")], check=True, stdout=subprocess.DEVNULL)

    tp = fp = fn = neg_hits = 0
    by_kind = {}
    times, extras = [], []
    for q in quotes:
        res = subprocess.run([a.newsdex, "--index", str(index), "trace", "--format", "json", q["quote"]],
                             capture_output=True, text=True)
        if res.returncode not in (0, 1):
            sys.exit(f"trace failed for {q['id']}: {res.stderr}")
        t = json.loads(res.stdout)
        times.append(t["took_ms"])
        found = {ap["article"]["id"]: ap for ap in t["appearances"]}
        for p in q["positives"]:
            kind = p.rsplit("-", 1)[-1] if p.startswith("trace-") else "reuters"
            hit = p in found
            by_kind.setdefault(kind, [0, 0])[0 if hit else 1] += 1
            tp += hit
            fn += not hit
        for n in q["negatives"]:
            kind = n.rsplit("-", 1)[-1]
            bad = n in found
            by_kind.setdefault("NOT " + kind, [0, 0])[1 if bad else 0] += 1
            fp += bad
            neg_hits += bad
        for aid, ap in found.items():
            if aid not in q["positives"] and aid not in q["negatives"]:
                fp += 1
                extras.append((q["id"], aid, ap["match"], round(ap["similarity"], 3),
                               q["quote"][:70], ap["passage"]["text"][:160]))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    print(json.dumps({
        "quotes": len(quotes), "planted": len(planted), "true_positives": tp,
        "false_positives": fp, "false_negatives": fn, "planted_near_misses_matched": neg_hits,
        "unlabelled_extras": len(extras), "precision": round(precision, 4), "recall": round(recall, 4),
        "by_kind [found, missed] / NOT kind [rejected, matched]": by_kind,
        "trace_took_ms_p50": round(statistics.median(times), 1),
        "trace_took_ms_max": round(max(times), 1),
    }, indent=1))
    for e in extras[:20]:
        print("extra:", e)


if __name__ == "__main__":
    main()
