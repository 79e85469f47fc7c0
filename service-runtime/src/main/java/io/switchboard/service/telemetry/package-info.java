/**
 * Tracing and log context shared by the tiers: each tier's keys ({@link io.switchboard.service.telemetry.TelemetryKeys}),
 * its OpenTelemetry tracer and W3C propagation ({@link io.switchboard.service.telemetry.Tracing}, off by default and
 * free when off), the ids a log line carries ({@link io.switchboard.service.telemetry.LogContext}) and the text or
 * JSON line format ({@link io.switchboard.service.telemetry.LogFormat}).
 */
package io.switchboard.service.telemetry;
