import t from 'tap'
import { createSealedBox } from '../../src/sign-in/sealed-box.js'

const OLD = 'an-old-secret-that-is-long-enough-000000'
const NEW = 'a-new-secret-that-is-long-enough-1111111'

t.test('opens what it sealed, and the value reveals nothing', async (t) => {
  const box = createSealedBox([NEW], 'purpose')
  const sealed = box.seal('{"verifier":"v-123"}', 'name')
  t.notMatch(sealed, /verifier|v-123/)
  t.equal(box.open(sealed, 'name'), '{"verifier":"v-123"}')
})

t.test('refuses tampered, truncated or re-labelled values', async (t) => {
  const box = createSealedBox([NEW], 'purpose')
  const sealed = box.seal('hello', 'name')
  const bytes = Buffer.from(sealed, 'base64url')
  bytes[14] = (bytes[14] ?? 0) ^ 1
  t.equal(box.open(bytes.toString('base64url'), 'name'), null, 'flipped byte')
  t.equal(box.open(sealed.slice(0, 20), 'name'), null, 'truncated')
  t.equal(box.open(sealed, 'other-name'), null, 'moved to another cookie name')
  t.equal(box.open('', 'name'), null, 'empty')
})

t.test('rotation: a value sealed with an old secret still opens; new values use the first secret', async (t) => {
  const before = createSealedBox([OLD], 'purpose')
  const after = createSealedBox([NEW, OLD], 'purpose')
  t.equal(after.open(before.seal('x', 'n'), 'n'), 'x')
  t.equal(before.open(after.seal('y', 'n'), 'n'), null, 'new values are sealed with the new secret')
  t.equal(createSealedBox([NEW], 'other-purpose').open(after.seal('z', 'n'), 'n'), null, 'keys differ per purpose')
})

t.test('a value names the key that sealed it: any of 64 secrets opens its own values, and only those', async (t) => {
  const secrets = Array.from({ length: 64 }, (_, i) => `secret-${String(i).padStart(2, '0')}-that-is-long-enough-for-a-key`)
  const box = createSealedBox(secrets, 'purpose')
  const last = createSealedBox([secrets[63]!], 'purpose').seal('from the oldest secret', 'n')
  t.equal(box.open(last, 'n'), 'from the oldest secret')
  const unknown = createSealedBox(['a-secret-nobody-configured-0000000000'], 'purpose').seal('x', 'n')
  t.equal(box.open(unknown, 'n'), null, 'an unknown key is refused')
  t.equal(box.open(box.seal('y', 'n'), 'n'), 'y')
})
