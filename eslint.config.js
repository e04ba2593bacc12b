import neostandard from 'neostandard'

export default [
  ...neostandard({ ts: true, ignores: ['dist/**', '.build/**', 'coverage/**', '.tap/**'] }),
  {
    rules: {
      // `void promise` marks a promise deliberately not awaited (signal handlers, background work).
      'no-void': ['error', { allowAsStatement: true }]
    }
  }
]
