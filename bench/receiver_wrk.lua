-- wrk script for bench/receiver_bench.py: replays pre-signed courier events, counts answers.
--
-- args: <requests file> <number of wrk threads>. Each line of the file is
-- "<webhook-id>\t<webhook-timestamp>\t<webhook-signature>\t<json body>"; thread k sends the
-- lines i with i % threads == k, in order (cycling only if a slice runs out, which then shows
-- up as `duplicate` answers). The webhook-id also goes out as X-Request-Id, which both servers
-- echo, so each `accepted` answer is tied to its event whatever connection carried it.
-- done() writes wrk's counters, the whole latency distribution (one line per distinct latency:
-- microseconds and how many requests took that long, so the bench can merge windows and take
-- percentiles over every request of a run), the answers per status and the ids answered
-- `accepted` to the file named by $WRK_OUT.

local threads = {}
local requests, count, next_index = {}, 0, 0
accepted, other = {}, {}

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

function init(args)
  local path, nthreads = args[1], tonumber(args[2])
  local line_number = 0
  for line in io.lines(path) do
    if line_number % nthreads == thread_index then
      local id, stamp, signature, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
      count = count + 1
      requests[count] = wrk.format("POST", nil, {
        ["Content-Type"] = "application/json",
        ["webhook-id"] = id,
        ["webhook-timestamp"] = stamp,
        ["webhook-signature"] = signature,
        ["X-Request-Id"] = id,
      }, body)
    end
    line_number = line_number + 1
  end
end

function request()
  next_index = next_index % count + 1
  return requests[next_index]
end

function response(status, headers, body)
  if status == 200 and body:find('"accepted"', 1, true) then
    accepted[#accepted + 1] = headers["X-Request-Id"]
  else
    local key = tostring(status)
    if status == 200 then
      key = body:match('"status"%s*:%s*"([^"]*)"') or key
    end
    other[key] = (other[key] or 0) + 1
  end
end

function done(summary, latency, _requests)
  local out = assert(io.open(os.getenv("WRK_OUT"), "w"))
  out:write(string.format("duration_us %d\n", summary.duration))
  out:write(string.format("responses %d\n", summary.requests))
  local e = summary.errors
  out:write(string.format("errors %d\n", e.connect + e.read + e.write + e.timeout))
  for i = 1, #latency do
    local us, n = latency(i) -- the i-th distinct latency recorded and its count
    out:write(string.format("latency %d %d\n", us, n))
  end
  for _, thread in ipairs(threads) do
    for key, n in pairs(thread:get("other")) do
      out:write(string.format("other %s %d\n", key, n))
    end
    for _, id in ipairs(thread:get("accepted")) do
      out:write("accepted " .. id .. "\n")
    end
  end
  out:close()
end
