/**
 * A real Apache Kafka KRaft cluster (one to five combined broker+controller nodes with a static quorum) started from
 * the Kafka Maven artifacts, either inside this JVM or as one child JVM per node. {@link
 * io.switchboard.kafka.embedded.EmbeddedKafka} is the entry point used by the single-process launcher, the
 * integration tests and the chaos tests (which SIGKILL child-process nodes); {@link
 * io.switchboard.kafka.embedded.EmbeddedKafkaMain} runs a cluster from the command line and {@link
 * io.switchboard.kafka.embedded.KafkaNodeMain} is the per-node main of the child-process mode. Everything else in
 * the package is implementation.
 */
package io.switchboard.kafka.embedded;
