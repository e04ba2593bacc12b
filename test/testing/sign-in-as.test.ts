import Fastify from 'fastify'
import t, { type Test } from 'tap'
import googleOAuth from '../../src/index.js'
import { DEFAULT_ACCOUNTS, signInAs, startFakeGoogle, type FakeGoogle, type FakeGoogleOptions } from '../../src/testing/index.js'
import { SESSION_SECRET } from '../fixtures/app.js'

/** The README's test setup: the fake Google and an app on it, driven with inject. */
async function appOn (t: Test, options: FakeGoogleOptions = {}) {
  const google = await startFakeGoogle(options)
  const app = Fastify()
  t.teardown(async () => { await app.close(); await google.close() })
  await app.register(googleOAuth, { ...google.pluginOptions(), secret: SESSION_SECRET })
  app.get('/me', { preHandler: [app.authenticate] }, async (request) => ({ email: request.googleUser!.email }))
  return { app, google }
}

const requestsTo = (google: FakeGoogle): number => google.requests.length

t.test('an unknown account: the error names the accounts there are and how to add one, not an internal function', async (t) => {
  const { app, google } = await appOn(t)
  for (const via of ['redirect', 'one-tap'] as const) {
    const error = await signInAs(app, google, 'nobody@example.com', { via }).then(() => null, (error: unknown) => error as Error)
    t.type(error, TypeError, via)
    t.equal(error!.message,
      'signInAs: no account with email or sub "nobody@example.com". The fake Google\'s accounts are ada@example.com, grace@example.com, charles@analytical.example. ' +
      'To add one, start it with startFakeGoogle({ accounts: [...DEFAULT_ACCOUNTS, { sub: \'100000000000000000099\', email: \'you@example.com\', name: \'Your Name\' }] }).', via)
    t.notMatch(error!.message, /issueCodeFor|oneTapCredentialFor/, `${via}: no internal name`)
  }
  t.equal(requestsTo(google), 0, 'checked before anything is asked of Google')
  await t.rejects(signInAs(app, google, undefined as unknown as string), { name: 'TypeError', message: /^signInAs: no account with email or sub undefined\. The fake Google's accounts are/ })
  t.throws(() => google.idTokenFor('nobody@example.com'), { message: /^idTokenFor: no account with email or sub "nobody@example\.com"\. The fake Google's accounts are ada@example\.com, / }, 'the fake\'s own functions say the same')
})

t.test('the account the error suggests adding signs in', async (t) => {
  const { app, google } = await appOn(t, { accounts: [...DEFAULT_ACCOUNTS, { sub: '100000000000000000099', email: 'you@example.com', name: 'Your Name' }] })
  const { headers, user } = await signInAs(app, google, 'you@example.com')
  t.same((await app.inject({ url: '/me', headers })).json(), { email: 'you@example.com' })
  t.match(user, { id: '100000000000000000099', name: 'Your Name', givenName: 'Your', familyName: 'Name' })
  t.same((await signInAs(app, google, 'Grace@Example.com')).user.email, 'grace@example.com', 'emails match whatever their case')
})
