/**
 * The gateway's own TLS ({@code gateway.tls.*}): {@link io.switchboard.gateway.tls.TlsKeys} defines the keys,
 * {@link io.switchboard.gateway.tls.ServingTls} loads the PEM certificate chain and private key, checks that they
 * belong together, and replaces the certificate new handshakes get when the files change, without touching open
 * connections; {@link io.switchboard.gateway.tls.TlsMetrics} counts reloads and shows the served certificate's expiry.
 */
package io.switchboard.gateway.tls;
