import { randomInt } from 'node:crypto'
import fc from 'fast-check'
import { createLocalJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyOptions, type ProtectedHeaderParameters } from 'jose'
import t from 'tap'
import { ID_TOKEN_ISSUERS } from '../../src/google/endpoints.js'
import { CLOCK_SKEW_SECONDS } from '../../src/google/id-token-claims.js'
import { createIdTokenVerifier } from '../../src/google/verify-id-token.js'
import { isPluginError } from '../../src/errors.js'
import { startFakeGoogle, type IdTokenSigning, type IdTokenTamperer } from '../../src/testing/index.js'
import { CLIENT_ID, CLIENT_SECRET } from '../fixtures/app.js'
import { testClock } from '../fixtures/clock.js'
import { HOSTILE_ID_TOKENS } from '../fixtures/hostile-id-tokens.js'

// Our verifier and jose's jwtVerify, asked about the same tokens, must decide alike (security checklist
// row 41): the forgeries of the hostile table, then a stream of tokens mutated as text (a character
// changed, added or removed, padding, `+/` spellings, stray bits) or re-signed with changed claims.

const ADA = 'ada@example.com'
/** Both verifiers judge at this instant, and the fake Google issues at it: boundaries are exact. */
const NOW_MS = Date.now()
const NOW = Math.floor(NOW_MS / 1000)
const DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const MAX_LIFETIME_SECONDS = 24 * 60 * 60

const JOSE_OPTIONS: JWTVerifyOptions = {
  issuer: [...ID_TOKEN_ISSUERS],
  audience: CLIENT_ID,
  clockTolerance: CLOCK_SKEW_SECONDS,
  algorithms: ['RS256'],
  currentDate: new Date(NOW_MS)
}

/** Whether `part` is the text base64url gives its own bytes: the definition, by re-encoding (not our verifier's bit test). */
const canonicalByReencoding = (part: string): boolean => /^[\w-]+$/.test(part) && Buffer.from(part, 'base64url').toString('base64url') === part

/**
 * What our verifier refuses, by design, of what jwtVerify (with the options above) accepts. They are
 * applied to what jose accepted, so that the comparison is about decoding and signatures:
 * 1. every part spelled as base64url spells its bytes: jose decodes leniently (with atob, or
 *    Uint8Array.fromBase64 where there is one), taking `=` padding, ASCII whitespace and stray bits in a
 *    part's last character (checked here by re-encoding; our verifier tests the bits);
 * 2. a `kid` header, a non-empty string (jose takes the one key of a set that fits a token without one;
 *    the fake Google publishes two, so jose refuses here too);
 * 3. no `crit` header (jose accepts the extension it knows: `crit: ["b64"]` with `b64: true`);
 * 4. `exp` and `iat` present (jose checks their type only when they are);
 * 5. `iat` at most the clock skew ahead (jose checks it only with `maxTokenAge`);
 * 6. a lifetime (`exp - iat`) of at most 24 h;
 * 7. `aud` a single string (jose accepts an array that holds ours);
 * 8. `azp`, when present, our client id;
 * 9. `sub` a string of 1 to 255 characters.
 * Not compared here: `nonce` and `at_hash` (a Bearer token is verified without them), `email_verified`
 * and `hd` (the sign-in policies' business, not the verifier's).
 */
function passesOurChecksBeyondJose (token: string, header: ProtectedHeaderParameters, claims: JWTPayload): boolean {
  if (!token.split('.').every(canonicalByReencoding)) return false
  if (typeof header.kid !== 'string' || header.kid === '') return false
  if (header.crit !== undefined) return false
  if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number') return false
  if (claims.iat > NOW + CLOCK_SKEW_SECONDS) return false
  if (claims.exp - claims.iat > MAX_LIFETIME_SECONDS) return false
  if (typeof claims.aud !== 'string') return false
  if (claims.azp !== undefined && claims.azp !== CLIENT_ID) return false
  return typeof claims.sub === 'string' && claims.sub.length >= 1 && claims.sub.length <= 255
}

/** A change to a token's text. Positions are taken modulo the length of what they index. */
type Mutation =
  | { kind: 'replace', at: number, by: string }
  | { kind: 'insert', at: number, text: string }
  | { kind: 'delete', at: number, count: number }
  | { kind: 'pad', part: number, count: number }
  | { kind: 'plus-slash', part: number }
  | { kind: 'stray-bits', part: number, bits: number }
  | { kind: 'parts', change: 'drop' | 'repeat' | 'swap' }

