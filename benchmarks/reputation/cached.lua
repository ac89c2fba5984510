-- The same few addresses again and again: answered from the in-memory cache after the first call.
local addresses = { "127.0.0.2", "192.0.2.1", "10.0.0.1", "198.51.100.7" }
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/v1/reputation/" .. addresses[(i % #addresses) + 1], { ["x-functions-key"] = "bench-key" })
end
