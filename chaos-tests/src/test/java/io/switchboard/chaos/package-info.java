/**
 * System tests: every tier runs as its own JVM process, started from its own main with its own config file,
 * against a real Kafka broker; faults are injected at the process level.
 */
package io.switchboard.chaos;
