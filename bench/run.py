#!/usr/bin/env python3
"""newsdex side by side with SQLite FTS5 and ripgrep, in one run, on one
corpus and the same 1,000 queries; prints markdown tables with ratios.

    cargo build --release --bin newsdex --example query_latency
    python3 bench/run.py                                   # Reuters-21578
    python3 bench/run.py --corpus /work/scratch/bench-data/scale-1m.jsonl \\
        --work /work/scratch/bench-data/run-1m --repeat 1 --search-sample 100 --rg-sample 30

What is measured (see bench/README.md for the details and caveats):
- indexing: wall time of a fresh `newsdex index --rebuild` and of the FTS5
  loader, MB/s of the JSON Lines input, index size / corpus text (title +
  body bytes), peak RSS (`/usr/bin/time -v`);
- in-process latency p50/p99: `took_ms` of `newsdex batch --threads 1`
  against sqlite3 timing inside Python, one thread;
- whole-process latency p50/p99: a fresh `newsdex search` process per query,
  and a fresh `rg` per query;
- batch queries per second, all cores: `newsdex batch --format json` and
  `--format trec` (answers written to a file in the work folder) against FTS5
  with one process per core (rows fetched, nothing written), and `rg`.

Every step runs `--repeat` times and the best is kept (the machine is shared;
the best run is the least disturbed one). Latencies take, for each query,
its best time over the passes. Nothing here is a test: it never fails on a
number. A missing tool is reported and its columns left empty.
"""

import argparse
import collections
import concurrent.futures as cf
import datetime as dt
import gzip
import json
import os
import platform
import random
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
REUTERS = os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "news", "reuters21578.jsonl.gz"))
FTS5 = os.path.join(HERE, "fts5.py")
TIME = "/usr/bin/time"

N_TERMS, N_PHRASES, N_NAMES = 400, 350, 250
# Words that would read as operators, and function words a query of its own would not be.
SKIP_WORDS = {"and", "or", "not", "near"}
STOP = set(
    "a an and are as at be by for from in into is it its of on or that the this to was were will "
    "with he she they we you i his her their our has have had not but said says also than then "
    "which who would there been after before about over under up down out more most".split()
)
NAME_STARTS = set(
    "The A An In On At For But And Or If When While It He She They We This That These Those "
    "There Its His Her Their Our After Before Under Over With From By As To Of Mr Mrs Ms Dr "
    "Last Next First New".split()
)
WORD = re.compile(r"[A-Za-z]+")
CLAUSE = re.compile(r"[A-Za-z]+(?: [A-Za-z]+)+")
NAME = re.compile(r"\b[A-Z][a-z]+(?: [A-Z][a-z]+){1,2}\b")


