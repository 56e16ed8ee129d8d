-- wrk script: the command throughput workload (tools/bench/figures/command-throughput.ts), the same
-- mix as its Node workload. Creates client configs, then patches each one's settings until it is at
-- version 5 (20% creates, 80% updates), never two commands on one stream at once: a stream is
-- ready for its next command only once the answer to the previous one came back, and that answer
-- names it. Every request has its own Idempotency-Key.
-- Arguments (after --): a run id unique to this wrk run, the file of the create body with CLIENT_ID
-- where the client id goes.
local run, template
local sequence = 0
local ready = {}
local VERSIONS_PER_STREAM = 5

function init(args)
  run = args[1]
  local file = assert(io.open(args[2], "r"))
  template = file:read("*a")
  file:close()
end

function request()
  sequence = sequence + 1
  local headers = { ["Content-Type"] = "application/json", ["Idempotency-Key"] = run .. "-" .. sequence }
  local id = table.remove(ready)
  if id == nil then
    local body = template:gsub("CLIENT_ID", run .. "-" .. sequence)
    return wrk.format("POST", "/v1/client-configs", headers, body)
  end
  local theme = (sequence % 2 == 0) and "dark" or "light"
  local body = '{"settings":{"theme":"' .. theme .. '","refreshSeconds":' .. (sequence % 300) .. '}}'
  return wrk.format("PATCH", "/v1/client-configs/" .. id, headers, body)
end

function response(status, headers, body)
  if status ~= 200 and status ~= 201 then return end
  local id = body:match('"id":"([^"]+)"')
  local version = tonumber(body:match('"version":(%d+)'))
  if id and version and version < VERSIONS_PER_STREAM then table.insert(ready, id) end
end
