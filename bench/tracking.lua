-- wrk's script for bench/tracking.sh: every request takes the next path of a file (one tracking path a line, each
-- thread starting at its own place in it), optionally with "Connection: close" and a Host header, and the summary is
-- printed as one line the shell reads.
--   wrk ... http://127.0.0.1:PORT -- PATHS_FILE keepalive|close [HOST]
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end

local paths = {}
local i = 0

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  if #paths == 0 then error("no paths in " .. args[1]) end
  i = ((tid or 1) * 7919) % #paths
  if args[2] == "close" then wrk.headers["Connection"] = "close" end
  if args[3] and #args[3] > 0 then wrk.headers["Host"] = args[3] end
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f status_errors=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.status, e.connect, e.read, e.write, e.timeout))
end
