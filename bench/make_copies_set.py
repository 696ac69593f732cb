#!/usr/bin/env python3
"""A labelled set for copy detection, built from Reuters-21578.

    python3 bench/make_copies_set.py [--seed 13] [--stories 150] SOURCE.jsonl.gz OUT_DIR

writes OUT_DIR/copies.jsonl (articles, newsdex's JSON Lines input) and
OUT_DIR/labels.jsonl ({"id", "story"}: articles with one story label are
copies of each other; every other pair is not). Deterministic for a seed.

What it holds:
- wire stories: Reuters articles of 3+ paragraphs, each with 2-6 copies
  made with the edits real copies have: a new headline, the last paragraphs
  cut, a middle paragraph dropped, a local line added, house style
  (pct/percent, U.S./US, mln/million, dlrs/dollars), a few words changed,
  curly quotes, published minutes to days later, under other outlets;
- hard negatives: Reuters' templated reports (the same wording with other
  figures: a weekly money supply report, an earnings note), found as pairs
  whose text is alike once figures are masked but whose figures differ;
- Reuters' own exact re-filings (identical text under two ids), as copies.
"""

import argparse
import datetime as dt
import gzip
import hashlib
import json
import random
import re
from collections import defaultdict

OUTLETS = [
    "Valley Courier", "Harbor Times", "The Midland Ledger", "Coastal Daily",
    "Prairie Post", "Metro Wire", "Northern Star", "Lakeside Gazette",
    "The Capital Herald", "Summit Review", "River City News", "Bay Chronicle",
]
LOCAL_LINES = [
    "This story was provided by Reuters.",
    "Reporting by Reuters; additional reporting by our staff.",
    "Copyright Reuters. Distributed by {outlet}.",
    "{outlet} contributed to this report.",
]
SWAPS = {
    "said": "stated", "company": "firm", "expected": "anticipated",
    "increase": "rise", "rose": "climbed", "fell": "declined",
    "bought": "acquired", "agreed": "consented", "announced": "disclosed",
    "shares": "stock", "billion": "bln", "also": "additionally",
    "plans": "intends", "reported": "posted", "year": "twelve months",
}
WORD = re.compile(r"\w+|[^\w\s]", re.UNICODE)
NUMBER = re.compile(r"\d[\d,.]*")


def paragraphs(text):
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def shingles(text, mask):
    words = [w.lower() for w in re.findall(r"\w+", text)]
    if mask:
        words = ["#" if any(c.isdigit() for c in w) else w for w in words]
    return {" ".join(words[i:i + 3]) for i in range(max(1, len(words) - 2))}


def numbers(text):
    return {n.rstrip(".,").replace(",", "") for n in NUMBER.findall(text)}


def house_style(text, rng):
    edits = [
        (r"\bpct\b", "percent"), (r"\bU\.S\.", "US"), (r"\bmln\b", "million"),
        (r"\bdlrs\b", "dollars"), (r"\bbln\b", "billion"),
    ]
    for pattern, repl in edits:
        if rng.random() < 0.7:
            text = re.sub(pattern, repl, text)
    return text


def change_words(text, rng, n):
    words = text.split(" ")
    spots = [i for i, w in enumerate(words) if w.lower().strip(".,") in SWAPS]
    rng.shuffle(spots)
    for i in spots[:n]:
        core = words[i].strip(".,")
        words[i] = words[i].replace(core, SWAPS[core.lower()])
    return " ".join(words)


def curly(text):
    text = re.sub(r'"(\w)', "\u201c\\1", text)
    text = text.replace('"', "\u201d")
    return text.replace("'", "\u2019")


