/**
 * The public server API for backends ({@code switchboard.api.v1.SwitchboardApi}): a thin adapter that checks a
 * service token and a per-service rate limit, then maps each public call onto the internal RouterService,
 * PresenceService and HistoryService RPCs, passing their statuses through. {@link
 * io.switchboard.router.api.SwitchboardApiService#definition()} is the service definition a router serves.
 */
package io.switchboard.router.api;
