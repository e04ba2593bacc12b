import t from 'tap'
import { errorPage } from '../../src/pages/error-page.js'

const APP = { name: null, url: '/' }

t.test('an error page: the message, its ways on (the first the main one), and who is still signed in, all escaped', async (t) => {
  const html = errorPage('Another Google account', 'Nothing <changed>.', 'FST_GOOGLE_OAUTH_ACCOUNT_MISMATCH',
    [{ url: '/calendar?a=1&b="2"', text: 'Try again with this account' }, { url: '/logout', text: 'Sign <out>' }], APP, 'ada+"x"@example.com')
  t.match(html, '<p>Nothing &lt;changed&gt;.</p>')
  t.match(html, '<p>You are still signed in as <strong>ada+&quot;x&quot;@example.com</strong>.</p>')
  t.match(html, '<a class="button primary" href="/calendar?a=1&amp;b=&quot;2&quot;">Try again with this account</a>\n<a class="button" href="/logout">Sign &lt;out&gt;</a>')
  t.notMatch(errorPage('Sign-in refused', 'No.', 'X', [{ url: '/login', text: 'Back to sign in' }], APP), /signed in as/, 'nobody signed in: no such line')
})
