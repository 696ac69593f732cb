#!/usr/bin/env python3
"""newsdex beside plain Tantivy (tantivy-cli), Xapian, SQLite FTS5 and
ripgrep, in one run, on one corpus and the same 1,000 queries; prints a
markdown table with newsdex's lead over FTS5 and over the best other engine.

    cargo build --release --bin newsdex --example query_latency
    python3 bench/run.py                                   # Reuters-21578
    python3 bench/run.py --corpus /tmp/bench-data/scale-1m.jsonl \\
        --work /tmp/bench-data/run-1m --repeat 1 --search-sample 100 --rg-sample 20

Every row asks one question of every engine, like for like (bench/README.md
says what each measures):
- indexing: wall and CPU time on every core and pinned to one core, index
  size / corpus text, peak RSS; no engine merges everything at the end;
  FTS5 and Xapian are timed around their own work, not Python's JSON
  parsing;
- in-process latency p50/p99, one thread, in two shapes of answer: the ten
  best ids with no count (`batch --format trec`), and text with highlights
  and the exact count (`batch --format json`);
- batch queries per second (wall, every core) and CPU per query, both shapes;
- a fresh `newsdex search` process per query, and a fresh `rg` per query.

Engines are interleaved within each round; every step runs `--repeat`
times and the best is kept (the machine is shared; the best run is the
least disturbed one). Latencies take, for each query, its best time over
the passes. Nothing here is a test: it never fails on a number. A missing
engine is reported and its column left out.
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
XAPIAN = os.path.join(HERE, "xapian_side.py")
TANTIVY_SIDE = os.path.join(HERE, "tantivy-side", "target", "release", "tantivy-side")

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
            q["newsdex"] = q["xapian"] = q["fts5"] = '"' + " ".join(w) + '"'
        else:
            q["newsdex"] = q["xapian"] = " ".join(w)
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
    """Runs `cmd`: (wall seconds, peak RSS in MB, stdout if piped). Its CPU
    seconds (user + system, from the kernel's accounting of the child, to
    the microsecond) are left in LAST_CPU."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=stdout, stderr=err, env=env)
        out = proc.stdout.read() if stdout == subprocess.PIPE else None
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        if proc.stdout:
            proc.stdout.close()
        if check and code not in (0, 1):
            err.seek(0)
            raise RuntimeError(f"{' '.join(cmd)} exited {code}: {err.read().decode(errors='replace')[-2000:]}")
    LAST_CPU["s"] = usage.ru_utime + usage.ru_stime
    return wall, usage.ru_maxrss / 1024, out.decode("utf-8", errors="replace") if out is not None else None


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


def taskset(cmd, one_core):
    """`cmd` pinned to the first core when `one_core` (the engine's own
    thread count follows: newsdex and Tantivy size their pools by the cores
    the process may use)."""
    return (["taskset", "-c", "0"] + cmd) if one_core else cmd


class Newsdex:
    def __init__(self, binary, latency_example, work):
        self.binary = binary
        self.latency_example = latency_example
        self.index = os.path.join(work, "newsdex-index")
        self.env = dict(os.environ, NO_COLOR="1", TERM="dumb")

    def available(self):
        return os.access(self.binary, os.X_OK) and subprocess.run(
            [self.binary, "batch", "--help"], capture_output=True).returncode == 0

    def cmd(self, *args):
        return [self.binary, "--index", self.index, *args]

    def build(self, corpus, one_core):
        """(wall s, CPU s, peak MB, segments) of a whole `index --rebuild` process."""
        shutil.rmtree(self.index, ignore_errors=True)
        wall, rss, out = timed(taskset(self.cmd("index", "--rebuild", "--format", "json", corpus), one_core), subprocess.PIPE, self.env)
        json.loads(out)
        return wall, LAST_CPU["s"], rss

    def latency(self, tsv, shape, passes):
        """Per-pass, per-query ms from `examples/query_latency` (the
        `Searcher::search` call `batch` makes, one thread)."""
        fmt = "trec" if shape == "ids" else "json"
        _, _, out = timed([self.latency_example, self.index, tsv, str(passes), fmt], subprocess.PIPE)
        passes_ms = [[] for _ in range(passes)]
        for line in out.splitlines():
            r = json.loads(line)
            passes_ms[r["pass"]].append(r["took_ms"])
        return passes_ms

    def search_process(self, query):
        t0 = time.perf_counter()
        proc = subprocess.run(self.cmd("search", "--format", "json", query), capture_output=True, env=self.env)
        wall = (time.perf_counter() - t0) * 1000.0
        took = None
        if proc.returncode in (0, 1):
            took = json.loads(proc.stdout)["took_ms"]
        return wall, took

    def batch(self, tsv, shape, output):
        """(wall s, CPU s, peak MB) of a whole `batch` process on every core,
        its answers written to the file `output` as `newsdex batch q.tsv >
        answers` would."""
        fmt = "trec" if shape == "ids" else "json"
        with open(output, "wb") as out:
            wall, rss, _ = timed(self.cmd("batch", tsv, "--format", fmt), out, self.env)
        return wall, LAST_CPU["s"], rss


