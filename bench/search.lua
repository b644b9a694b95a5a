-- wrk script for bench/search.sh: GETs of the operations API's search and dead lists, with the
-- admin token.
--
--   BENCH_TOKEN=T wrk -t1 -c1 -d20s -s bench/search.lua http://127.0.0.1:19876 -- <mode> [ids-file]
--
-- <mode>     exact      GET /api/events?message_id=<a random id of the file>
--            prefix     GET /api/events?message_id_prefix=<the first 5 characters of a random id>
--            dead-list  GET /api/outbox?state=dead
--            sink-dead  GET /api/events?sink=crm&sink_state=dead
-- ids-file   one existing message id a line (exact and prefix)
-- done() prints one machine-readable line:
--   SEARCH_RESULT requests=.. ok=.. non2xx=.. empty=.. p50_us=.. p95_us=.. p99_us=.. max_us=.. duration_us=.. errors=..
-- empty: 2xx answers of exact/prefix whose page held no event (every id searched exists, so
-- each should find at least one).

local threads = {}
local next_tid = 0

function setup(thread)
  next_tid = next_tid + 1
  thread:set("tid", next_tid)
  table.insert(threads, thread)
end

local function read_ids(path)
  local ids = {}
  local file = assert(io.open(path, "r"), "cannot read " .. tostring(path))
  for line in file:lines() do
    if #line > 0 then table.insert(ids, line) end
  end
  file:close()
  assert(#ids > 0, "no ids in " .. path)
  return ids
end

local function encode(text)
  return (text:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
  mode = args[1] or "exact"
  if mode == "exact" or mode == "prefix" then ids = read_ids(args[2]) end
  math.randomseed(os.time() * 100 + tid)
  headers = { ["Authorization"] = "Bearer " .. assert(os.getenv("BENCH_TOKEN"), "BENCH_TOKEN not set") }
  ok, bad, empty = 0, 0, 0
  fixed = nil
  if mode == "dead-list" then
    fixed = wrk.format("GET", "/api/outbox?state=dead", headers)
  elseif mode == "sink-dead" then
    fixed = wrk.format("GET", "/api/events?sink=crm&sink_state=dead", headers)
  elseif mode ~= "exact" and mode ~= "prefix" then
    error("unknown mode " .. mode)
  end
end

function request()
  if fixed then return fixed end
  local id = ids[math.random(#ids)]
  if mode == "exact" then
    return wrk.format("GET", "/api/events?message_id=" .. encode(id), headers)
  end
  return wrk.format("GET", "/api/events?message_id_prefix=" .. encode(id:sub(1, 5)), headers)
end

function response(status, hdrs, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
    if not fixed and body:find('"events":[]', 1, true) then empty = empty + 1 end
  else
    bad = bad + 1
    if bad <= 3 then io.stderr:write("status " .. status .. ": " .. body:sub(1, 300) .. "\n") end
  end
end

function done(summary, latency, requests)
  local total_ok, total_bad, total_empty = 0, 0, 0
  for _, t in ipairs(threads) do
    total_ok = total_ok + (t:get("ok") or 0)
    total_bad = total_bad + (t:get("bad") or 0)
    total_empty = total_empty + (t:get("empty") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    "SEARCH_RESULT requests=%d ok=%d non2xx=%d empty=%d p50_us=%d p95_us=%d p99_us=%d max_us=%d duration_us=%d errors=connect:%d,read:%d,write:%d,timeout:%d\n",
    summary.requests, total_ok, total_bad, total_empty, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, summary.duration, e.connect, e.read, e.write, e.timeout))
end
