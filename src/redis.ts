// `secmon/redis`: the Redis window store, for several replicas sharing one view of an attack. A
// separate entry point because it loads ioredis (~50 ms of start-up), which users of the default
// in-memory store do not need.
export {
  OUTAGE_POLICIES,
  type OutagePolicy,
  type RedisStoreOptions,
  type StoreLogger,
} from './store/redis-options.js';
export { redisStore } from './store/redis-store.js';
