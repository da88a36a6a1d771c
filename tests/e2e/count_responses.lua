-- wrk -s count_responses.lua: counts responses by status and by the second
-- they arrived in (os.time), marking those that carry a Set-Cookie and those
-- whose Set-Cookie clears the cookie. Prints one JSON object after the run:
-- {"socket_errors": n, "<status>@<unix second>[+cookie][+cleared]": n, ...}.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  counts = {}
end

function response(status, headers, body)
  local key = status .. "@" .. os.time()
  local cookie = headers["Set-Cookie"] or headers["set-cookie"]
  if cookie then
    key = key .. "+cookie"
    local value = cookie:match("^[^=]*=([^;]*)")
    if value == nil or value == "" or cookie:lower():find("max%-age=0") then
      key = key .. "+cleared"
    end
  end
  counts[key] = (counts[key] or 0) + 1
end

function done(summary, latency, requests)
  local all = {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("counts")) do
      all[k] = (all[k] or 0) + v
    end
  end
  local e = summary.errors
  local parts = {string.format('"socket_errors":%d', e.connect + e.read + e.write + e.timeout)}
  for k, v in pairs(all) do
    table.insert(parts, string.format('"%s":%d', k, v))
  end
  io.write("{" .. table.concat(parts, ",") .. "}\n")
end
