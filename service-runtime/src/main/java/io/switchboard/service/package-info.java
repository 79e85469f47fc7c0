/**
 * Process plumbing shared by the grpc-java tiers (router, history service): the small HTTP side with
 * Prometheus metrics and liveness/readiness, and a log manager that keeps the shutdown log lines. Nothing
 * here knows about messages, rooms or Kafka.
 */
package io.switchboard.service;
