import { MINUTE_MS, SURGE_BIN_MS } from '../core/surge-meter.js';

// Lua of the account-takeover detectors in Redis: `ThresholdTable` (src/core/threshold-table.ts) and
// `SurgeMeter` (src/core/surge-meter.ts) ported step for step, so a replica's script call decides
// exactly what the in-memory store decides for the same events (test/store/redis-differential.test.ts
// compares them event by event). Shared by the failure script and the query script (redis-scripts.ts).
//
// A threshold detector (credential stuffing: tag 's', keyed by client; account brute force: 'a', keyed
// by the account's digest; network brute force: 'n', keyed by the network) keeps, per subject:
//   P <tag>:<subject>  a string: the subject's whole state, packed with cmsgpack (one GET, one SET
//                      per event): {last seen, touch sequence, threshold and distinct it was written
//                      with, ring head, ring fill, episode count, last alert, suppressed, over until,
//                      ring (the last `threshold` failure times), others (the `distinct` most recently
//                      seen distinct others, flat: member, time, ...)}; times are stored as
//                      milliseconds before 'last seen', so most fit in 1 to 4 bytes
//   P <tag>lru         a sorted set of the tracked subjects scored by their last activity (ms), capped
//                      at the detector's maxTracked: past it idle subjects are dropped, then the least
//                      recently active is evicted (ties: the lower touch sequence, as in the memory LRU)
// The failed-login surge keeps one string, P surge: the meter's fields and its bins, packed likewise.
// Every key gets a TTL of the detector's window + the keep-firing time, renewed when written.

/** At most this many subjects with the same last-activity ms are compared to pick an eviction victim. */
const MAX_TIES = 64;

