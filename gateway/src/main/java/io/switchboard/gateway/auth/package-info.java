/**
 * Authentication of WebSocket clients: the {@link io.switchboard.gateway.auth.TokenVerifier} seam and its JWT
 * implementation (HS256 and/or RS256 with nimbus-jose-jwt, an injected clock for expiry), plus PEM key parsing.
 * Failures carry the close code the connection ends with (INVALID_TOKEN or TOKEN_EXPIRED).
 */
package io.switchboard.gateway.auth;
