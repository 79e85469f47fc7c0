/**
 * Authentication of WebSocket clients: the {@link io.switchboard.gateway.auth.TokenVerifier} seam the session
 * calls, and {@link io.switchboard.gateway.auth.ClientTokenVerifier}, which runs the shared verifier of the
 * {@code io.switchboard.auth} module (keys from config, a JWK Set file or a JWKS URL) and reads the capability
 * claims. Failures carry the close code the connection ends with (INVALID_TOKEN, TOKEN_EXPIRED or SERVER_ERROR).
 */
package io.switchboard.gateway.auth;
