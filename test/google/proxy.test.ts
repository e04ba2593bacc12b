import { createServer, type Server } from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import t, { type Test } from 'tap'
import { startApp } from '../fixtures/app.js'

/**
 * Behind an outbound proxy, every call to Google goes through it: the code exchange
 * (google-auth-library's) and the key-set download (ours) alike. This file sets the proxy
 * variables for its own process only.
 */

/** A CONNECT proxy on loopback that remembers where each tunnel went. */
async function startProxy (t: Test): Promise<{ url: string, tunnels: string[] }> {
  const tunnels: string[] = []
  const server: Server = createServer((_request, response) => { response.writeHead(405).end() })
  server.on('connect', (request, client, head) => {
    tunnels.push(request.url ?? '')
    const [host, port] = (request.url ?? '').split(':')
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, tunnels }
}

t.test('with HTTPS_PROXY set, the key set is downloaded through the proxy, like the code exchange', async (t) => {
  const proxy = await startProxy(t)
  const saved = { ...process.env }
  t.teardown(() => { process.env = saved })
  for (const name of ['NO_PROXY', 'no_proxy', 'HTTP_PROXY', 'http_proxy', 'https_proxy']) delete process.env[name]
  process.env.HTTPS_PROXY = proxy.url

  const app = await startApp(t)
  const b = app.browser()
  await app.signIn(b)
  t.equal((await b.request(`${app.url}/api/me`)).status, 200, 'signed in')
  const google = new URL(app.google.url).host
  const through = (endpoint: 'token' | 'certs') => app.google.requests.filter((r) => r.endpoint === endpoint).length
  t.equal(through('certs'), 1, 'the key set was downloaded once')
  t.equal(through('token'), 1, 'the code was exchanged once')
  t.ok(proxy.tunnels.length >= 2, `both went through the proxy (tunnels: ${proxy.tunnels.length})`)
  t.ok(proxy.tunnels.every((tunnel) => tunnel === google), 'to the (fake) Google and nowhere else')
})
