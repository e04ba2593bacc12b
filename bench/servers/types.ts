import type { FastifyInstance } from 'fastify'

/** What a server module builds: an app not yet listening, and how to get a signed-in cookie. */
export interface BuiltServer {
  app: FastifyInstance
  /** Port the app must listen on (when it had to be known before building); else a free one. */
  port?: number
  /** Obtains the signed-in cookie (`name=value`) once the app listens at `url`. */
  signIn?: (url: string) => Promise<string>
  /** Releases what the app holds besides itself (fake Google, Redis keys and connection). */
  close?: () => Promise<void>
}

export interface BuildContext {
  variant: string
  /** Key prefix of this run in Redis; everything under it is deleted at the end. */
  redisPrefix: string
}