def log(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- corpus


def prepare_corpus(path, work):
    """A plain JSON Lines copy of the corpus in `work` (ripgrep needs plain
    text, and every tool then reads the same bytes), with its counts."""
    if path.endswith(".gz"):
        plain = os.path.join(work, os.path.basename(path)[: -len(".gz")])
        if not os.path.exists(plain):
            log(f"decompressing {path}")
            with gzip.open(path, "rb") as src, open(plain + ".part", "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            os.replace(plain + ".part", plain)
    else:
        plain = path
    articles, text_bytes = 0, 0
    with open(plain, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            articles += 1
            text_bytes += len((r.get("title") or "").encode()) + len((r.get("text") or "").encode())
    return {
        "path": plain,
        "articles": articles,
        "bytes": os.path.getsize(plain),
        "text_bytes": text_bytes,
    }


def sample_records(path, limit):
    """The first `limit` records (queries come from these; a replicated corpus repeats them)."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                out.append(((r.get("title") or ""), (r.get("text") or "")))
                if len(out) >= limit:
                    break
    return out


# ---------------------------------------------------------------- queries


def make_queries(records, seed):
    """1,000 queries drawn deterministically from the corpus: single terms
    spread over the whole document-frequency range, 2-3 word phrases taken
    from the text, and names (runs of capitalised words)."""
    rng = random.Random(seed)
    df = collections.Counter()
    names = collections.Counter()
    for title, text in records:
        df.update({w.lower() for w in WORD.findall(text + " " + title)})
        names.update(set(NAME.findall(text)))
    vocab = sorted(
        (w for w in df if len(w) >= 3 and w not in STOP and w not in SKIP_WORDS),
        key=lambda w: (-df[w], w),
    )
    queries = []

    # Terms: 20 strata of equal size along the frequency ranking.
    strata = 20
    per = N_TERMS // strata
    for s in range(strata):
        lo, hi = len(vocab) * s // strata, len(vocab) * (s + 1) // strata
        for w in rng.sample(vocab[lo:hi], per):
            queries.append({"kind": "term", "words": [w], "df": df[w]})

    # Phrases: 2-3 consecutive words inside one clause of a random article.
    seen = set()
    while sum(q["kind"] == "phrase" for q in queries) < N_PHRASES:
        title, text = records[rng.randrange(len(records))]
        clauses = CLAUSE.findall(text)
        if not clauses:
            continue
        words = rng.choice(clauses).split(" ")
        n = rng.choice((2, 3))
        if len(words) < n:
            continue
        at = rng.randrange(len(words) - n + 1)
        phrase = [w.lower() for w in words[at : at + n]]
        if all(w in STOP for w in phrase) or any(w in SKIP_WORDS for w in phrase) or min(map(len, phrase)) < 2:
            continue
        key = " ".join(phrase)
        if key in seen:
            continue
        seen.add(key)
        queries.append({"kind": "phrase", "words": phrase})

    # Names: capitalised runs seen in at least two articles.
    candidates = sorted(
        n for n, c in names.items()
        if c >= 2 and n.split(" ")[0] not in NAME_STARTS and not any(w.lower() in SKIP_WORDS for w in n.split(" "))
    )
    for name in rng.sample(candidates, min(N_NAMES, len(candidates))):
        queries.append({"kind": "name", "words": name.split(" ")})

    for i, q in enumerate(queries, 1):
        w = q["words"]
        q["id"] = f"q{i:04d}"
        if q["kind"] == "phrase":
            q["newsdex"] = '"' + " ".join(w) + '"'
            q["fts5"] = '"' + " ".join(w) + '"'
        else:
            q["newsdex"] = " ".join(w)
            q["fts5"] = " ".join(f'"{x}"' for x in w)
        q["rg"] = " ".join(w)
    return queries


def write_queries(queries, work):
    tsv = os.path.join(work, "queries.tsv")
    with open(tsv, "w", encoding="utf-8") as f:
        for q in queries:
            f.write(f"{q['id']}\t{q['newsdex']}\n")
    js = os.path.join(work, "queries.json")
    with open(js, "w", encoding="utf-8") as f:
        json.dump(queries, f, indent=0)
    return tsv, js


# ---------------------------------------------------------------- running


LAST_CPU = {"s": None}


def timed(cmd, stdout=subprocess.DEVNULL, env=None, check=True):
    """Runs `cmd` under /usr/bin/time -v: (wall seconds, peak RSS in MB, stdout).
    Its CPU seconds (user + system) are left in LAST_CPU."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        full = [TIME, "-v", "-o", tf.name] + cmd
        t0 = time.perf_counter()
        proc = subprocess.run(full, stdout=stdout, stderr=subprocess.PIPE, env=env)
        wall = time.perf_counter() - t0
        report = tf.read()
    if check and proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.decode(errors='replace')[-2000:]}")
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report)
    rss = int(m.group(1)) / 1024 if m else None
    cpu = [float(x) for x in re.findall(r"(?:User|System) time \(seconds\): ([0-9.]+)", report)]
    LAST_CPU["s"] = sum(cpu) if cpu else None
    out = proc.stdout.decode("utf-8", errors="replace") if stdout == subprocess.PIPE else None
    return wall, rss, out


def dir_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            total += os.path.getsize(os.path.join(root, name))
    return total


def percentile(values, p):
    if not values:
        return None
    s = sorted(values)
    k = (len(s) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def best_per_query(passes):
    return [min(times) for times in zip(*passes)]


def spread_sample(items, n):
    """`n` items spread evenly over the list (every kind of query is represented)."""
    if n >= len(items):
        return list(items)
    return [items[i * len(items) // n] for i in range(n)]


class Newsdex:
    def __init__(self, binary, work):
        self.binary = binary
        self.index = os.path.join(work, "newsdex-index")
        self.env = dict(os.environ, NO_COLOR="1", TERM="dumb")

    def available(self):
        return os.access(self.binary, os.X_OK)

    def has_batch(self):
        r = subprocess.run([self.binary, "batch", "--help"], capture_output=True)
        return r.returncode == 0

    def cmd(self, *args):
        return [self.binary, "--index", self.index, *args]

    def build(self, corpus):
        shutil.rmtree(self.index, ignore_errors=True)
        wall, rss, out = timed(self.cmd("index", "--rebuild", "--format", "json", corpus), subprocess.PIPE, self.env)
        report = json.loads(out)
        return wall, rss, report

    def search_process(self, query):
        t0 = time.perf_counter()
        proc = subprocess.run(self.cmd("search", "--format", "json", query), capture_output=True, env=self.env)
        wall = (time.perf_counter() - t0) * 1000.0
        took = None
        if proc.returncode in (0, 1):
            took = json.loads(proc.stdout)["took_ms"]
        return wall, took

    def batch(self, tsv, fmt, threads=None, output=None):
        """Runs a batch; its answers are returned, or written to the file
        `output` as `newsdex batch ... > output` would (a pipe read by this
        process would compete with newsdex for the cores)."""
        args = ["batch", tsv, "--format", fmt]
        if threads:
            args += ["--threads", str(threads)]
        if output is None:
            return timed(self.cmd(*args), subprocess.PIPE, self.env)
        with open(output, "wb") as out:
            return timed(self.cmd(*args), out, self.env)


# ---------------------------------------------------------------- the run


def run(args):
    os.makedirs(args.work, exist_ok=True)
    cores = os.cpu_count() or 1
    result = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {cores} cores, Python {platform.python_version()}, SQLite {__import__('sqlite3').sqlite_version}",
        "command": shlex.join(["python3", "bench/run.py", *sys.argv[1:]]),
        "repeat": args.repeat,
        "missing": [],
    }
    corpus = prepare_corpus(args.corpus, args.work)
    result["corpus"] = {**corpus, "name": args.label or os.path.basename(args.corpus)}
    log(f"corpus: {corpus['articles']:,} articles, {corpus['bytes'] / 1e6:.1f} MB JSONL, {corpus['text_bytes'] / 1e6:.1f} MB text")

    records = sample_records(corpus["path"], args.query_source)
    queries = make_queries(records, args.seed)[: args.queries]
    del records
    tsv, qjson = write_queries(queries, args.work)
    result["queries"] = dict(collections.Counter(q["kind"] for q in queries))
    log(f"queries: {result['queries']} in {tsv}")

    nd = Newsdex(args.newsdex, args.work)
    have = {
        "newsdex": nd.available(),
        "fts5": True,
        "rg": shutil.which("rg") is not None,
        "time": os.access(TIME, os.X_OK),
    }
    if not have["time"]:
        sys.exit("bench: /usr/bin/time is missing (apt-get install -y time); it measures peak RSS")
    if not have["newsdex"]:
        result["missing"].append(f"newsdex ({args.newsdex}: run `cargo build --release`)")
    if not have["rg"]:
        result["missing"].append("ripgrep (apt-get install -y ripgrep, or cargo install ripgrep)")
    batch = have["newsdex"] and nd.has_batch()
    if have["newsdex"] and not batch:
        result["missing"].append("`newsdex batch` (not in this build): no batch rows for newsdex")
    for m in result["missing"]:
        log(f"missing: {m}")
    m = result.setdefault("m", {})

    # Indexing.
    mb = corpus["bytes"] / 1e6
    if have["newsdex"] and not args.skip_index:
        runs = []
        for i in range(args.repeat):
            wall, rss, report = nd.build(corpus["path"])
            runs.append((wall, rss, LAST_CPU["s"]))
            log(f"newsdex index run {i + 1}: {wall:.2f} s, {rss:.0f} MB peak, {report['passages']:,} passages")
        m["newsdex_index_s"] = min(w for w, _, _ in runs)
        m["newsdex_index_rss"] = max(r for _, r, _ in runs)
        m["newsdex_index_cpu"] = min(c for _, _, c in runs)
        m["newsdex_passages"] = report["passages"]
    if have["newsdex"] and os.path.exists(os.path.join(nd.index, "meta.json")):
        m["newsdex_index_bytes"] = dir_bytes(nd.index)
    db = os.path.join(args.work, "fts5.db")
    if not args.skip_fts5 and not args.skip_index:
        runs = []
        for i in range(args.repeat):
            wall, rss, _ = timed([sys.executable, FTS5, "index", "--db", db, "--corpus", corpus["path"]], subprocess.PIPE)
            runs.append((wall, rss, LAST_CPU["s"]))
            log(f"fts5 index run {i + 1}: {wall:.2f} s, {rss:.0f} MB peak")
        m["fts5_index_s"] = min(w for w, _, _ in runs)
        m["fts5_index_rss"] = max(r for _, r, _ in runs)
        m["fts5_index_cpu"] = min(c for _, _, c in runs)
    if os.path.exists(db):
        m["fts5_index_bytes"] = os.path.getsize(db)

    # In-process latency, one thread.
    passes = max(2, args.repeat)
    if not args.skip_fts5 and os.path.exists(db):
        _, _, out = timed([sys.executable, FTS5, "latency", "--db", db, "--queries", qjson, "--passes", str(passes)], subprocess.PIPE)
        passes_ms = json.loads(out)["passes_ms"]
        best = best_per_query(passes_ms)
        m["fts5_p50"], m["fts5_p99"] = percentile(best, 50), percentile(best, 99)
        m["fts5_cold_p50"], m["fts5_cold_p99"] = percentile(passes_ms[0], 50), percentile(passes_ms[0], 99)
        log(f"fts5 in-process: p50 {m['fts5_p50']:.3f} ms, p99 {m['fts5_p99']:.3f} ms")
    if batch:
        # All passes in one process, as for FTS5, so both run with warm caches;
        # the first pass gives the cold figure.
        repeated = os.path.join(args.work, f"queries-x{passes}.tsv")
        with open(repeated, "w", encoding="utf-8") as f:
            for p in range(passes):
                for q in queries:
                    f.write(f"{q['id']}~{p}\t{q['newsdex']}\n")
        _, _, out = nd.batch(repeated, "json", threads=1)
        per = collections.defaultdict(dict)
        for line in out.splitlines():
            if line.strip():
                r = json.loads(line)
                qid, p = r["query_id"].rsplit("~", 1)
                per[qid][int(p)] = r["took_ms"]
        best = [min(v.values()) for v in per.values()]
        first = [v[0] for v in per.values() if 0 in v]
        m["newsdex_p50"], m["newsdex_p99"] = percentile(best, 50), percentile(best, 99)
        m["newsdex_cold_p50"], m["newsdex_cold_p99"] = percentile(first, 50), percentile(first, 99)
        m["newsdex_inproc_via"] = "batch --threads 1"
    elif have["newsdex"] and os.access(args.latency_example, os.X_OK):
        # Until `newsdex batch` exists: the same library call, one thread, from the example.
        _, _, out = timed([args.latency_example, nd.index, tsv, str(passes)], subprocess.PIPE)
        per = collections.defaultdict(list)
        for line in out.splitlines():
            r = json.loads(line)
            per[r["id"]].append(r["took_ms"])
        best = [min(v) for v in per.values()]
        m["newsdex_p50"], m["newsdex_p99"] = percentile(best, 50), percentile(best, 99)
        m["newsdex_inproc_via"] = "examples/query_latency"
        result["missing"].append("in-process newsdex latency from `examples/query_latency` (same `Searcher::search`, one thread), not `batch --threads 1`")
    if m.get("newsdex_p50") is not None:
        log(f"newsdex in-process: p50 {m['newsdex_p50']:.3f} ms, p99 {m['newsdex_p99']:.3f} ms")

    # Whole-process latency: a fresh process per query.
    sample = spread_sample(queries, args.search_sample)
    if have["newsdex"]:
        walls, tooks = [], []
        for _ in range(passes):
            w_pass, t_pass = [], []
            for q in sample:
                w, t = nd.search_process(q["newsdex"])
                w_pass.append(w)
                t_pass.append(t if t is not None else float("nan"))
            walls.append(w_pass)
            tooks.append(t_pass)
        best = best_per_query(walls)
        m["newsdex_proc_p50"], m["newsdex_proc_p99"] = percentile(best, 50), percentile(best, 99)
        cold = [t for t in best_per_query(tooks) if t == t]
        m["newsdex_fresh_took_p50"], m["newsdex_fresh_took_p99"] = percentile(cold, 50), percentile(cold, 99)
        log(f"newsdex search process: p50 {m['newsdex_proc_p50']:.1f} ms, p99 {m['newsdex_proc_p99']:.1f} ms over {len(sample)} queries")
    rg_sample = spread_sample(queries, args.rg_sample)
    if have["rg"]:
        def rg_cmd(q):
            return ["rg", "--count", "--ignore-case", "--word-regexp", "--fixed-strings", "--no-config", "-e", q["rg"], corpus["path"]]

        walls = []
        for _ in range(passes):
            w_pass = []
            for q in rg_sample:
                t0 = time.perf_counter()
                subprocess.run(rg_cmd(q), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                w_pass.append((time.perf_counter() - t0) * 1000.0)
            walls.append(w_pass)
        best = best_per_query(walls)
        m["rg_proc_p50"], m["rg_proc_p99"] = percentile(best, 50), percentile(best, 99)
        rss = [timed(rg_cmd(q), check=False)[1] for q in rg_sample[:5]]
        m["rg_rss"] = max(rss)
        runs = []
        for _ in range(passes):
            t0 = time.perf_counter()
            with cf.ThreadPoolExecutor(cores) as pool:
                list(pool.map(lambda q: subprocess.run(rg_cmd(q), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), rg_sample))
            runs.append(time.perf_counter() - t0)
        m["rg_qps"] = len(rg_sample) / min(runs)
        log(f"rg: p50 {m['rg_proc_p50']:.1f} ms, {m['rg_qps']:.1f} q/s over {len(rg_sample)} queries")

    # Batch throughput, all cores.
    if not args.skip_fts5 and os.path.exists(db):
        _, rss, out = timed([sys.executable, FTS5, "batch", "--db", db, "--queries", qjson, "--workers", str(cores), "--passes", str(passes)], subprocess.PIPE)
        r = json.loads(out)
        m["fts5_qps"] = r["queries"] / r["seconds"]
        m["fts5_batch_rss"] = rss
        log(f"fts5 batch: {m['fts5_qps']:.0f} q/s")
    if batch:
        for fmt in ("json", "trec"):
            answers = os.path.join(args.work, f"batch-answers.{fmt}")
            runs = [nd.batch(tsv, fmt, output=answers) for _ in range(passes)]
            m[f"newsdex_qps_{fmt}"] = len(queries) / min(w for w, _, _ in runs)
            m[f"newsdex_batch_rss_{fmt}"] = max(r for _, r, _ in runs)
            log(f"newsdex batch --format {fmt}: {m[f'newsdex_qps_{fmt}']:.0f} q/s")
    return result


# ---------------------------------------------------------------- report


def fmt(v, digits=1, unit=""):
    if v is None:
        return "—"
    if isinstance(v, float) and v != v:
        return "—"
    if abs(v) >= 100:
        return f"{v:,.0f}{unit}"
    return f"{v:.{digits}f}{unit}"


def ratio(a, b, digits=2):
    if a is None or b is None or b == 0:
        return "—"
    return f"{a / b:.{digits}f}×"


def report(result):
    c, m = result["corpus"], result["m"]
    mb, text = c["bytes"] / 1e6, c["text_bytes"] / 1e6
    get = m.get
    speed = lambda s: mb / s if s else None
    size = lambda b: b / c["text_bytes"] if b else None
    nd_speed, fts_speed = speed(get("newsdex_index_s")), speed(get("fts5_index_s"))
    nd_size, fts_size = size(get("newsdex_index_bytes")), size(get("fts5_index_bytes"))
    lines = [
        f"### {c['name']}: {c['articles']:,} articles, {mb:,.1f} MB JSON Lines, {text:,.1f} MB text",
        "",
        f"{result['date']} · {result['machine']} · best of {result['repeat']} · "
        f"queries: {', '.join(f'{n} {k}s' for k, n in result['queries'].items())}",
        "",
        "| measure | newsdex | SQLite FTS5 | ripgrep | newsdex ÷ FTS5 | target |",
        "|---|--:|--:|--:|--:|---|",
        f"| indexing, MB/s of JSON Lines | {fmt(nd_speed)} | {fmt(fts_speed)} | no index | {ratio(nd_speed, fts_speed)} | ≥ 1.5× |",
        f"| indexing wall time, s | {fmt(get('newsdex_index_s'), 2)} | {fmt(get('fts5_index_s'), 2)} | — | {ratio(get('fts5_index_s'), get('newsdex_index_s'))} faster | |",
        f"| indexing CPU time (user + sys), s | {fmt(get('newsdex_index_cpu'), 2)} | {fmt(get('fts5_index_cpu'), 2)} | — | {ratio(get('newsdex_index_cpu'), get('fts5_index_cpu'))} | |",
        f"| index size ÷ corpus text | {fmt(nd_size, 2)} | {fmt(fts_size, 2)} | 0 | {ratio(nd_size, fts_size)} | newsdex ≤ 1.3 |",
        f"| peak RSS while indexing, MB | {fmt(get('newsdex_index_rss'), 0)} | {fmt(get('fts5_index_rss'), 0)} | — | | ≤ 1,024 at 1M |",
        f"| in-process latency p50, ms | {fmt(get('newsdex_p50'), 3)} | {fmt(get('fts5_p50'), 3)} | — | {ratio(get('newsdex_p50'), get('fts5_p50'))} | ≤ 1× |",
        f"| in-process latency p99, ms | {fmt(get('newsdex_p99'), 3)} | {fmt(get('fts5_p99'), 3)} | — | {ratio(get('newsdex_p99'), get('fts5_p99'))} | newsdex ≤ 2 ms (Reuters) |",
        f"| in-process p50 / p99, first pass (cold caches), ms | {fmt(get('newsdex_cold_p50'), 3)} / {fmt(get('newsdex_cold_p99'), 3)} | {fmt(get('fts5_cold_p50'), 3)} / {fmt(get('fts5_cold_p99'), 3)} | — | {ratio(get('newsdex_cold_p50'), get('fts5_cold_p50'))} | |",
        f"| fresh process per query p50, ms | {fmt(get('newsdex_proc_p50'))} | — | {fmt(get('rg_proc_p50'))} | | |",
        f"| fresh process per query p99, ms | {fmt(get('newsdex_proc_p99'))} | — | {fmt(get('rg_proc_p99'))} | | newsdex < 50 ms (1M) |",
        f"| `took_ms` in a fresh process p50 / p99, ms | {fmt(get('newsdex_fresh_took_p50'), 2)} / {fmt(get('newsdex_fresh_took_p99'), 2)} | — | — | | |",
        f"| batch q/s, `--format json` | {fmt(get('newsdex_qps_json'))} | {fmt(get('fts5_qps'))} | {fmt(get('rg_qps'))} | {ratio(get('newsdex_qps_json'), get('fts5_qps'))} | ≥ 3× |",
        f"| batch q/s, `--format trec` | {fmt(get('newsdex_qps_trec'))} | {fmt(get('fts5_qps'))} | {fmt(get('rg_qps'))} | {ratio(get('newsdex_qps_trec'), get('fts5_qps'))} | ≥ 10× |",
        f"| peak RSS, batch, MB | {fmt(get('newsdex_batch_rss_json'), 0)} | {fmt(get('fts5_batch_rss'), 0)} | {fmt(get('rg_rss'), 0)} (one query) | | |",
    ]
    if result["missing"]:
        lines += ["", "Not measured: " + "; ".join(result["missing"]) + "."]
    lines += ["", f"Reproduce: `{result['command']}`"]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description="newsdex vs SQLite FTS5 vs ripgrep, same corpus, same queries, one run")
    ap.add_argument("--corpus", default=REUTERS, help="JSON Lines corpus, .gz or plain (default: shared Reuters-21578)")
    ap.add_argument("--label", help="corpus name in the report")
    ap.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "newsdex-bench"), help="folder for indexes, databases and queries")
    ap.add_argument("--newsdex", default=os.path.join(ROOT, "target", "release", "newsdex"), help="newsdex binary")
    ap.add_argument("--latency-example", default=os.path.join(ROOT, "target", "release", "examples", "query_latency"),
                    help="in-process latency runner used when the binary has no `batch` (cargo build --release --example query_latency)")
    ap.add_argument("--queries", type=int, default=1000, help="queries to run (of the 1,000 generated)")
    ap.add_argument("--query-source", type=int, default=25000, help="articles the queries are drawn from (the first N)")
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each step; the best is kept")
    ap.add_argument("--search-sample", type=int, default=200, help="queries run as fresh `newsdex search` processes")
    ap.add_argument("--rg-sample", type=int, default=200, help="queries run with ripgrep")
    ap.add_argument("--skip-fts5", action="store_true")
    ap.add_argument("--skip-index", action="store_true", help="reuse the indexes already in --work")
    ap.add_argument("--json", help="also write the raw figures here")
    args = ap.parse_args()
    result = run(args)
    text = report(result)
    print(text)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
