// The Lua scripts of the Redis store. Each runs atomically on the Redis server, so replicas sharing
// one Redis can neither double-count a failed login nor both see the same crossing: exactly one
// script execution returns ALERT for it. They mirror `ClientWindows` (src/core/client-windows.ts)
// and, for the account-takeover detectors, `ThresholdTable` and `SurgeMeter` (redis-detector-lua.ts)
// step for step; the conformance suite (test/store/conformance.ts) and the differential test
// (test/store/redis-differential.test.ts) hold them to the same behaviour.
//
// Keys (P = the key prefix):
//   P lru          sorted set: every tracked client, scored by a sequence number in order of last
//                  activity (least recently active first), capped at maxTrackedIps
//   P c:<client>   hash per client: 't' last seen, 'n' threshold the ring was written with, 'h' ring
//                  head, 'f' ring fill, 'e' episode count, 'a' last alert, 's' suppressed since it,
//                  'u' when the current (or last) episode ends, 'r' last rate-limit alert, and
//                  '0'..'n-1' the last `threshold` failure times
//   P priv         the time of the last privilege-escalation alert
//   P s: a: n: slru alru nlru surge   the account-takeover detectors (see redis-detector-lua.ts)
// Every key has a TTL (the window, or the privileged interval), renewed when written.
//
// Time comes from the caller (the monitor's clock), so tests can inject it. Replicas' clocks may
// differ slightly: per client, a time older than the last one seen is treated as that time.

/** At most this many idle clients are forgotten per call, so no single call holds Redis for long. */
import { DETECTOR_LUA } from './redis-detector-lua.js';

const MAX_EXPIRED_PER_CALL = 1000;

const HELPERS = `
local function expire_idle(lru, client_prefix, cutoff)
  for _ = 1, ${MAX_EXPIRED_PER_CALL} do
    local front = redis.call('ZRANGE', lru, 0, 0)[1]
    if not front then return end
    local seen = tonumber(redis.call('HGET', client_prefix .. front, 't'))
    if seen and seen > cutoff then return end
    redis.call('ZREM', lru, front)
    redis.call('DEL', client_prefix .. front)
  end
end

-- Tracked clients seen inside the window: the tracked ones minus those at the old end of the LRU that
-- are kept only for the keep-firing time (bounded walk).
local function active_count(lru, client_prefix, now, window)
  local inactive = 0
  -- In pages of 16: usually the first member is active, and a page of 1,000 would cost more than
  -- the rest of the script.
  while inactive < ${MAX_EXPIRED_PER_CALL} do
    local page = redis.call('ZRANGE', lru, inactive, inactive + 15)
    for _, member in ipairs(page) do
      local seen = tonumber(redis.call('HGET', client_prefix .. member, 't'))
      if seen and seen > now - window then return redis.call('ZCARD', lru) - inactive end
      inactive = inactive + 1
    end
    if #page < 16 then break end
  end
  return redis.call('ZCARD', lru) - inactive
end

local function touch(lru, client, member, client_prefix, now, window, cap, ttl)
  -- The sequence number of this touch, read before anything leaves the set: it also orders the
  -- detectors' subjects touched in the same millisecond (redis-detector-lua.ts), so it must not
  -- start over while any of them may still be tracked.
  local top = redis.call('ZRANGE', lru, -1, -1, 'WITHSCORES')[2]
  local seq = (tonumber(top) or 0) + 1
  expire_idle(lru, client_prefix, now - window)
  local evicted = 0
  if not redis.call('ZSCORE', lru, member) then
    redis.call('DEL', client)
    if redis.call('ZCARD', lru) >= cap then
      local victim = redis.call('ZPOPMIN', lru)[1]
      redis.call('DEL', client_prefix .. victim)
      evicted = 1
    end
  end
  redis.call('ZADD', lru, seq, member)
  redis.call('PEXPIRE', lru, ttl)
  return evicted, seq
end

-- A threshold detector's settings, as the store passes them: seven little-endian doubles (threshold,
-- distinct, window, re-alert interval, keep-firing time, cap, TTL; one C call to read, where parsing
-- text cost more than a detector's own work), or '' when the detector is off.
local function settings(tag, packed)
  if packed == '' then return nil end
  local threshold, distinct, window, realert, keep, cap, ttl = struct.unpack('<ddddddd', packed)
  return {tag, threshold, distinct, window, realert, keep, cap, ttl}
end

-- The surge's: eight doubles (minPerMinute, factor, alpha, bins, warm-up minutes, re-alert interval,
-- keep-firing time, TTL), or ''.
local function surge_settings(packed)
  if packed == '' then return nil end
  return {struct.unpack('<dddddddd', packed)}
end
`;

