import { calendar } from '@googleapis/calendar'
import Fastify from 'fastify'
import t from 'tap'
import googleOAuth from '../../src/index.js'
import { DEFAULT_CLIENT, startFakeGoogle } from '../../src/testing/index.js'
import { Browser } from '../fixtures/browser.js'
import { SESSION_SECRET } from '../fixtures/app.js'
import { freePort } from '../fixtures/free-port.js'

const CALENDAR = 'https://www.googleapis.com/auth/calendar.readonly'

t.test('a development server: the fake Google on a port of its own, the app\'s callback URL in one option, @googleapis clients through rootUrl', async (t) => {
  const appPort = await freePort()
  let googlePort = await freePort()
  while (googlePort === appPort) googlePort = await freePort()

  // The recipe: one call, then the plugin's options from the fake.
  const google = await startFakeGoogle({ port: googlePort, redirectUris: [`http://127.0.0.1:${appPort}/oauth2/google/callback`], autoConsent: 'grace@example.com' })
  t.teardown(() => google.close())
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(googleOAuth, { ...google.pluginOptions(), secret: SESSION_SECRET })
  app.get('/calendars', { preHandler: [app.googleOAuth.requireScopes([CALENDAR])] }, async (request) => {
    const { data } = await calendar({ version: 'v3', auth: request.googleAuth!, rootUrl: google.rootUrl }).calendarList.list()
    return (data.items ?? []).map((item) => item.summary)
  })
  await app.listen({ port: appPort, host: '127.0.0.1' })

  t.equal(google.url, `http://127.0.0.1:${googlePort}`, 'on the port asked for')
  t.equal(google.rootUrl, `${google.url}/`)
  t.same(google.clients, [{ ...DEFAULT_CLIENT, redirectUris: [`http://127.0.0.1:${appPort}/oauth2/google/callback`] }], 'the default client, with the app\'s callback URL')
  t.match(google.pluginOptions(), { clientId: DEFAULT_CLIENT.clientId, callbackUrl: `http://127.0.0.1:${appPort}/oauth2/google/callback` })

  const browser = new Browser()
  const login = await browser.navigate(`http://127.0.0.1:${appPort}/calendars`)
  t.equal(new URL(login.url).pathname, '/login', 'signed out: the login page')
  const start = /<a class="button" href="([^"]+)">/.exec(login.body)![1]!.replace(/&amp;/g, '&')
  const visit = await browser.navigate(`http://127.0.0.1:${appPort}${start}`)
  t.equal(visit.response.status, 200, 'signed in, then the calendar scope granted, through the fake')
  t.same(JSON.parse(visit.body), ['grace@example.com', 'Holidays'], 'read by @googleapis/calendar from the fake, as Grace')
  t.ok(google.requests.some((request) => request.endpoint === 'calendar'), 'the fake served the call')
})

t.test('the new options are checked, saying what to give', async (t) => {
  const refusals: Array<[string, unknown, RegExp]> = [
    ['with clients', { redirectUris: ['http://localhost:8080/oauth2/google/callback'], clients: [DEFAULT_CLIENT] }, /give either clients or redirectUris, not both: redirectUris sets the redirect URIs of the default client \(DEFAULT_CLIENT\), clients replaces it/],
    ['a string', { redirectUris: 'http://localhost:8080/oauth2/google/callback' }, /redirectUris must be a non-empty array of your app's callback URLs, such as \["http:\/\/localhost:3000\/oauth2\/google\/callback"\], got "http:\/\/localhost:8080/],
    ['empty', { redirectUris: [] }, /redirectUris must be a non-empty array/],
    ['a path', { redirectUris: ['/oauth2/google/callback'] }, /redirectUris\[0\] must be an absolute http or https URL without a #fragment \(your app's callback URL, such as "http:\/\/localhost:3000\/oauth2\/google\/callback"\), got "\/oauth2\/google\/callback"/],
    ['another scheme', { redirectUris: ['http://localhost:8080/cb', 'ftp://localhost/cb'] }, /redirectUris\[1\] must be an absolute http or https URL/],
    ['a fragment', { redirectUris: ['http://localhost:8080/cb#x'] }, /redirectUris\[0\] must be an absolute http or https URL without a #fragment/],
    ['not a string', { redirectUris: [8080] }, /redirectUris\[0\] must be .*, got 8080/],
    ['a port out of range', { port: -1 }, /port must be an integer >= 0, got -1/]
  ]
  for (const [label, options, message] of refusals) {
    await t.rejects(startFakeGoogle(options as never), { name: 'TypeError', message }, label)
  }
  t.same((await startFakeGoogle({ redirectUris: ['https://app.example/oauth2/google/callback'] }).then(async (google) => { await google.close(); return google.clients })),
    [{ ...DEFAULT_CLIENT, redirectUris: ['https://app.example/oauth2/google/callback'] }], 'https works too')
})
