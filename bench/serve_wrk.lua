-- wrk script for bench/serve.py: each request is the next of the paths in
-- $NEWSDEX_PATHS (one a line), and every answer that is not 200 is counted
-- and reported at the end (wrk itself counts only non-2xx/3xx).

local paths = {}
for line in string.gmatch(os.getenv("NEWSDEX_PATHS") or "/api/stats", "[^\n]+") do
  table.insert(paths, line)
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  n = 0
  bad = 0
end

function request()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end

function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do
    total = total + t:get("bad")
  end
  io.write(string.format("answers other than 200: %d\n", total))
  io.write(string.format("errors (connect/read/write/timeout): %d/%d/%d/%d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
  for _, p in ipairs({50, 90, 99, 99.9}) do
    io.write(string.format("p%s: %.2f ms\n", p, latency:percentile(p) / 1000))
  end
end