/**
 * One failed login, decided for every login detector at once. KEYS: lru, client hash. ARGV: now,
 * windowMs, maxTrackedIps, ttlMs, member, client key prefix, threshold, realertIntervalMs,
 * keepFiringForMs (brute force, as before); the detectors' key prefix; the account's member and the
 * network's ('' when none); the settings of credential stuffing, account and network brute force and
 * the surge ('' when off). Returns, per detector (brute force, stuffing, account, network, surge):
 * decision (0 none, 1 alert, 2 suppressed, 3 re-alert), count, suppressed, when the episode ends (-1:
 * not over); after brute force's: clients evicted and tracked; after the account's and the network's:
 * evicted; last, the surge's baseline (text).
 */
export const FAILURE_SCRIPT = `${HELPERS}${DETECTOR_LUA}
local lru, client = KEYS[1], KEYS[2]
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local threshold, realert, keep_firing = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local started = now
-- A client is kept for the window and the keep-firing time (see ThresholdTable).
local evicted, seq = touch(lru, client, ARGV[5], ARGV[6], now, window + keep_firing, tonumber(ARGV[3]), ARGV[4])
local st = redis.call('HMGET', client, 't', 'n', 'h', 'f', 'e', 'a', 's', 'u')
local seen = tonumber(st[1])
if seen and seen > now then now = seen end
local head, filled, episode, last_alert, suppressed, ends = 0, 0, 0, nil, 0, nil
if tonumber(st[2]) == threshold then
  head, filled, episode = tonumber(st[3]) or 0, tonumber(st[4]) or 0, tonumber(st[5]) or 0
  last_alert, suppressed, ends = tonumber(st[6]), tonumber(st[7]) or 0, tonumber(st[8])
elseif st[2] then
  -- Written with another threshold (a settings change): start over, keeping the rate-limit state.
  local rate_limited = redis.call('HGET', client, 'r')
  redis.call('DEL', client)
  if rate_limited then redis.call('HSET', client, 'r', rate_limited) end
end
redis.call('HSET', client, head, now)
head = head + 1
if head == threshold then head = 0 end
-- With the ring full, 'head' now names the oldest of the last 'threshold' failures.
local oldest = tonumber(redis.call('HGET', client, head))
local over = filled + 1 >= threshold and oldest > now - window
if filled < threshold then filled = filled + 1 end
local decision, count, reported, over_until = 0, 0, 0, -1
if over then
  over_until = oldest + window
  -- The previous episode is over for good (the client fell below more than keep_firing ms ago): a
  -- new crossing. Below, nothing changes: 'u' keeps when it fell below.
  if episode == 0 or (ends and ends + keep_firing <= now) then
    episode = threshold
    decision = 1
  else
    episode = episode + 1
    if last_alert == nil or now - last_alert >= realert then
      decision = 3
    else
      decision = 2
      suppressed = suppressed + 1
    end
  end
  count = episode
  redis.call('HSET', client, 'u', over_until)
end
if decision == 1 or decision == 3 then
  count, reported, suppressed, last_alert = episode, suppressed, 0, now
  redis.call('HSET', client, 'a', now)
end
redis.call('HSET', client, 't', now, 'n', threshold, 'h', head, 'f', filled, 'e', episode, 's', suppressed)
redis.call('PEXPIRE', client, ARGV[4])
local reply = {decision, count, reported, evicted, active_count(lru, ARGV[6], now, window), over_until,
  0, 0, 0, -1, 0, 0, 0, -1, 0, 0, 0, 0, -1, 0, 0, 0, 0, -1, '0'}

-- The account-takeover detectors, each on its own subjects (times clamped per subject, as above).
local P, account, network = ARGV[10], ARGV[11], ARGV[12]
local stuffing = settings('s', ARGV[13])
if stuffing and account ~= '' then
  reply[7], reply[8], reply[9], reply[10] = threshold_failure(P, stuffing, ARGV[5], account, started, seq)
end
local accounts = settings('a', ARGV[14])
if accounts and account ~= '' then
  reply[11], reply[12], reply[13], reply[14], reply[15] = threshold_failure(P, accounts, account, ARGV[5], started, seq)
end
local networks = settings('n', ARGV[15])
if networks and network ~= '' then
  reply[16], reply[17], reply[18], reply[19], reply[20] = threshold_failure(P, networks, network, ARGV[5], started, seq)
end
local surge = surge_settings(ARGV[16])
if surge then
  local baseline
  reply[21], reply[22], reply[23], reply[24], baseline = surge_failure(P, surge, started)
  reply[25] = num(baseline)
end
return reply
`;

