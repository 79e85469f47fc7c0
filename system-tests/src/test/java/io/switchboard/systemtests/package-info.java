/**
 * End-to-end tests of the phase-2 features against a whole platform in one JVM ({@code LocalCluster}: an
 * embedded Kafka broker, a router with the public API, two gateways, the presence and history services):
 * presence across gateways, typing indicators, direct messages and the backend API, driven by the Java SDK,
 * the test kit's protocol-level client and a grpc-java backend, exactly as users and backends would.
 */
package io.switchboard.systemtests;
