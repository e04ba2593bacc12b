// What the fragments of the README and of docs/ assume exists around them.
import type { FastifyInstance, RouteHandlerMethod } from 'fastify'
import type { GoogleOAuthOptions } from 'fastify-google-oauth'

declare global {
  const app: FastifyInstance
  const options: GoogleOAuthOptions
  const handler: RouteHandlerMethod
}
