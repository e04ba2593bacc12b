import type { Behaviours } from './behaviour.js'
import type { Grants } from './grants.js'
import type { KeyRing } from './keys.js'
import type { FakeRiscState } from './risc-types.js'
import type { Account, Settings } from './options.js'
import type { GrantedScopes } from './scopes.js'
import type { FakeGoogleClient, FakeGoogleRequest, IdTokenTamperer } from './types.js'

/** The mutable state of one fake, shared by its routes. */
export interface FakeGoogleContext {
  readonly settings: Settings
  /** Registered clients by ID (`addClient` adds to it). */
  readonly clients: Map<string, FakeGoogleClient>
  readonly accounts: readonly Account[]
  readonly keys: KeyRing
  readonly grants: Grants
  readonly behaviours: Behaviours
  readonly requests: FakeGoogleRequest[]
  /** Current auto-consent mode: false (chooser), true, an email or sub, or `'deny'`. */
  autoConsent: boolean | string
  tamperer: IdTokenTamperer | null
  /** Scopes every consent leaves out (`declineScopes`), or null. */
  declined: GrantedScopes | null
  /** Cross-Account Protection: the registered stream and service accounts. */
  readonly risc: FakeRiscState
  /** Base URL once listening, e.g. `http://127.0.0.1:54321`. */
  baseUrl: string
}
