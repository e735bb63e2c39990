-- wrk script of scripts/load_bench.py: one request per call, rotating over the signed-in users.
--
-- Environment: LOAD_TOKENS (file: one Authorization header value per line, e.g. "Bearer abc"),
-- LOAD_MODE ("recommend": GET /api/recommendations?n=12; "rate": POST /api/rate with a random
-- movie 1..1682 and star rating), LOAD_RESULT (file the summary is written to, as JSON).

local tokens = {}
for line in io.lines(os.getenv("LOAD_TOKENS")) do
  if #line > 0 then tokens[#tokens + 1] = line end
end
local mode = os.getenv("LOAD_MODE") or "recommend"
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  -- Threads start at different users and walk the list with a stride, so every user is used.
  counter = id * 7919
  math.randomseed(1000 + id)
end

function request()
  counter = counter + 1
  local auth = tokens[(counter % #tokens) + 1]
  if mode == "rate" then
    local body = string.format('{"movie_id": "%d", "rating": %.1f}',
      math.random(1, 1682), math.random(2, 10) / 2)
    return wrk.format("POST", "/api/rate",
      {["Authorization"] = auth, ["Content-Type"] = "application/json"}, body)
  end
  return wrk.format("GET", "/api/recommendations?n=12", {["Authorization"] = auth})
end

function done(summary, latency, requests)
  local e = summary.errors
  local out = io.open(os.getenv("LOAD_RESULT"), "w")
  out:write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "errors": {"connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d}, "latency_us": {"p50": %d, "p90": %d, ' ..
    '"p99": %d, "p999": %d, "max": %d, "mean": %.1f}}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max, latency.mean))
  out:close()
end