function mutate (token: string, mutation: Mutation): string {
  const parts = token.split('.')
  const part = 'part' in mutation ? mutation.part % parts.length : 0
  const spell = (text: string) => parts.with(part, text).join('.')
  switch (mutation.kind) {
    case 'replace': {
      const at = mutation.at % Math.max(token.length, 1)
      return token.slice(0, at) + mutation.by + token.slice(at + 1)
    }
    case 'insert': {
      const at = mutation.at % (token.length + 1)
      return token.slice(0, at) + mutation.text + token.slice(at)
    }
    case 'delete': {
      const at = mutation.at % Math.max(token.length, 1)
      return token.slice(0, at) + token.slice(at + mutation.count)
    }
    case 'pad':
      return spell(parts[part]! + '='.repeat(mutation.count))
    case 'plus-slash':
      return spell(parts[part]!.replaceAll('-', '+').replaceAll('_', '/'))
    case 'stray-bits': {
      // The unused low bits of the last character: 4 of them after 4n+2 characters, 2 after 4n+3.
      const text = parts[part]!
      const unused = [0, 0, 0b1111, 0b11][text.length % 4]!
      const digit = DIGITS.indexOf(text.at(-1) ?? '')
      return unused === 0 || digit < 0 ? token : spell(text.slice(0, -1) + DIGITS[digit ^ ((mutation.bits & unused) || 1)]!)
    }
    case 'parts':
      if (mutation.change === 'drop') return parts.slice(0, -1).join('.')
      if (mutation.change === 'repeat') return [...parts, parts.at(-1)!].join('.')
      return [parts[1], parts[0], ...parts.slice(2)].join('.')
  }
}

const position = fc.nat({ max: 4000 })
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: position, by: fc.constantFrom(...DIGITS, '+', '/', '=', '.', ' ', '\n', '%', '\u00e9', '') }),
  fc.record({ kind: fc.constant('insert' as const), at: position, text: fc.oneof(fc.constantFrom('=', '==', '+', '/', ' ', '\t', 'A', 'AA', 'AAAA', '.'), fc.string({ maxLength: 3 })) }),
  fc.record({ kind: fc.constant('delete' as const), at: position, count: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('pad' as const), part: fc.nat(2), count: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('plus-slash' as const), part: fc.nat(2) }),
  // Weighted: the re-spellings of the signature are the ones a lenient decoder lets through.
  fc.record({ kind: fc.constant('stray-bits' as const), part: fc.constantFrom(0, 1, 2, 2, 2), bits: fc.integer({ min: 1, max: 15 }) }),
  fc.record({ kind: fc.constant('parts' as const), change: fc.constantFrom('drop' as const, 'repeat' as const, 'swap' as const) })
)

/** Header and claim values that sit on one side or the other of a check, times at the edges of the skew and lifetime. */
const time = fc.constantFrom(-172_800, -86_401, -86_400, -3600, -301, -300, -299, -1, 0, 1, 299, 300, 301, 3600, 86_399, 86_400, 86_401, 90_000).map((offset) => NOW + offset)
const claimValue = fc.oneof(
  time,
  fc.constantFrom(undefined, null, true, false, '', 'true', 0, CLIENT_ID, 'other.apps.googleusercontent.com', [CLIENT_ID], [CLIENT_ID, 'other'], [], {},
    ...ID_TOKEN_ISSUERS, 'https://googleapis.com', '1', '1'.repeat(255), '1'.repeat(256), ADA),
  fc.string({ maxLength: 8 }),
  fc.integer()
)
const claimChange = fc.tuple(fc.constantFrom('iss', 'aud', 'azp', 'sub', 'exp', 'iat', 'nbf', 'email_verified', 'nonce', 'at_hash', 'hd'), claimValue)
const headerChange = fc.tuple(
  fc.constantFrom('alg', 'kid', 'crit', 'b64', 'typ'),
  fc.constantFrom(undefined, null, 'RS256', 'none', 'HS256', 'RS512', '', 'not-a-published-kid', 123, ['b64'], ['exp'], [], true, false, 'JWT')
)
const signing = fc.constantFrom<IdTokenSigning[]>('current-key', 'current-key', 'current-key', 'rogue-key', 'none', { hs256Secret: CLIENT_SECRET })

