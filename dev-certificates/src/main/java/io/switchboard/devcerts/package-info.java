/**
 * Development certificates: a throw-away certificate authority ({@link CertificateAuthority}) that issues leaf
 * certificates for server and client use with loopback subject alternative names, written as PEM files
 * ({@link PemFiles}: certificate chain, PKCS#8 private key, CA bundle) that every TLS setting of the platform
 * reads. The local cluster's TLS mode and the tests use it; production certificates come from the operator's own
 * CA. Depends on no tier.
 */
package io.switchboard.devcerts;
