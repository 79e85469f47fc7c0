/**
 * Token verification shared by the tiers: {@link io.switchboard.auth.TokenVerifier} (one nimbus
 * {@code DefaultJWTProcessor} with its claims verifier) checks client tokens at the gateway and service tokens
 * at the public API; {@link io.switchboard.auth.KeySet} holds the verification keys (a configured HS256 secret or
 * PEM public key, a JWK Set file, a JWKS URL) and {@link io.switchboard.auth.KeyMaterial} parses them. Knows
 * nothing of any tier: each tier maps a {@link io.switchboard.auth.TokenRejectedException.Reason} to its own
 * wire code. {@link io.switchboard.auth.TokenSigner} signs the few tokens the platform makes itself (the demo's token
 * endpoint, the gateway's connect warm-up, the load generator).
 */
package io.switchboard.auth;
