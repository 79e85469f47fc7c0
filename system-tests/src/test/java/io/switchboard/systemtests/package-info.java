/**
 * End-to-end tests of the features that span tiers against a whole platform in one JVM ({@code LocalCluster}:
 * an embedded Kafka broker, a router with the public API, two gateways, the presence and history services):
 * presence across gateways, typing indicators, direct messages, the backend API and errors that only Kafka
 * raises (a record too large for its topic), driven by the Java SDK,
 * the test kit's protocol-level client and a grpc-java backend, exactly as users and backends would.
 */
package io.switchboard.systemtests;