export const DETECTOR_LUA = `
local NEG = -1e300
local function opt(x) if x == false then return NEG end return x end
local function store_opt(x) if x <= NEG then return false end return x end

-- A subject's state is its blob's array, unpacked and used in place (no table is built per event):
local T, Q, HEAD, FILLED, EPISODE, LAST_ALERT, SUPPRESSED, UNTIL, RING, OTHERS = 1, 2, 5, 6, 7, 8, 9, 10, 11, 12

-- A subject's state from its blob, times made absolute; nil when missing, idle for 'idle' ms, or
-- written with other settings.
local function load_subject(blob, now, idle, threshold, distinct)
  if not blob then return nil end
  local s = cmsgpack.unpack(blob)
  local t = s[T]
  if s[3] ~= threshold or s[4] ~= distinct or t <= now - idle then return nil end
  local ring, others = s[RING], s[OTHERS]
  for i = 1, #ring do ring[i] = t - ring[i] end
  for i = 2, #others, 2 do others[i] = t - others[i] end
  s[LAST_ALERT], s[UNTIL] = opt(s[LAST_ALERT]), opt(s[UNTIL])
  return s
end

local function save_subject(key, s, ttl)
  local t = s[T]
  local ring, others = s[RING], s[OTHERS]
  for i = 1, #ring do ring[i] = t - ring[i] end
  for i = 2, #others, 2 do others[i] = t - others[i] end
  s[LAST_ALERT], s[UNTIL] = store_opt(s[LAST_ALERT]), store_opt(s[UNTIL])
  redis.call('SET', key, cmsgpack.pack(s), 'PX', ttl)
end

-- Makes room in a detector's LRU past its cap: idle subjects first (not counted), then the least
-- recently active other than 'member'. Returns 1 when a subject was evicted.
local function make_room(lru, key_prefix, member, now, idle, cap)
  if redis.call('ZCARD', lru) <= cap then return 0 end
  local stale = redis.call('ZRANGEBYSCORE', lru, '-inf', now - idle, 'LIMIT', 0, 1000)
  for _, m in ipairs(stale) do
    if m ~= member then
      redis.call('ZREM', lru, m)
      redis.call('DEL', key_prefix .. m)
    end
  end
  if redis.call('ZCARD', lru) <= cap then return 0 end
  local front = redis.call('ZRANGE', lru, 0, 1, 'WITHSCORES')
  local victim, score = front[1], front[2]
  if victim == member then victim, score = front[3], front[4] end
  local ties = redis.call('ZRANGEBYSCORE', lru, score, score, 'LIMIT', 0, ${MAX_TIES})
  if #ties > 1 then
    local best, best_q = nil, nil
    for _, m in ipairs(ties) do
      if m ~= member then
        local blob = redis.call('GET', key_prefix .. m)
        local q = -1
        if blob then q = cmsgpack.unpack(blob)[2] end
        if best == nil or q < best_q then best, best_q = m, q end
      end
    end
    victim = best
  end
  redis.call('ZREM', lru, victim)
  redis.call('DEL', key_prefix .. victim)
  return 1
end

-- Puts 'other' (seen at 'now') into the subject's set of its 'size' most recently seen others,
-- replacing the least recent when full. Returns the least recent time left in the set.
local function remember_other(others, other, now, size)
  local n = #others
  local at = nil
  for i = 1, n, 2 do
    if others[i] == other then at = i break end
  end
  if not at then
    if n / 2 < size then
      at = n + 1
    else
      local least = math.huge
      for i = 1, n, 2 do
        if others[i + 1] < least then least = others[i + 1]; at = i end
      end
    end
    others[at] = other
  end
  others[at + 1] = now
  local least = math.huge
  for i = 2, #others, 2 do
    if others[i] < least then least = others[i] end
  end
  return least
end

-- One failure of a subject of a threshold detector. c: {tag, threshold, distinct, window, realert,
-- keep, cap, ttl}. Returns decision, count, suppressed, over until (-1: not over), evicted (0/1).
local function threshold_failure(P, c, member, other, now, seq)
  local tag, threshold, distinct, window = c[1], c[2], c[3], c[4]
  local idle = window + c[6]
  local key_prefix = P .. tag .. ':'
  local key = key_prefix .. member
  local lru = P .. tag .. 'lru'
  local s = load_subject(redis.call('GET', key), now, idle, threshold, distinct)
  local evicted = 0
  if s and s[T] > now then now = s[T] end
  redis.call('ZADD', lru, now, member)
  redis.call('PEXPIRE', lru, c[8])
  if not s then
    s = {now, seq, threshold, distinct, 0, 0, 0, NEG, 0, NEG, {}, {}}
    evicted = make_room(lru, key_prefix, member, now, idle, c[7])
  end
  s[T], s[Q] = now, seq

  local since = now - window
  local till = math.huge
  local over = true
  if threshold > 0 then
    local ring, head = s[RING], s[HEAD]
    ring[head + 1] = now
    head = head + 1
    if head == threshold then head = 0 end
    s[HEAD] = head
    local filled = s[FILLED]
    if filled < threshold then s[FILLED] = filled + 1 end
    -- With the ring full, 'head' now names the oldest of the last 'threshold' failures.
    local oldest = ring[head + 1]
    over = filled + 1 >= threshold and oldest > since
    if oldest then till = oldest + window end
  end
  if distinct > 0 then
    local others = s[OTHERS]
    local least = remember_other(others, other, now, distinct)
    if #others / 2 < distinct or least <= since then
      over = false
    elseif least + window < till then
      till = least + window
    end
  end

  local decision, count, reported, reply_until = 0, 0, 0, -1
  if over then
    local ended = s[UNTIL] + c[6] <= now
    s[UNTIL] = till
    reply_until = till
    if s[EPISODE] == 0 or ended then
      s[EPISODE] = math.max(threshold, distinct)
      decision = 1
    else
      s[EPISODE] = s[EPISODE] + 1
      if now - s[LAST_ALERT] >= c[5] then decision = 3 else decision = 2 end
    end
    count = s[EPISODE]
    if decision == 2 then
      s[SUPPRESSED] = s[SUPPRESSED] + 1
    else
      reported = s[SUPPRESSED]
      s[SUPPRESSED] = 0
      s[LAST_ALERT] = now
    end
  end
  save_subject(key, s, c[8])
  return decision, count, reported, reply_until, evicted
end

-- What offenders() and the lifecycle ask about a subject: over until (-1e300: unknown), the attack's
-- size (episode while it goes on, else failures or distinct others inside the window), last seen.
local function threshold_query(P, c, member, now)
  local threshold, distinct, window, keep = c[2], c[3], c[4], c[6]
  local s = load_subject(redis.call('GET', P .. c[1] .. ':' .. member), now, window + keep, threshold, distinct)
  if not s then return NEG, 0, NEG end
  if s[EPISODE] > 0 and s[UNTIL] + keep > now then return s[UNTIL], s[EPISODE], s[T] end
  local since, count = now - window, 0
  if threshold > 0 then
    local ring = s[RING]
    for i = 1, #ring do if ring[i] > since then count = count + 1 end end
  else
    local others = s[OTHERS]
    for i = 2, #others, 2 do if others[i] > since then count = count + 1 end end
  end
  return s[UNTIL], count, s[T]
end

-- The failed-login surge (see SurgeMeter). g: {minPerMinute, factor, alpha, bins, warmup minutes,
-- realert, keep, ttl}.
local BIN, MINUTE = ${SURGE_BIN_MS}, ${MINUTE_MS}
local function surge_load(P, g)
  local blob = redis.call('GET', P .. 'surge')
  local m = blob and cmsgpack.unpack(blob)
  if not m or #m[15] ~= g[4] then
    local bins = {}
    for i = 1, g[4] do bins[i] = 0 end
    return {bin = false, sum = 0, minute = false, minute_count = 0, ewma = 0, weight = 0, seen = 0,
      frozen = 0, over = false, episode = 0, last_alert = NEG, suppressed = 0, ended = NEG,
      below = false, bins = bins}
  end
  return {bin = m[1], sum = m[2], minute = m[3], minute_count = m[4], ewma = m[5], weight = m[6],
    seen = m[7], frozen = m[8], over = m[9], episode = m[10], last_alert = opt(m[11]),
    suppressed = m[12], ended = opt(m[13]), below = m[14], bins = m[15]}
end

local function surge_save(P, m, ttl)
  redis.call('SET', P .. 'surge', cmsgpack.pack({m.bin, m.sum, m.minute, m.minute_count, m.ewma,
    m.weight, m.seen, m.frozen, m.over, m.episode, store_opt(m.last_alert), m.suppressed,
    store_opt(m.ended), m.below, m.bins}), 'PX', ttl)
end

local function surge_baseline(m)
  if m.weight > 0 then return m.ewma / m.weight end
  return 0
end

local function surge_needed(m, g)
  local per_minute = math.max(g[1], g[2] * surge_baseline(m))
  return math.ceil((per_minute * g[4] * BIN) / MINUTE)
end

local function surge_drop_time(m, g)
  local size = g[4]
  local sum = m.sum
  for age = size - 1, 0, -1 do
    local bin = m.bin - age
    sum = sum - m.bins[bin % size + 1]
    if sum < m.frozen then return (bin + size) * BIN end
  end
  return (m.bin + size) * BIN
end

local function surge_settle(m, g, now)
  if not m.over then return end
  if m.below == false then
    local drop = surge_drop_time(m, g)
    if drop > now then return end
    m.below = drop
  end
  if m.below + g[7] > now then return end
  m.over = false
  m.ended = m.below
  m.below = false
end

local function surge_advance(m, g, now)
  local bin = math.floor(now / BIN)
  if m.bin == false then
    m.bin = bin
    m.minute = math.floor(now / MINUTE)
    return
  end
  local size = g[4]
  if bin > m.bin then
    for i = 1, math.min(bin - m.bin, size) do
      local slot = (m.bin + i) % size + 1
      m.sum = m.sum - m.bins[slot]
      m.bins[slot] = 0
    end
    m.bin = bin
  end
  local minute = math.floor(now / MINUTE)
  if minute > m.minute then
    local passed = minute - m.minute
    if not m.over then
      local alpha = g[3]
      local keep = 1 - alpha
      m.ewma = m.ewma * keep + alpha * m.minute_count
      m.weight = m.weight * keep + alpha
      if passed > 1 then
        -- By repeated squaring, as surge-meter.ts's powInteger: the same bits as the memory store.
        local decay, square, rest = 1, keep, passed - 1
        while rest > 0 do
          if rest % 2 == 1 then decay = decay * square end
          square = square * square
          rest = math.floor(rest / 2)
        end
        m.ewma = m.ewma * decay
        m.weight = 1 - (1 - m.weight) * decay
      end
      m.seen = m.seen + passed
    end
    m.minute = minute
    m.minute_count = 0
  end
end

-- One failed login anywhere. Returns decision, count, suppressed, over until, baseline.
local function surge_failure(P, g, now)
  local m = surge_load(P, g)
  surge_settle(m, g, now)
  surge_advance(m, g, now)
  local slot = m.bin % g[4] + 1
  m.bins[slot] = m.bins[slot] + 1
  m.sum = m.sum + 1
  m.minute_count = m.minute_count + 1
  local needed
  if m.over then needed = m.frozen else needed = surge_needed(m, g) end
  local decision, count, reported, till, baseline = 0, 0, 0, -1, 0
  if m.sum >= needed and m.seen >= g[5] then
    m.below = false
    if not m.over then
      m.over = true
      m.frozen = needed
      m.episode = m.sum
      decision = 1
    else
      m.episode = m.episode + 1
      if now - m.last_alert >= g[6] then decision = 3 else decision = 2 end
    end
    count = m.episode
    if decision == 2 then
      m.suppressed = m.suppressed + 1
    else
      m.last_alert = now
      reported = m.suppressed
      m.suppressed = 0
      till = surge_drop_time(m, g)
      baseline = surge_baseline(m)
    end
  end
  surge_save(P, m, g[8])
  return decision, count, reported, till, baseline
end

-- Until when the surge goes on (-1e300: there has been none); settles it, as SurgeMeter.overUntil.
local function surge_until(P, g, now)
  local m = surge_load(P, g)
  surge_settle(m, g, now)
  local till
  if not m.over then till = m.ended
  elseif m.below == false then till = surge_drop_time(m, g)
  else till = m.below end
  surge_save(P, m, g[8])
  return till
end

-- The rate window's failures now; moves the bins on, as SurgeMeter.count.
local function surge_count(P, g, now)
  local m = surge_load(P, g)
  surge_advance(m, g, now)
  surge_save(P, m, g[8])
  return m.sum
end

local function num(x) return string.format('%.17g', x) end
`;
