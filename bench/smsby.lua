-- wrk script for the dlr-hub benchmark: POSTs sms.by form webhooks, each with a unique message_id.
--
--   wrk -t2 -c50 -d30s --latency -s bench/smsby.lua 'http://127.0.0.1:18080/webhooks/smsby?token=T' -- <label>
--
-- <label>  goes into every message_id, so ids never repeat across runs of one benchmark
--          (dlr-hub would answer a repeat as "duplicate" and store no new row).
-- Pacing (soak): env BENCH_RATE=<total requests/s> and BENCH_THREADS=<wrk's -t> make each wrk
--          thread hand out send times at its share of the rate, one per request; wrk's delay()
--          hook holds the connection until its time. A slow answer holds only its connection, the
--          next free one takes the following time, so the rate does not sag as latency grows.
--          A server that falls behind gets requests back to back until it has caught up, with at
--          most 1 s of lost time made up. wrk decides at load time whether delay() exists, so it
--          is only defined when BENCH_RATE is set. Without it, requests go back to back (closed
--          loop, as fast as the server answers).
-- message_id = <label>-<thread number>-<counter>: the thread number is handed out in setup(),
-- which runs once per thread in the main Lua state, so ids are unique across threads.
-- done() prints one machine-readable line:
--   BENCH_RESULT ok=<2xx> non2xx=<others> p50_us=.. p99_us=.. requests=.. duration_us=.. errors=.. statuses=200:n,503:m
-- (wrk's own "Non-2xx or 3xx responses" only counts status >= 400; we count every non-2xx.)

local threads = {}
local next_tid = 0

function setup(thread)
  next_tid = next_tid + 1
  thread:set("tid", next_tid)
  table.insert(threads, thread)
end

function init(args)
  label = args[1] or "run"
  counter = 0
  ok = 0
  bad = 0
  statuses = {}
  headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
  prefix = "channel=SMS&message_id=" .. label .. "-" .. tid .. "-"
end

function request()
  counter = counter + 1
  return wrk.format("POST", nil, headers, prefix .. counter .. "&status=DELIVERED")
end

local rate = tonumber(os.getenv("BENCH_RATE") or "")
if rate and rate > 0 then
  local ffi = require("ffi")
  ffi.cdef[[
    typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
    int clock_gettime(int clock_id, bench_timespec *tp);
  ]]
  local CLOCK_MONOTONIC = 1
  local ts = ffi.new("bench_timespec")
  local function now_ms()
    ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
    return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
  end
  local threads_n = tonumber(os.getenv("BENCH_THREADS") or "") or 1
  local interval_ms = 1000 * threads_n / rate
  local next_send = nil

  function delay()
    local now = now_ms()
    -- the first request goes now; a schedule more than 1 s behind restarts 1 s behind
    next_send = math.max(next_send or now, now - 1000)
    local at = next_send
    next_send = next_send + interval_ms
    -- wrk takes whole milliseconds; sending up to 1 ms early keeps the average on schedule
    return math.max(0, math.floor(at - now))
  end
end

function response(status, hdrs, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
  else
    bad = bad + 1
  end
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total_ok, total_bad, merged = 0, 0, {}
  for _, t in ipairs(threads) do
    total_ok = total_ok + (t:get("ok") or 0)
    total_bad = total_bad + (t:get("bad") or 0)
    -- wrk copies tables between Lua states
    for code, n in pairs(t:get("statuses") or {}) do
      merged[code] = (merged[code] or 0) + n
    end
  end
  local parts = {}
  for code, n in pairs(merged) do table.insert(parts, code .. ":" .. n) end
  table.sort(parts)
  local e = summary.errors
  io.write(string.format(
    "BENCH_RESULT ok=%d non2xx=%d p50_us=%d p99_us=%d requests=%d duration_us=%d errors=connect:%d,read:%d,write:%d,timeout:%d statuses=%s\n",
    total_ok, total_bad, latency:percentile(50), latency:percentile(99), summary.requests, summary.duration,
    e.connect, e.read, e.write, e.timeout, table.concat(parts, ",")))
end
