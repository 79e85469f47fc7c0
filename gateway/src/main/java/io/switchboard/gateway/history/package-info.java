/**
 * The gateway's side of the history service: the gRPC client, the coalescing reader that replays what a resuming
 * client missed (identical page reads of a reconnect storm share one store read), the handler of HistoryRequest
 * frames, and the one table that maps history statuses to resume outcomes and client error codes.
 */
package io.switchboard.gateway.history;
