/**
 * TLS of the tiers' gRPC: the keys every tier defines the same way under its own prefix (server side
 * {@code <tier>.grpc.tls.*}, client side {@code <tier>.grpc-client.tls.*}), the grpc-java credentials built from
 * their PEM files, and the check that lets only callers with a verified client certificate reach a tier's internal
 * services. With no TLS key set, servers and channels stay plaintext.
 */
package io.switchboard.service.tls;