/** How a token of the stream is made before its text is mutated. */
const recipe = fc.record({
  source: fc.oneof(
    fc.constant({ kind: 'valid' as const }),
    fc.record({ kind: fc.constant('hostile' as const), index: fc.nat(HOSTILE_ID_TOKENS.length - 1) }),
    fc.record({ kind: fc.constant('re-signed' as const), claims: fc.array(claimChange, { maxLength: 3 }), header: fc.oneof(fc.array(headerChange, { maxLength: 2 }), fc.constant([['crit', ['b64']], ['b64', true]] as const)), signWith: signing })
  ),
  mutations: fc.array(mutation, { maxLength: 3 })
})

/** Sets each named value, and removes those set to undefined. */
function changed (record: Record<string, unknown>, changes: ReadonlyArray<readonly [string, unknown]>): Record<string, unknown> {
  const copy = { ...record }
  for (const [name, value] of changes) {
    if (value === undefined) delete copy[name]
    else copy[name] = value
  }
  return copy
}

t.test('our verifier and jose\'s jwtVerify decide alike on forged and mutated ID tokens', async (t) => {
  const google = await startFakeGoogle({ now: () => NOW_MS, clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: ['http://127.0.0.1/oauth2/google/callback'] }] })
  t.teardown(() => google.close())
  const verifier = createIdTokenVerifier({ jwksUrl: google.endpoints.jwks, timeout: 5000, clock: testClock(), clientId: CLIENT_ID, now: () => NOW_MS })
  const keys = createLocalJWKSet(await (await fetch(google.endpoints.jwks)).json() as Parameters<typeof createLocalJWKSet>[0])
  const tally = { accepted: 0, refused: 0, respellingsJoseTakes: 0 }

  const ours = async (token: string): Promise<boolean> => {
    try {
      await verifier.verify(token, { nonce: null, accessToken: null })
      return true
    } catch (error) {
      if (isPluginError(error) && error.code === 'FST_GOOGLE_OAUTH_ID_TOKEN_INVALID') return false
      throw error
    }
  }
  const jose = async (token: string): Promise<boolean> => {
    let verified
    try {
      verified = await jwtVerify(token, keys, JOSE_OPTIONS)
    } catch (error) {
      if (error instanceof errors.JOSEError) return false
      throw error
    }
    const beyond = passesOurChecksBeyondJose(token, verified.protectedHeader, verified.payload)
    if (!token.split('.').every(canonicalByReencoding)) tally.respellingsJoseTakes++
    return beyond
  }
  const decide = async (token: string) => {
    const [mine, theirs] = [await ours(token), await jose(token)]
    if (mine === theirs) tally[mine ? 'accepted' : 'refused']++
    return { ours: mine, jose: theirs }
  }
  const minted = (tamper: IdTokenTamperer | null, nonce?: string): string => {
    google.tamperIdToken(tamper)
    try {
      return google.idTokenFor(ADA, nonce === undefined ? {} : { nonce })
    } finally {
      google.tamperIdToken(null)
    }
  }

  t.same(await decide(minted(null)), { ours: true, jose: true }, 'a valid token: both accept')
  for (const { name, tamper } of HOSTILE_ID_TOKENS) {
    const decision = await decide(minted(tamper, 'a-nonce'))
    t.equal(decision.ours, decision.jose, `${name}: ${JSON.stringify(decision)}`)
  }

  const seed = Number(process.env.FUZZ_SEED ?? randomInt(1_000_000))
  t.comment(`fuzz seed ${seed}: FUZZ_SEED=${seed} npx tap .build/test/google/verify-id-token-differential.test.js replays this run (after npm run typecheck)`)
  await fc.assert(fc.asyncProperty(recipe, async ({ source, mutations }) => {
    let token: string
    if (source.kind === 'valid') token = minted(null)
    else if (source.kind === 'hostile') token = minted(HOSTILE_ID_TOKENS[source.index]!.tamper, 'a-nonce')
    else token = minted(({ header, claims }) => ({ header: changed(header, source.header), claims: changed(claims, source.claims), signWith: source.signWith }))
    for (const change of mutations) token = mutate(token, change)
    const decision = await decide(token)
    return decision.ours === decision.jose
  }), { numRuns: 1500, seed })

  t.comment(`decided alike: ${tally.accepted} accepted, ${tally.refused} refused; ${tally.respellingsJoseTakes} re-spellings jose alone decodes`)
  t.ok(tally.accepted > 50, 'the stream holds tokens both accept')
  t.ok(tally.respellingsJoseTakes > 0, 'and re-spellings that only the canonical check refuses')
})
