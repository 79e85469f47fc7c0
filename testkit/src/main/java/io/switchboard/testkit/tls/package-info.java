/** Mutual-TLS test fixtures: certificates of two authorities and gRPC callers with and without them. */
package io.switchboard.testkit.tls;
