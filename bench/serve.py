#!/usr/bin/env python3
"""`newsdex serve` under load (issue 14, point 5).

1. Latency: each query answered by `/api/search` (one client, keep-alive,
   wall clock from request to last byte) against the same query's in-process
   `took_ms` from `newsdex search --format json` (a fresh process per query,
   as a person runs it). Reports the p50 of both and their difference.
2. Load: `wrk` with 50 connections for 30 s over the same queries
   (bench/serve_wrk.lua), reporting requests/s, p50/p90/p99, errors, and
   the server's CPU time (user + sys) per request answered meanwhile.

3. With `--cpu`: the server's CPU time per request (user + sys from
   `/proc/PID/stat`, threads ended included), one client with keep-alive,
   `--rounds` rounds of the queries after one round to warm up; with
   several `--binary`, the binaries alternate, `--runs` runs each. With
   `--per-path`, also each query's CPU (the sum of the server threads'
   `/proc/PID/task/*/schedstat`, in ns), `--path-reps` requests each.
   Compare binaries by this figure on a shared machine: it moves far less
   than throughput does with the load of others.

Needs a release build (`cargo build --release`), an index (e.g.
`newsdex index --index /tmp/serve-api/reuters ../shared/data/news/reuters21578.jsonl.gz`)
and `wrk` (`apt-get install -y wrk`).

    python3 bench/serve.py --index /tmp/serve-api/reuters
    python3 bench/serve.py --index /tmp/serve-api/reuters --cpu \
        --binary /tmp/before/newsdex --binary target/release/newsdex --runs 3
"""

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.parse

# What a reporter might look for in Reuters-21578: words, phrases, names,
# filters, one-hit-per-article; none is tuned to the index.
QUERIES = [
    "oil prices",
    "opec output",
    "\"interest rates\"",
    "bank of japan",
    "dollar yen",
    "wheat exports",
    "coffee quota",
    "trade deficit",
    "takeover bid",
    "merger talks",
    "bundesbank",
    "federal reserve",
    "gold",
    "crude oil",
    "soybean",
    "sugar",
    "\"money supply\"",
    "strike",
    "iran iraq",
    "volcker",
    "baker dollar",
    "earnings per share",
    "dividend",
    "brazil debt",
    "ecuador",
    "cocoa",
    "grain",
    "copper price",
    "stock market",
    "unemployment",
]

PARAMS = [
    {},
    {"articles": "true"},
    {"limit": "20"},
    {"sort": "newest"},
]


def requests():
    """Every (query, extra parameters) pair, as query strings and CLI args."""
    for i, q in enumerate(QUERIES):
        extra = PARAMS[i % len(PARAMS)]
        qs = urllib.parse.urlencode({"q": q, **extra})
        args = [q]
        for k, v in extra.items():
            args += [f"--{k}"] if v == "true" else [f"--{k}", v]
        yield qs, args


