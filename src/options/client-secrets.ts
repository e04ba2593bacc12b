import { readFileSync } from 'node:fs'
import { invalid, nonEmptyString, show } from './checks.js'

/** What a `client_secrets.json` gives: the client's credentials and the redirect URIs registered for it. */
export interface ClientCredentials { clientId: unknown, clientSecret: unknown, redirectUris?: unknown }

/** Reads the `client_secrets.json` Google Cloud console lets you download (a `web` or `installed` client). */
export function readClientSecretsFile (file: unknown): ClientCredentials {
  const path = nonEmptyString('clientSecretsFile', file, 'Give the path of the JSON file downloaded from Google Cloud console.')
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'))
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file does not exist' : 'it is not readable JSON'
    throw invalid(`options.clientSecretsFile ${show(path)} cannot be used: ${why}. Download it again from Google Cloud console (APIs & Services → Credentials).`)
  }
  const root = parsed as Record<string, Record<string, unknown> | undefined> | null
  const entry = root?.web ?? root?.installed
  if (typeof entry !== 'object' || entry === null) {
    throw invalid(`options.clientSecretsFile ${show(path)} has neither a "web" nor an "installed" section. Download the OAuth client JSON from Google Cloud console.`)
  }
  return { clientId: entry.client_id, clientSecret: entry.client_secret, redirectUris: entry.redirect_uris }
}
