/**
 * Observability of a gateway: its Prometheus metrics (registered in an injected registry, served at
 * {@code /metrics} in text format) and the liveness/readiness checks plugged into Helidon's health observer.
 */
package io.switchboard.gateway.observe;
