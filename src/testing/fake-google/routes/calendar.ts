import type { FastifyInstance } from 'fastify'
import type { FakeGoogleContext } from '../context.js'
import { grantsAnyOf } from '../scopes.js'

/** The signed-in user's calendar list, as at `https://www.googleapis.com/calendar/v3/users/me/calendarList`. */
export const CALENDAR_LIST_PATH = '/calendar/v3/users/me/calendarList'

const CALENDAR_READONLY = 'https://www.googleapis.com/auth/calendar.readonly'
/** Scopes that let a token read the calendar list. */
const READS_CALENDARS = [CALENDAR_READONLY, 'https://www.googleapis.com/auth/calendar']
const REALM = 'Bearer realm="https://accounts.google.com/"'

const UNAUTHENTICATED = {
  error: {
    code: 401,
    message: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
    status: 'UNAUTHENTICATED'
  }
}

const INSUFFICIENT_SCOPE = {
  error: {
    code: 403,
    message: 'Request had insufficient authentication scopes.',
    errors: [{ message: 'Insufficient Permission', domain: 'global', reason: 'insufficientPermissions' }],
    status: 'PERMISSION_DENIED',
    details: [{
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
      domain: 'googleapis.com',
      metadata: { service: 'calendar-json.googleapis.com', method: 'calendar.v3.CalendarList.List' }
    }]
  }
}

/**
 * `GET /calendar/v3/users/me/calendarList`: a Google API called as the user. The access token is
 * accepted in the `Authorization: Bearer` header only; it must be live and grant a calendar scope.
 */
export function calendarRoutes (app: FastifyInstance, ctx: FakeGoogleContext): void {
  app.get(CALENDAR_LIST_PATH, { config: { endpoint: 'calendar' } }, async (request, reply) => {
    reply.header('cache-control', 'private, max-age=0, must-revalidate, no-transform').type('application/json; charset=UTF-8')
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')
    const record = bearer === null ? undefined : ctx.grants.accessToken(bearer[1]!)
    if (record === undefined) {
      return reply.code(401).header('www-authenticate', `${REALM}, error="invalid_token"`).send(UNAUTHENTICATED)
    }
    if (!grantsAnyOf(record.scopes, READS_CALENDARS)) {
      return reply.code(403)
        .header('www-authenticate', `${REALM}, error="insufficient_scope", scope="${CALENDAR_READONLY}"`)
        .send(INSUFFICIENT_SCOPE)
    }
    const email = record.account.email
    return reply.code(200).send({
      kind: 'calendar#calendarList',
      items: [
        { kind: 'calendar#calendarListEntry', id: email, summary: email, primary: true, accessRole: 'owner', timeZone: 'UTC' },
        { kind: 'calendar#calendarListEntry', id: 'en.usa#holiday@group.v.calendar.google.com', summary: 'Holidays', accessRole: 'reader', timeZone: 'UTC' }
      ]
    })
  })
}