def make_copy(article, rng, k):
    paras = paragraphs(article["text"])
    # The last paragraphs cut (keeping at least half), or a middle one dropped.
    if rng.random() < 0.5 and len(paras) >= 4:
        keep = rng.randint((len(paras) + 1) // 2, len(paras) - 1)
        paras = paras[:keep]
    if rng.random() < 0.4 and len(paras) >= 4:
        del paras[rng.randrange(1, len(paras) - 1)]
    outlet = OUTLETS[(k + rng.randrange(len(OUTLETS))) % len(OUTLETS)]
    if rng.random() < 0.5:
        paras.append(rng.choice(LOCAL_LINES).format(outlet=outlet))
    text = "\n\n".join(paras)
    text = house_style(text, rng)
    text = change_words(text, rng, rng.randint(0, 3))
    if rng.random() < 0.5:
        text = curly(text)
    title = article.get("title") or ""
    if rng.random() < 0.7:
        title = rng.choice(["", "UPDATE: ", "Report: "]) + title.title()
    published = dt.datetime.fromisoformat(article["date"]) + dt.timedelta(
        minutes=rng.randint(3, 3 * 24 * 60))
    return {
        "id": f"{article['id']}-copy{k}",
        "outlet": outlet,
        "date": published.isoformat(timespec="seconds") + "Z",
        "title": title,
        "text": text,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("source")
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--stories", type=int, default=150)
    ap.add_argument("--negatives", type=int, default=150)
    args = ap.parse_args()
    rng = random.Random(args.seed)

    with gzip.open(args.source, "rt", encoding="utf-8") as f:
        reuters = [json.loads(line) for line in f]
    reuters = [a for a in reuters if a.get("text") and a.get("date")]

    # Reuters' exact re-filings: identical text under several ids.
    by_text = defaultdict(list)
    for a in reuters:
        by_text[a["text"].strip()].append(a)
    refilings = [g for g in by_text.values() if len(g) > 1 and len(g[0]["text"].split()) >= 20]
    rng.shuffle(refilings)
    refilings = refilings[:40]
    taken = {a["id"] for g in refilings for a in g}

    # Templated reports: alike once figures are masked, with other figures.
    by_title = defaultdict(list)
    for a in reuters:
        key = re.sub(r"[\d<>]+", "#", (a.get("title") or "").split(" <")[0])
        key = " ".join(key.split()[-3:])
        by_title[key].append(a)
    negatives = []
    keys = sorted(by_title)
    rng.shuffle(keys)
    for key in keys:
        group = [a for a in by_title[key] if a["id"] not in taken]
        if len(group) < 2 or len(negatives) >= args.negatives:
            continue
        a, b = rng.sample(group, 2)
        ma, mb = shingles(a["text"], True), shingles(b["text"], True)
        masked = len(ma & mb) / len(ma | mb)
        na, nb = numbers(a["text"]), numbers(b["text"])
        if not na or not nb:
            continue
        shared = len(na & nb) / min(len(na), len(nb))
        same_opening = paragraphs(a["text"])[0] == paragraphs(b["text"])[0]
        if masked >= 0.6 and shared <= 0.7 and not same_opening:
            negatives += [a, b]
            taken.update([a["id"], b["id"]])

    # Wire stories and their copies: articles Reuters did not file twice,
    # not even with edits (same opening paragraph).
    openings = defaultdict(int)
    titles = defaultdict(int)
    for a in reuters:
        openings[" ".join(paragraphs(a["text"])[0].lower().split())] += 1
        titles[" ".join((a.get("title") or "").lower().split())] += 1
    candidates = [
        a for a in reuters
        if a["id"] not in taken and len(paragraphs(a["text"])) >= 3
        and 80 <= len(a["text"].split()) <= 700
        and openings[" ".join(paragraphs(a["text"])[0].lower().split())] == 1
        and titles[" ".join((a.get("title") or "").lower().split())] == 1
    ]
    rng.shuffle(candidates)
    stories = candidates[:args.stories]

    articles, labels = [], []
    for a in stories:
        story = "s-" + a["id"]
        articles.append(a)
        labels.append({"id": a["id"], "story": story})
        for k in range(1, rng.randint(2, 6) + 1):
            copy = make_copy(a, rng, k)
            articles.append(copy)
            labels.append({"id": copy["id"], "story": story})
    for g in refilings:
        story = "r-" + hashlib.sha1(g[0]["text"].encode()).hexdigest()[:12]
        for a in g:
            articles.append(a)
            labels.append({"id": a["id"], "story": story})
    for a in negatives:
        articles.append(a)
        labels.append({"id": a["id"], "story": "n-" + a["id"]})

    order = list(range(len(articles)))
    rng.shuffle(order)
    import os
    os.makedirs(args.out, exist_ok=True)
    keep = ("id", "outlet", "date", "title", "text")
    with open(os.path.join(args.out, "copies.jsonl"), "w", encoding="utf-8") as f:
        for i in order:
            a = articles[i]
            f.write(json.dumps({k: a.get(k) for k in keep}, ensure_ascii=False) + "\n")
    with open(os.path.join(args.out, "labels.jsonl"), "w", encoding="utf-8") as f:
        for i in order:
            f.write(json.dumps(labels[i]) + "\n")
    groups = defaultdict(int)
    for l in labels:
        groups[l["story"]] += 1
    pairs = sum(n * (n - 1) // 2 for n in groups.values())
    print(f"{len(articles)} articles: {len(stories)} wire stories with copies, "
          f"{len(refilings)} re-filing groups, {len(negatives)} templated reports; "
          f"{pairs} copy pairs")


if __name__ == "__main__":
    main()
