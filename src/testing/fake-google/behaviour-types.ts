/** Which endpoints misbehave, how, and what the fake records of each request. Types only, importing nothing. */

/** The fake's endpoints that can be told to misbehave. */
export type FakeGoogleEndpoint = 'authorization' | 'token' | 'userinfo' | 'revocation' | 'certs'

/**
 * How an endpoint misbehaves, for testing how an application copes with Google failing.
 *
 * - `'invalid_grant'`: 400 `{"error":"invalid_grant","error_description":"Bad Request"}`.
 * - `'invalid_client'`: 401 `{"error":"invalid_client","error_description":"Unauthorized"}`.
 * - `'server_error'`: 500 with an HTML body, like Google's "Error 500 (Server Error)!!1".
 * - `'unavailable'`: 503 `{"error":"temporarily_unavailable", ...}`.
 * - `'rate_limited'`: 429 `{"error":"rate_limit_exceeded", ...}` with `Retry-After: 1`.
 * - `'hang'`: never answers; the request stays open until the client gives up or `close()` is called.
 * - `'reset'`: destroys the connection without answering (the client sees ECONNRESET or "socket hang up").
 * - `'malformed'`: 200 `application/json` with a truncated JSON body.
 * - `'html'`: 200 `text/html` (as a captive portal or a misrouted proxy would answer).
 * - `'empty'`: 200 `{}`.
 * - `'no_id_token'`: token endpoint only: a normal 200 token response without `id_token`.
 * - `'huge'`: 200 `application/json` with a body of about 5 MB (with a Content-Length).
 * - `'chunked-huge'`: the normal answer, padded to 20 MB (`{"padding":"xxx…", …}`) and streamed in
 *   chunks without a Content-Length, as a client that only checks Content-Length would accept it.
 * - `'redirect'`: 307 to another path of the fake (`/redirect-target`, keeping the query), which
 *   answers like the endpoint would have. A client that follows it sends its request (client
 *   secret, code, verifier) there: `requests` shows whether anything reached that path.
 * - `{ delayMs }`: answers normally after `delayMs` milliseconds.
 *
 * The error bodies are the same whichever endpoint misbehaves.
 */
export type Misbehaviour =
  | 'invalid_grant'
  | 'invalid_client'
  | 'server_error'
  | 'unavailable'
  | 'rate_limited'
  | 'hang'
  | 'reset'
  | 'malformed'
  | 'html'
  | 'empty'
  | 'no_id_token'
  | 'huge'
  | 'chunked-huge'
  | 'redirect'
  | { delayMs: number }

/** One request received by the fake. Holds no secret: no query string, no body, no header. */
export interface FakeGoogleRequest {
  /**
   * Which endpoint it reached: `'gsi'` for the Google Identity Services stand-in (`/gsi/client`,
   * `/gsi/style`, `/gsi/credential`), `'calendar'` for {@link FakeGoogle.apis}.
   */
  endpoint: FakeGoogleEndpoint | 'discovery' | 'gsi' | 'calendar' | 'other'
  /** HTTP method. */
  method: string
  /** URL path, without the query string. */
  path: string
  /** When it arrived, by the fake's clock (`options.now`). */
  at: number
}
