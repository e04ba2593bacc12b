import t from 'tap'
import { redactUrl } from '../../src/index.js'

t.test('redacts OAuth parameters and keeps the rest of the URL', async (t) => {
  t.equal(redactUrl('/oauth2/google/callback?state=abc&code=4%2F0AQx&scope=email'), '/oauth2/google/callback?state=[redacted]&code=[redacted]&scope=email')
  t.equal(redactUrl('/revoke?token=ya29.x'), '/revoke?token=[redacted]')
  t.equal(redactUrl('/reports?page=2&encode=1'), '/reports?page=2&encode=1', 'parameters that merely end in "code" are kept')
  t.equal(redactUrl('/plain'), '/plain')
})