/**
 * Questions about one subject, for a successful login, the alert lifecycle and offenders(). KEYS:
 * client hash ('' key when no client). ARGV: what ('success', 'until' or 'activity'), the detector's
 * index (LOGIN_DETECTORS), now, detectors' key prefix, client member, account member, network member
 * ('' when none), brute force's threshold, windowMs and keepFiringForMs, then the settings of
 * stuffing, account, network brute force and the surge ('' when off). Returns for 'success' the bit
 * mask of detectors over now; for 'until' when the subject stays over (text; -1e300: unknown); for
 * 'activity' {count, last seen (text)}.
 */
export const QUERY_SCRIPT = `${HELPERS}${DETECTOR_LUA}
local what, detector, now, P = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local client, account, network = ARGV[5], ARGV[6], ARGV[7]
local threshold, window, keep = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10])
local configs = {settings('s', ARGV[11]), settings('a', ARGV[12]), settings('n', ARGV[13])}
local members = {client, account, network}

-- Brute force's client hash, read as ThresholdTable would answer for it.
local function client_query()
  if client == '' then return NEG, 0, NEG end
  local st = redis.call('HMGET', KEYS[1], 't', 'n', 'f', 'e', 'u')
  local seen = tonumber(st[1])
  if not seen or seen <= now - window - keep then return NEG, 0, NEG end
  local ends = tonumber(st[5]) or NEG
  local episode = tonumber(st[4]) or 0
  if episode > 0 and ends + keep > now then return ends, episode, seen end
  local count = 0
  if tonumber(st[2]) == threshold then
    for i = 0, (tonumber(st[3]) or 0) - 1 do
      if tonumber(redis.call('HGET', KEYS[1], i)) > now - window then count = count + 1 end
    end
  end
  return ends, count, seen
end

local function query(index)
  if index == 0 then return client_query() end
  local c, member = configs[index], members[index]
  if not c or member == '' then return NEG, 0, NEG end
  return threshold_query(P, c, member, now)
end

if what == 'success' then
  local over = 0
  for index = 0, 3 do
    if query(index) > now then over = over + 2 ^ index end
  end
  return over
end
if detector == 4 then
  local surge = surge_settings(ARGV[14])
  if what == 'until' then
    if not surge then return num(NEG) end
    return num(surge_until(P, surge, now))
  end
  if not surge then return {0, num(NEG)} end
  return {surge_count(P, surge, now), num(NEG)}
end
local till, count, seen = query(detector)
if what == 'until' then return num(till) end
return {count, num(seen)}
`;

/**
 * A request from a rate-limited client. KEYS: lru, client hash. ARGV: now, how long an idle client
 * is kept (windowMs + keepFiringForMs), maxTrackedIps, ttlMs, member, client key prefix,
 * realertIntervalMs, windowMs. Returns {due (0/1), evicted, tracked clients}.
 */
export const RATE_LIMITED_SCRIPT = `${HELPERS}
local lru, client = KEYS[1], KEYS[2]
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local evicted = touch(lru, client, ARGV[5], ARGV[6], now, window, tonumber(ARGV[3]), ARGV[4])
local st = redis.call('HMGET', client, 't', 'r')
local seen = tonumber(st[1])
if seen and seen > now then now = seen end
local last = tonumber(st[2])
local due = 0
if last == nil or now - last >= tonumber(ARGV[7]) then
  due = 1
  redis.call('HSET', client, 'r', now)
end
redis.call('HSET', client, 't', now)
redis.call('PEXPIRE', client, ARGV[4])
return {due, evicted, active_count(lru, ARGV[6], now, tonumber(ARGV[8]))}
`;

/**
 * Clients and accounts active inside their windows. KEYS: lru. ARGV: now, windowMs, client key
 * prefix, keepFiringForMs, the accounts' LRU, accountBruteForce.windowMs ('' when off). Returns
 * {clients, accounts}.
 */
export const ACTIVE_COUNT_SCRIPT = `${HELPERS}
local lru, prefix, now, window = KEYS[1], ARGV[3], tonumber(ARGV[1]), tonumber(ARGV[2])
expire_idle(lru, prefix, now - window - tonumber(ARGV[4]))
local accounts = 0
if ARGV[6] ~= '' then
  accounts = redis.call('ZCOUNT', ARGV[5], '(' .. (now - tonumber(ARGV[6])), '+inf')
end
return {active_count(lru, prefix, now, window), accounts}
`;

/** Claims the privilege-escalation alert. KEYS: priv. ARGV: now, intervalMs, ttlMs. Returns 1 when due. */
export const PRIVILEGED_SCRIPT = `
local now, interval = tonumber(ARGV[1]), tonumber(ARGV[2])
local last = tonumber(redis.call('GET', KEYS[1]))
if last and last > now then now = last end
if last and now - last < interval then return 0 end
redis.call('SET', KEYS[1], now, 'PX', ARGV[3])
return 1
`;
