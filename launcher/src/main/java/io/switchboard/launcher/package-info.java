/**
 * The single-process default: one JVM that runs a real Kafka broker, routers, gateways and the presence and
 * history services on loopback ({@link io.switchboard.launcher.LocalCluster}), plus the demo chat page and its
 * development-only token endpoint. Also the harness that integration tests and benchmarks use to run a small
 * cluster in-process.
 */
package io.switchboard.launcher;
