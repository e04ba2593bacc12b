import t from 'tap'
import { redactUrl } from '../../src/index.js'

t.test('redacts OAuth parameters and keeps the rest of the URL', async (t) => {
  t.equal(redactUrl('/oauth2/google/callback?state=abc&code=4%2F0AQx&scope=email'), '/oauth2/google/callback?state=[redacted]&code=[redacted]&scope=email')
  t.equal(redactUrl('/revoke?token=ya29.x'), '/revoke?token=[redacted]')
  t.equal(redactUrl('/reports?page=2&encode=1'), '/reports?page=2&encode=1', 'parameters that merely end in "code" are kept')
  t.equal(redactUrl('/plain'), '/plain')
})

t.test('stack traces and log lines lose tokens, codes and client secrets', async (t) => {
  const { redact } = await import('../../src/http/log.js')
  const line = 'Error: at exchange (code=4/0AQlEd8x, token ya29.a0AfB_x, refresh 1//0gAbc-def, id eyJhbGciOi.eyJzdWIi.sig-nature, secret GOCSPX-AbC_123-xyz)'
  const clean = redact(line)
  for (const secret of ['4/0AQlEd8x', 'ya29.a0AfB_x', '1//0gAbc-def', 'eyJhbGciOi.eyJzdWIi.sig-nature', 'GOCSPX-AbC_123-xyz']) t.notOk(clean.includes(secret), `${secret.slice(0, 6)}… is gone`)
  t.match(clean, /^Error: at exchange \(code=\[redacted\]/, 'the rest of the line stays readable')
})