def percentile(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def start(binary, index):
    """A server on a free port: (process, host, port)."""
    server = subprocess.Popen(
        [binary, "serve", "--index", index, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    url = server.stdout.readline().strip()
    host, port = re.match(r"http://([^/:]+):(\d+)/", url).groups()
    return server, host, int(port), url


def cpu_seconds(pid):
    """User + sys CPU of a process, its ended threads included."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_ns(pid):
    """Nanoseconds on a CPU, summed over the process's live threads."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                total += int(f.read().split()[0])
        except FileNotFoundError:
            pass
    return total


def get(conn, path):
    conn.request("GET", path)
    r = conn.getresponse()
    body = r.read()
    assert r.status == 200, body


def cpu(args, paths):
    """Server CPU per request of each binary, the binaries alternating."""
    per_request = {b: [] for b in args.binary}
    per_path = {b: {p: [] for p in paths} for b in args.binary}
    for run in range(args.runs):
        for binary in args.binary:
            server, host, port, _ = start(binary, args.index)
            try:
                conn = http.client.HTTPConnection(host, port)
                for path in paths:
                    get(conn, path)
                before = cpu_seconds(server.pid)
                for _ in range(args.rounds):
                    for path in paths:
                        get(conn, path)
                used = cpu_seconds(server.pid) - before
                ms = used * 1000 / (args.rounds * len(paths))
                per_request[binary].append(ms)
                print(f"run {run + 1} {binary}: {ms:.3f} ms CPU per request", flush=True)
                if args.per_path:
                    for path in paths:
                        before = run_ns(server.pid)
                        for _ in range(args.path_reps):
                            get(conn, path)
                        per_path[binary][path].append(
                            (run_ns(server.pid) - before) / 1e6 / args.path_reps
                        )
            finally:
                server.terminate()
                server.wait()
    figures = {}
    for binary in args.binary:
        runs = per_request[binary]
        figures[binary] = {"runs_ms": runs, "median_ms": statistics.median(runs)}
        print(f"{binary}: median {statistics.median(runs):.3f} ms ({', '.join(f'{r:.3f}' for r in runs)})")
    if args.per_path:
        print("\nCPU per request by query, ms (median of the runs):")
        print("| query | " + " | ".join(args.binary) + " |")
        for path in paths:
            cells = [statistics.median(per_path[b][path]) for b in args.binary]
            query = urllib.parse.unquote_plus(path.split("?", 1)[1])
            print(f"| `{query}` | " + " | ".join(f"{c:.2f}" for c in cells) + " |")
            for b, c in zip(args.binary, cells):
                figures[b].setdefault("per_path_ms", {})[query] = c
    return figures


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--index", required=True)
    ap.add_argument(
        "--binary",
        action="append",
        help="the newsdex to run (default target/release/newsdex); repeat it with --cpu to compare",
    )
    ap.add_argument("--reps", type=int, default=10, help="requests per query for the latency part")
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument("--threads", type=int, default=2, help="wrk threads")
    ap.add_argument("--cpu", action="store_true", help="measure the server's CPU per request only")
    ap.add_argument("--runs", type=int, default=3, help="--cpu: runs of each binary")
    ap.add_argument("--rounds", type=int, default=30, help="--cpu: rounds of the queries a run")
    ap.add_argument("--per-path", action="store_true", help="--cpu: each query's CPU too")
    ap.add_argument("--path-reps", type=int, default=50, help="--per-path: requests of each query")
    ap.add_argument("--json", help="write the figures here too")
    args = ap.parse_args()
    args.binary = args.binary or ["target/release/newsdex"]

    if args.cpu:
        figures = cpu(args, ["/api/search?" + qs for qs, _ in requests()])
        if args.json:
            with open(args.json, "w") as f:
                json.dump(figures, f, indent=2)
        return
    if len(args.binary) > 1:
        ap.error("one --binary, unless with --cpu")
    args.binary = args.binary[0]

    server, host, port, url = start(args.binary, args.index)
    try:
        figures = {"url": url}

        # 1. Latency, one client.
        conn = http.client.HTTPConnection(host, port)
        pairs = list(requests())
        for qs, _ in pairs:  # warm: the server and the page cache
            conn.request("GET", "/api/search?" + qs)
            conn.getresponse().read()
        wall, server_took = [], []
        for _ in range(args.reps):
            for qs, _ in pairs:
                t = time.perf_counter()
                conn.request("GET", "/api/search?" + qs)
                r = conn.getresponse()
                body = r.read()
                wall.append((time.perf_counter() - t) * 1000)
                assert r.status == 200, body
                server_took.append(json.loads(body)["took_ms"])
        cli_took = []
        for _ in range(3):
            for _, cli in pairs:
                out = subprocess.run(
                    [args.binary, "--index", args.index, "search", "--format", "json", *cli],
                    capture_output=True,
                    text=True,
                )
                assert out.returncode in (0, 1), out.stderr
                cli_took.append(json.loads(out.stdout)["took_ms"])
        figures["latency"] = {
            "requests": len(wall),
            "api_wall_p50_ms": percentile(wall, 50),
            "api_wall_p90_ms": percentile(wall, 90),
            "api_took_p50_ms": percentile(server_took, 50),
            "cli_took_p50_ms": percentile(cli_took, 50),
            "cli_took_p90_ms": percentile(cli_took, 90),
        }
        lat = figures["latency"]
        lat["api_wall_minus_cli_took_p50_ms"] = lat["api_wall_p50_ms"] - lat["cli_took_p50_ms"]
        print(json.dumps(lat, indent=2))

        # 2. Load: wrk, 50 connections.
        paths = ["/api/search?" + qs for qs, _ in pairs]
        env = dict(os.environ, NEWSDEX_PATHS="\n".join(paths))
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "serve_wrk.lua")
        cpu_before = cpu_seconds(server.pid)
        out = subprocess.run(
            [
                "wrk",
                f"-t{args.threads}",
                f"-c{args.connections}",
                f"-d{args.seconds}s",
                "--latency",
                "-s",
                script,
                url,
            ],
            capture_output=True,
            text=True,
            env=env,
        )
        served = re.search(r"(\d+) requests in", out.stdout)
        if served:
            ms = (cpu_seconds(server.pid) - cpu_before) * 1000 / int(served.group(1))
            figures["wrk_server_cpu_ms_per_request"] = ms
            out.stdout += f"server CPU per request under load: {ms:.3f} ms\n"
        print(out.stdout)
        if out.returncode != 0:
            print(out.stderr, file=sys.stderr)
        figures["wrk"] = out.stdout
        if args.json:
            with open(args.json, "w") as f:
                json.dump(figures, f, indent=2)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
