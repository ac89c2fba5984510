-- Every request asks about a different address, so no cache can answer it.
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("id", thread_id)
  thread_id = thread_id + 1
end

function init(args)
  counter = id * 4000000
end

request = function()
  counter = counter + 1
  local a = math.floor(counter / 65536) % 256
  local b = math.floor(counter / 256) % 256
  local c = counter % 256
  return wrk.format("GET", "/v1/reputation/10." .. a .. "." .. b .. "." .. c, { ["x-functions-key"] = "bench-key" })
end
