import type { VerifiedClaims } from './id-token.js'
import type { GoogleUser } from './types.js'

/** Builds the `request.googleUser` object from verified ID token claims. */
export function userFromClaims (claims: VerifiedClaims): GoogleUser {
  return {
    id: claims.sub,
    email: claims.email,
    emailVerified: claims.emailVerified,
    name: claims.name,
    givenName: claims.givenName,
    familyName: claims.familyName,
    picture: claims.picture,
    locale: claims.locale,
    hostedDomain: claims.hd
  }
}
