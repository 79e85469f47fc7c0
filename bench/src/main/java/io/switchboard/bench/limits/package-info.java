/**
 * The {@code rate-limit} benchmark: what the gateway's per-connection frame rate limiter costs per frame (JMH,
 * beside an empty baseline), and how quickly it cuts an abusive client off at a given send rate.
 */
package io.switchboard.bench.limits;
