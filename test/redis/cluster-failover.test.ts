import t from 'tap'
import { DEFAULT_ACCOUNTS, type SignedIn } from '../../src/testing/index.js'
import { startApp, type TestApp } from '../fixtures/app.js'
import { CLIENT_KINDS } from '../fixtures/redis.js'
import { cli, clusterStore, inspector, manyAccounts, privateCluster } from '../fixtures/redis-cluster.js'

/**
 * A Redis Cluster master dies while the app serves (a cluster of this test's own, on other ports
 * than the shared one): requests whose sessions were on it get 503, never 500, and no sign-in
 * prompt, until its replica takes over; then everything is served again, no session lost. One app
 * on each client, through the same failover.
 */
const BASE = Number(process.env.REDIS_FAILOVER_CLUSTER_BASE ?? 7200)
const USERS = 9
const accounts = [...DEFAULT_ACCOUNTS, ...manyAccounts(USERS + 20)]

const me = async (app: TestApp, signedIn: SignedIn): Promise<number> =>
  (await app.app.inject({ url: '/api/me', headers: { ...signedIn.headers, accept: 'application/json' } })).statusCode
/** A sign-in's outcome: 303 (signed in), else the status the plugin answered. */
const signInStatus = async (app: TestApp, who: string): Promise<number> => {
  try {
    await app.signInAs(who)
    return 303
  } catch (error) {
    const status = /answered (\d+)/.exec((error as Error).message)?.[1]
    if (status === undefined) throw error
    return Number(status)
  }
}

t.test('a master killed mid-run: 503 (never 500) until its replica takes over, then service back with no session lost', async (t) => {
  const ports = await privateCluster(t, BASE)
  const apps = await Promise.all(CLIENT_KINDS.map(async (kind) => {
    const { store, prefix } = await clusterStore(t, kind, ports)
    return { kind, prefix, app: await startApp(t, { google: { accounts }, plugin: { store } }) }
  }))
  const sessions = new Map<TestApp, SignedIn[]>()
  for (const { app } of apps) {
    const list: SignedIn[] = []
    for (let i = 0; i < USERS; i++) list.push(await app.signInAs(`user${i}@example.com`))
    sessions.set(app, list)
  }
  // The master of user0's slot dies, once its replica has every write (WAIT).
  const redis = inspector(t, ports, apps[0]!.prefix)
  const id = /goauth\.sid=([^.;]+)/.exec(sessions.get(apps[0]!.app)![0]!.cookie)![1]!
  const slot = await redis.cluster('KEYSLOT', `${apps[0]!.prefix}{${id.slice(0, 8)}}:s:${id}`)
  const ranges = await redis.cluster('SLOTS') as unknown as Array<[number, number, [string, number]]>
  const victimPort = ranges.find(([start, end]) => start <= slot && slot <= end)![2][1]
  t.match(await cli(victimPort, 'WAIT', '1', '5000'), /^1/, 'the replica has every write')
  await cli(victimPort, 'SHUTDOWN', 'NOSAVE')

  // Until every session is served again on both apps: each round asks for every session and
  // signs a new user in (polled by requests; the failover takes a few seconds).
  const seen = new Map(CLIENT_KINDS.map((kind) => [kind, { me: new Map<number, number>(), signIn: new Map<number, number>() }]))
  const count = (map: Map<number, number>, status: number): void => { map.set(status, (map.get(status) ?? 0) + 1) }
  const started = Date.now()
  let next = USERS
  for (let back = false; !back;) {
    if (Date.now() - started > 30_000) throw new Error('service not back after 30 s')
    back = true
    for (const { app, kind } of apps) {
      for (const session of sessions.get(app)!) {
        const status = await me(app, session)
        count(seen.get(kind)!.me, status)
        if (status !== 200) back = false
      }
      count(seen.get(kind)!.signIn, await signInStatus(app, `user${next}@example.com`))
    }
    next = USERS + ((next - USERS + 1) % 20)
  }
  for (const [kind, { me, signIn }] of seen) {
    t.same([...me.keys()].sort(), [200, 503], `${kind}: signed-in requests answered 200 or 503, nothing else (${JSON.stringify([...me])})`)
    t.ok([...signIn.keys()].every((status) => status === 303 || status === 503), `${kind}: sign-ins signed in or got 503 (${JSON.stringify([...signIn])})`)
    t.ok(signIn.has(303), `${kind}: sign-ins to the other masters' slots went on`)
  }
  t.match(await cli(ports.find((port) => port !== victimPort)!, 'CLUSTER', 'INFO'), /cluster_state:ok/, 'the replica took over')
  for (const { app, kind } of apps) {
    for (const session of sessions.get(app)!) t.equal(await me(app, session), 200, `${kind}: the session survived`)
    t.equal(await signInStatus(app, 'user0@example.com'), 303, `${kind}: sign-ins work again`)
  }
})