class Tantivy:
    """tantivy-cli builds the index; bench/tantivy-side (plain Tantivy, the
    same version) creates its schema and runs the queries."""

    def __init__(self, cli, side, work):
        self.cli, self.side = cli, side
        self.index = os.path.join(work, "tantivy-index")

    def available(self):
        return bool(self.cli) and os.access(self.cli, os.X_OK) and os.access(self.side, os.X_OK)

    def build(self, corpus, one_core):
        shutil.rmtree(self.index, ignore_errors=True)
        subprocess.run([self.side, "create", self.index], check=True)
        threads = "1" if one_core else str(os.cpu_count() or 1)
        # The writer's memory budget is newsdex's (256 MB), split over its threads.
        cmd = [self.cli, "index", "-i", self.index, "-f", corpus, "-t", threads, "-m", str(256_000_000)]
        wall, rss, out = timed(taskset(cmd, one_core), subprocess.PIPE)
        if "Failed to add document" in out:
            raise RuntimeError(f"tantivy-cli rejected documents of {corpus}")
        return wall, LAST_CPU["s"], rss

    def latency(self, tsv, shape, passes):
        _, _, out = timed([self.side, "latency", self.index, tsv, shape, str(passes)], subprocess.PIPE)
        return json.loads(out)["passes_ms"]

    def batch(self, tsv, shape, output):
        wall, rss, _ = timed([self.side, "batch", self.index, tsv, shape, str(os.cpu_count() or 1)], subprocess.PIPE)
        return wall, LAST_CPU["s"], rss


class PythonEngine:
    """An engine driven by a script of this folder (fts5.py, xapian_side.py;
    common.py has their commands)."""

    def __init__(self, python, script, db):
        self.python, self.script, self.db = python, script, db

    def available(self):
        return subprocess.run([self.python, self.script, "--help"], capture_output=True).returncode == 0

    def build(self, corpus, optimize):
        """(wall s, CPU s, peak MB, report) of the load alone (JSON parsed
        outside the timer), peak RSS of the whole process."""
        cmd = [self.python, self.script, "index", "--db", self.db, "--corpus", corpus] + (["--optimize"] if optimize else [])
        _, rss, out = timed(cmd, subprocess.PIPE)
        report = json.loads(out)
        return report["wall_s"], report["cpu_s"], rss, report

    def latency(self, qjson, shape, passes):
        _, _, out = timed([self.python, self.script, "latency", "--db", self.db, "--queries", qjson, "--shape", shape, "--passes", str(passes)], subprocess.PIPE)
        return json.loads(out)["passes_ms"]

    def batch(self, qjson, shape, passes):
        """(wall s, CPU s, peak MB): the best of `passes` pools of one worker
        per core, from the pool's start to the last answer, rows fetched and
        nothing written; CPU is the workers'."""
        cmd = [self.python, self.script, "batch", "--db", self.db, "--queries", qjson, "--shape", shape,
               "--workers", str(os.cpu_count() or 1), "--passes", str(passes)]
        _, rss, out = timed(cmd, subprocess.PIPE)
        r = json.loads(out)
        return r["seconds"], r["cpu_s"], rss


# ---------------------------------------------------------------- the run

ENGINES = ("newsdex", "tantivy", "xapian", "fts5")
NAMES = {"newsdex": "newsdex", "tantivy": "Tantivy", "xapian": "Xapian", "fts5": "FTS5", "rg": "ripgrep"}


