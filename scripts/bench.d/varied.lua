-- wrk: one municipality × 24 months, a different municipality and offset on every request, so
-- that the response cache fills and evicts (its memory bound is what this load shows).
local codes = {}
for line in io.lines(os.getenv("KOMMUNER") or "kommuner.txt") do codes[#codes + 1] = line end
math.randomseed(os.time())
request = function()
  local k = codes[math.random(#codes)]
  local off = math.random(0, 47)
  return wrk.format("GET", "/api/v2/tables/SAMT01/data?valuecodes%5Bomraade%5D=" .. k ..
    "&valuecodes%5Btid%5D=TOP(24," .. off .. ")&valuecodes%5Bydelse%5D=*")
end
