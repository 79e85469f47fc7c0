/** The claims the client reads from a token; it never verifies a signature (the gateway does). */
export interface TokenTimes {
  /** Expiry in ms since the epoch, from "exp". */
  expiresAtMs: number;
  /** Issue time in ms since the epoch, from "iat" when present. */
  issuedAtMs?: number;
}

/** Decodes "exp" (and "iat") from a JWT's payload; undefined when the token is not a JWT or has no exp. */
export function tokenTimes(token: string): TokenTimes | undefined {
  const parts = token.split('.');
  if (parts.length < 2) {
    return undefined;
  }
  try {
    const claims = JSON.parse(base64UrlDecode(parts[1]!)) as { exp?: unknown; iat?: unknown };
    if (typeof claims.exp !== 'number') {
      return undefined;
    }
    const times: TokenTimes = { expiresAtMs: claims.exp * 1000 };
    if (typeof claims.iat === 'number') {
      times.issuedAtMs = claims.iat * 1000;
    }
    return times;
  } catch {
    return undefined; // not JSON / not base64url: treat as an opaque token without a known expiry
  }
}

function base64UrlDecode(text: string): string {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) {
    bytes[i] = binary.charCodeAt(i);
  }
  return new TextDecoder().decode(bytes);
}
