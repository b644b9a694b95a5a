-- wrk script for bench/batch.sh: POSTs Infobip requests of REPORTS delivery reports each, every
-- report about a message never reported before, and checks that each answer lists them all.
--
--   BENCH_TOKEN=T wrk -t1 -c1 -d60s -s bench/batch.lua http://127.0.0.1:18280 -- <label> [reports] [pause]
--
-- <label>    prefix of the message ids (run-<thread>-<request>-<report>): warm-up and measured
--            run use different labels, so their rows can be counted apart
-- reports    reports per request (default 1000)
-- pause      milliseconds between an answer and the next request (default 0): room for the CRM
--            to receive the events of one request before the next one comes
-- The body is built in request(), before wrk starts the request's clock; the answer is read in
-- response(), after wrk took the time of its last byte: neither is in the latency.
-- done() prints one machine-readable line:
--   BATCH_RESULT requests=.. ok=.. non2xx=.. events=.. accepted=.. short=.. p50_us=.. p90_us=..
--                p99_us=.. max_us=.. duration_us=.. errors=..
-- events: event ids listed in the 2xx answers; accepted: of those, how many were "accepted" (new);
-- short: 2xx answers that listed fewer events than the request carried reports.

local threads = {}
local next_tid = 0

function setup(thread)
  next_tid = next_tid + 1
  thread:set("tid", next_tid)
  table.insert(threads, thread)
end

-- one report as Infobip documents it (all delivered: no failure alert to send)
local REPORT = '{"bulkId":"%s","messageId":"%s","to":"4179%07d","sentAt":"2026-11-30T10:00:00.000+0000",'
  .. '"doneAt":"2026-11-30T10:%02d:%02d.%03d+0000","smsCount":1,"mccMnc":"22801","callbackData":"order-%d",'
  .. '"price":{"pricePerMessage":0.01,"currency":"EUR"},'
  .. '"status":{"groupId":3,"groupName":"DELIVERED","id":5,"name":"DELIVERED_TO_HANDSET",'
  .. '"description":"Message delivered to handset"},'
  .. '"error":{"groupId":0,"groupName":"OK","id":0,"name":"NO_ERROR","description":"No Error","permanent":false}}'

function init(args)
  label = args[1] or "run"
  reports = tonumber(args[2] or "1000")
  pause = tonumber(args[3] or "0")
  path = "/webhooks/infobip?token=" .. assert(os.getenv("BENCH_TOKEN"), "BENCH_TOKEN not set")
  headers = { ["Content-Type"] = "application/json" }
  counter = 0
  ok, bad, events, accepted, short = 0, 0, 0, 0, 0
end

function request()
  counter = counter + 1
  local batch = string.format("%s-%d-%d", label, tid, counter)
  local parts = {}
  for i = 1, reports do
    parts[i] = string.format(REPORT, batch, batch .. "-" .. i, i, i % 60, (i * 7) % 60, i % 1000, i)
  end
  return wrk.format("POST", path, headers, '{"results":[' .. table.concat(parts, ",") .. ']}')
end

-- wrk starts a request's clock when it sends it, after this wait
function delay()
  return pause
end

local function count(text, pattern)
  local _, n = text:gsub(pattern, "")
  return n
end

function response(status, hdrs, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
    -- the answer names the first event once more outside the list: {"status","event_id","events":[...]}
    local listed = count(body, '"event_id"') - 1
    events = events + listed
    accepted = accepted + count(body, '"accepted"') - 1
    if listed < reports then
      short = short + 1
    end
  else
    bad = bad + 1
    if bad <= 3 then io.stderr:write("status " .. status .. ": " .. body:sub(1, 300) .. "\n") end
  end
end

function done(summary, latency, requests)
  local t_ok, t_bad, t_events, t_accepted, t_short = 0, 0, 0, 0, 0
  for _, t in ipairs(threads) do
    t_ok = t_ok + (t:get("ok") or 0)
    t_bad = t_bad + (t:get("bad") or 0)
    t_events = t_events + (t:get("events") or 0)
    t_accepted = t_accepted + (t:get("accepted") or 0)
    t_short = t_short + (t:get("short") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    "BATCH_RESULT requests=%d ok=%d non2xx=%d events=%d accepted=%d short=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d duration_us=%d errors=connect:%d,read:%d,write:%d,timeout:%d\n",
    summary.requests, t_ok, t_bad, t_events, t_accepted, t_short, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, summary.duration, e.connect, e.read, e.write, e.timeout))
end