def load_average():
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def run(args):
    os.makedirs(args.work, exist_ok=True)
    cores = os.cpu_count() or 1
    result = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {cores} cores, Python {platform.python_version()}, SQLite {__import__('sqlite3').sqlite_version}",
        "command": shlex.join(["python3", "bench/run.py", *sys.argv[1:]]),
        "repeat": args.repeat,
        "missing": [],
        "load": [],
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

    engines = {
        "newsdex": Newsdex(args.newsdex, args.latency_example, args.work),
        "tantivy": Tantivy(args.tantivy_cli, args.tantivy_side, args.work),
        "xapian": PythonEngine(args.xapian_python, XAPIAN, os.path.join(args.work, "xapian.db")),
        "fts5": PythonEngine(sys.executable, FTS5, os.path.join(args.work, "fts5.db")),
    }
    why = {
        "newsdex": f"newsdex ({args.newsdex} with `batch`: cargo build --release --bin newsdex --example query_latency)",
        "tantivy": f"Tantivy (tantivy-cli at {args.tantivy_cli}: cargo install tantivy-cli; {args.tantivy_side}: cargo build --release in bench/tantivy-side)",
        "xapian": f"Xapian (apt-get install -y python3-xapian, for {args.xapian_python})",
        "fts5": "SQLite FTS5",
    }
    have = {}
    for name, engine in engines.items():
        have[name] = name not in args.skip and engine.available()
        if not have[name] and name not in args.skip:
            result["missing"].append(why[name])
    have["rg"] = "rg" not in args.skip and shutil.which("rg") is not None
    if not have["rg"] and "rg" not in args.skip:
        result["missing"].append("ripgrep (apt-get install -y ripgrep)")
    if have["newsdex"] and not os.access(args.latency_example, os.X_OK):
        sys.exit(f"bench: {args.latency_example} is missing: cargo build --release --example query_latency")
    for m in result["missing"]:
        log(f"missing: {m}")
    result["engines"] = [e for e in ENGINES if have[e]] + (["rg"] if have["rg"] else [])
    m = result.setdefault("m", {})

    def keep_best(key, wall, cpu, rss):
        m[f"{key}_wall"] = min(wall, m.get(f"{key}_wall", wall))
        m[f"{key}_cpu"] = min(cpu, m.get(f"{key}_cpu", cpu))
        m[f"{key}_rss"] = max(rss, m.get(f"{key}_rss", rss))

    # Indexing: engines interleaved in each round; newsdex and Tantivy on
    # every core and pinned to one; FTS5 and Xapian are one thread anyway.
    if not args.skip_index:
        for i in range(args.repeat):
            result["load"].append(load_average())
            for name in ENGINES:
                if not have[name]:
                    continue
                engine = engines[name]
                if name in ("newsdex", "tantivy"):
                    for one_core in (False, True):
                        wall, cpu, rss = engine.build(corpus["path"], one_core)
                        keep_best(f"{name}_index{'1' if one_core else ''}", wall, cpu, rss)
                        log(f"{name} index{' (one core)' if one_core else ''} run {i + 1}: {wall:.2f} s wall, {cpu:.2f} s CPU, {rss:.0f} MB")
                else:
                    wall, cpu, rss, report = engine.build(corpus["path"], optimize=(name == "fts5"))
                    keep_best(f"{name}_index", wall, cpu, rss)
                    keep_best(f"{name}_index1", wall, cpu, rss)  # one thread: the same run
                    if "optimize_wall_s" in report:
                        m[f"{name}_optimize"] = min(report["optimize_wall_s"], m.get(f"{name}_optimize", 1e9))
                    log(f"{name} index run {i + 1}: {wall:.2f} s wall, {cpu:.2f} s CPU (load only), {rss:.0f} MB")
    for name, path in (("newsdex", engines["newsdex"].index), ("tantivy", engines["tantivy"].index),
                       ("xapian", engines["xapian"].db), ("fts5", engines["fts5"].db)):
        if have[name] and os.path.exists(path):
            m[f"{name}_bytes"] = dir_bytes(path) if os.path.isdir(path) else os.path.getsize(path)
    for name in ("newsdex", "tantivy"):
        if have[name]:
            meta = os.path.join(engines[name].index, "meta.json")
            if os.path.exists(meta):
                with open(meta, encoding="utf-8") as f:
                    m[f"{name}_segments"] = len(json.load(f)["segments"])

    # In-process latency, one thread, both shapes; each query's best time
    # over the passes (warm caches), the first pass alone for cold.
    passes = max(2, args.repeat)
    result["load"].append(load_average())
    for shape in ("ids", "text"):
        for name in ENGINES:
            if not have[name]:
                continue
            source = qjson if name in ("fts5", "xapian") else tsv
            passes_ms = engines[name].latency(source, shape, passes)
            best = best_per_query(passes_ms)
            m[f"{name}_{shape}_p50"], m[f"{name}_{shape}_p99"] = percentile(best, 50), percentile(best, 99)
            m[f"{name}_{shape}_cold_p50"], m[f"{name}_{shape}_cold_p99"] = percentile(passes_ms[0], 50), percentile(passes_ms[0], 99)
            log(f"{name} in-process {shape}: p50 {m[f'{name}_{shape}_p50']:.3f} ms, p99 {m[f'{name}_{shape}_p99']:.3f} ms")

    # Whole-process latency: a fresh process per query.
    sample = spread_sample(queries, args.search_sample)
    if have["newsdex"]:
        walls, tooks = [], []
        for _ in range(passes):
            w_pass, t_pass = [], []
            for q in sample:
                w, t = engines["newsdex"].search_process(q["newsdex"])
                w_pass.append(w)
                t_pass.append(t if t is not None else float("nan"))
            walls.append(w_pass)
            tooks.append(t_pass)
        best = best_per_query(walls)
        m["newsdex_proc_p50"], m["newsdex_proc_p99"] = percentile(best, 50), percentile(best, 99)
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
        runs = []
        for _ in range(passes):
            t0 = time.perf_counter()
            with cf.ThreadPoolExecutor(cores) as pool:
                list(pool.map(lambda q: subprocess.run(rg_cmd(q), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), rg_sample))
            runs.append(time.perf_counter() - t0)
        m["rg_qps"] = len(rg_sample) / min(runs)
        log(f"rg: p50 {m['rg_proc_p50']:.1f} ms, {m['rg_qps']:.1f} q/s over {len(rg_sample)} queries")

    # Batches on every core, both shapes, engines interleaved in each round.
    for _ in range(passes):
        result["load"].append(load_average())
        for shape in ("ids", "text"):
            for name in ENGINES:
                if not have[name]:
                    continue
                if name == "newsdex":
                    wall, cpu, rss = engines[name].batch(tsv, shape, os.path.join(args.work, f"batch-answers.{shape}"))
                elif name == "tantivy":
                    wall, cpu, rss = engines[name].batch(tsv, shape, None)
                else:
                    wall, cpu, rss = engines[name].batch(qjson, shape, 1)
                keep_best(f"{name}_batch_{shape}", wall, cpu, rss)
    for name in ENGINES:
        for shape in ("ids", "text"):
            if f"{name}_batch_{shape}_wall" in m:
                log(f"{name} batch {shape}: {len(queries) / m[f'{name}_batch_{shape}_wall']:.0f} q/s, "
                    f"{m[f'{name}_batch_{shape}_cpu'] * 1e6 / len(queries):.0f} µs CPU per query")
    result["n_queries"] = len(queries)
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


