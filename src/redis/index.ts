/**
 * A session store made for fastify-google-oauth, on Redis (an ioredis or node-redis client the app owns, one server or a cluster):
 *
 * ```ts
 * import { redisStore } from 'fastify-google-oauth/redis'
 * ```
 *
 * @module
 */
export type { IoredisClient, NodeRedisClient, RedisClient } from './client.js'
export { redisStore, type GoogleOAuthRedisStore, type RedisStoreOptions } from './store.js'
