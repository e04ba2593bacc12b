import { readFileSync } from 'node:fs'
import { invalid, nonEmptyString, show } from './checks.js'

export const CLIENT_ID_HINT = 'Create an OAuth client ID in Google Cloud console and pass it, or pass clientSecretsFile.'
export const CLIENT_SECRET_HINT = 'Pass the client secret that belongs to clientId, or pass clientSecretsFile.'

/** The client's credentials, and the redirect URIs registered for it when they come from a `client_secrets.json`. */
export interface ClientCredentials { clientId: string, clientSecret: string, redirectUris?: unknown }

/** Reads the `client_secrets.json` Google Cloud console lets you download (a `web` or `installed` client). */
function readClientSecretsFile (path: string): { clientId: unknown, clientSecret: unknown, redirectUris: unknown } {
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

/** The client's credentials: from `clientSecretsFile`, or from `clientId` and `clientSecret`, never a mix. */
export function credentialsOf (read: { clientId: string | undefined, clientSecret: string | undefined, clientSecretsFile: string | undefined }): ClientCredentials {
  if (read.clientSecretsFile !== undefined && (read.clientId !== undefined || read.clientSecret !== undefined)) {
    throw invalid('give either options.clientSecretsFile or options.clientId and options.clientSecret, not both.')
  }
  const given = read.clientSecretsFile === undefined ? { ...read, redirectUris: undefined } : readClientSecretsFile(read.clientSecretsFile)
  return {
    clientId: nonEmptyString('clientId', given.clientId, CLIENT_ID_HINT),
    clientSecret: nonEmptyString('clientSecret', given.clientSecret, CLIENT_SECRET_HINT),
    redirectUris: given.redirectUris
  }
}