def report(result):
    c, m = result["corpus"], result["m"]
    mb, text = c["bytes"] / 1e6, c["text_bytes"] / 1e6
    n = result.get("n_queries", 1000)
    get = m.get
    peers = [e for e in ("tantivy", "xapian", "fts5") if e in result["engines"]]
    cols = ["newsdex"] + peers

    def row(label, key, digits=1, better="low", scale=1.0, rg=None):
        """One measure for every engine, then newsdex's lead over FTS5 and
        over the best of the others (>1: newsdex better)."""
        vals = {e: (get(key.format(e=e)) * scale if get(key.format(e=e)) is not None else None) for e in cols}
        cells = [fmt(vals[e], digits) for e in cols]
        lead = lambda peer: (vals[peer] / vals["newsdex"] if better == "low" else vals["newsdex"] / vals[peer]) \
            if vals.get("newsdex") and vals.get(peer) else None
        best = [p for p in peers if vals.get(p) is not None]
        best = (min if better == "low" else max)(best, key=lambda p: vals[p]) if best else None
        fts = lead("fts5") if "fts5" in peers else None
        out = f"| {label} | " + " | ".join(cells) + f" | {rg or '—'} | {fmt(fts, 2)}{'×' if fts else ''} | "
        out += f"{fmt(lead(best), 2)}× ({NAMES[best]})" if best and lead(best) else "—"
        return out + " |"

    qps = lambda key: {e: (n / get(key.format(e=e)) if get(key.format(e=e)) else None) for e in cols}
    for shape in ("ids", "text"):
        for e, v in qps(f"{{e}}_batch_{shape}_wall").items():
            m[f"{e}_qps_{shape}"] = v
    load = [x for x in result.get("load", []) if x is not None]
    lines = [
        f"**{c['name']}: {c['articles']:,} articles, {mb:,.1f} MB JSON Lines, {text:,.1f} MB text**",
        "",
        f"{result['date']} · {result['machine']} · best of {result['repeat']} · "
        f"load average {min(load):.1f}–{max(load):.1f} · " if load else f"{result['date']} · {result['machine']} · best of {result['repeat']} · ",
    ]
    lines[-1] += f"queries: {', '.join(f'{k} {v}' for v, k in [(a, b) for b, a in result['queries'].items()])}"
    lines += [
        "",
        "| measure | " + " | ".join(NAMES[e] for e in cols) + " | ripgrep | newsdex's lead over FTS5 | over the best other |",
        "|---|" + "--:|" * (len(cols) + 1) + "--:|---|",
        row("indexing wall time, s, on every core (FTS5, Xapian: one thread)", "{e}_index_wall", 2),
        row("indexing wall time, s, on one core", "{e}_index1_wall", 2),
        row("indexing CPU time (user + sys), s, on every core", "{e}_index_cpu", 2),
        row("indexing CPU time (user + sys), s, on one core", "{e}_index1_cpu", 2),
        row("index size ÷ corpus text", "{e}_bytes", 2, scale=1 / c["text_bytes"], rg="0"),
        row("peak RSS while indexing, MB", "{e}_index_rss", 0),
        row("in-process, ids only: p50, ms", "{e}_ids_p50", 3),
        row("in-process, ids only: p99, ms", "{e}_ids_p99", 3),
        row("in-process, text + highlights + count: p50, ms", "{e}_text_p50", 3),
        row("in-process, text + highlights + count: p99, ms", "{e}_text_p99", 3),
        row("in-process, text + highlights + count, first pass: p99, ms", "{e}_text_cold_p99", 3),
        row("batch, ids only: q/s, wall, every core", "{e}_qps_ids", 0, better="high", rg=fmt(get("rg_qps"))),
        row("batch, ids only: CPU µs per query", "{e}_batch_ids_cpu", 1, scale=1e6 / n),
        row("batch, text + highlights + count: q/s, wall, every core", "{e}_qps_text", 0, better="high"),
        row("batch, text + highlights + count: CPU µs per query", "{e}_batch_text_cpu", 1, scale=1e6 / n),
        row("peak RSS, text batch, MB", "{e}_batch_text_rss", 0),
        f"| fresh `newsdex search` process per query: p50 / p99, ms | {fmt(get('newsdex_proc_p50'))} / {fmt(get('newsdex_proc_p99'))} |"
        + " — |" * len(peers) + f" {fmt(get('rg_proc_p50'))} / {fmt(get('rg_proc_p99'))} | | |",
    ]
    notes = []
    if get("fts5_optimize") is not None:
        notes.append(f"FTS5's `optimize` after loading took {get('fts5_optimize'):.2f} s more (not in its indexing rows; its queries ran on the optimized database)")
    segs = [f"{NAMES[e]} {get(f'{e}_segments')}" for e in ("newsdex", "tantivy") if get(f"{e}_segments") is not None]
    if segs:
        notes.append("segments at the end (no final merge): " + ", ".join(segs))
    if result["missing"]:
        notes.append("not measured: " + "; ".join(result["missing"]))
    if notes:
        lines += [""] + [f"- {x}." for x in notes]
    lines += ["", f"Reproduce: `{result['command']}`"]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description="newsdex beside Tantivy, Xapian, SQLite FTS5 and ripgrep: same corpus, same queries, one run")
    ap.add_argument("--corpus", default=REUTERS, help="JSON Lines corpus, .gz or plain (default: shared Reuters-21578)")
    ap.add_argument("--label", help="corpus name in the report")
    ap.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "newsdex-bench"), help="folder for indexes, databases and queries")
    ap.add_argument("--newsdex", default=os.path.join(ROOT, "target", "release", "newsdex"), help="newsdex binary")
    ap.add_argument("--latency-example", default=os.path.join(ROOT, "target", "release", "examples", "query_latency"),
                    help="newsdex's in-process latency runner (cargo build --release --example query_latency)")
    ap.add_argument("--tantivy-cli", default=shutil.which("tantivy") or "/tmp/tantivy-cli/bin/tantivy",
                    help="tantivy-cli binary (cargo install tantivy-cli)")
    ap.add_argument("--tantivy-side", default=TANTIVY_SIDE, help="bench/tantivy-side binary (cargo build --release in that folder)")
    ap.add_argument("--xapian-python", default="/usr/bin/python3", help="a Python with Xapian's bindings (python3-xapian)")
    ap.add_argument("--skip", action="append", default=[], choices=ENGINES + ("rg",), help="leave an engine out (repeatable)")
    ap.add_argument("--queries", type=int, default=1000, help="queries to run (of the 1,000 generated)")
    ap.add_argument("--query-source", type=int, default=25000, help="articles the queries are drawn from (the first N)")
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each step; the best is kept")
    ap.add_argument("--search-sample", type=int, default=200, help="queries run as fresh `newsdex search` processes")
    ap.add_argument("--rg-sample", type=int, default=200, help="queries run with ripgrep")
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
