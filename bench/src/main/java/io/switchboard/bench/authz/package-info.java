/**
 * Benchmark of room authorization: the rate of connect + subscribe with the rooms granted by a namespace policy
 * (the baseline: no claims, no backend), by the token's {@code rooms} claim, and by the application's backend
 * Authorizer with its answers cached and on a first ask, all in one run against one cluster.
 */
package io.switchboard.bench.authz;
