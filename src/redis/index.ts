/**
 * A session store made for fastify-google-oauth, on Redis (an ioredis client the app owns):
 *
 * ```ts
 * import { redisStore } from 'fastify-google-oauth/redis'
 * ```
 *
 * @module
 */
export { redisStore, type GoogleOAuthRedisStore, type RedisStoreOptions } from './store.js'
