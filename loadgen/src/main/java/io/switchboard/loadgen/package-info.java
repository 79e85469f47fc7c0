/**
 * The load generator: {@code ./switchboard load}. A coordinator process plans a workload (idle connections,
 * open-loop fan-out, a rate search for the maximum sustained rate, acknowledged publishes), starts child
 * worker processes that hold the WebSocket clients (Netty on epoll, source addresses spread over
 * 127.0.0.0/8), steps them through the schedule over stdin/stdout, samples the servers' CPU and RSS from
 * {@code /proc}, and writes JSON and Markdown results. {@code load compare} starts each target (the platform,
 * a bare Helidon broadcast server, a raw Node {@code ws} server) as its own process and runs the same workload
 * against each. Figures are for reading, never for pass/fail.
 */
package io.switchboard.loadgen;
