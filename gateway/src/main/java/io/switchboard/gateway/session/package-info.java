/**
 * One client session and its parts, each with one job: {@link io.switchboard.gateway.session.ClientSession}
 * (state, Connect and the protocol rules), {@code RequestDispatch} (each request after Connect: rate limits, the
 * lane, the handler of its type), {@code SessionClose} (the steps of a close and of the transport's end),
 * {@code RequestLane} (the connection's requests in order, later ones held back
 * while one waits for the application's authorizer), {@code SessionAuth} (Connect token, its grants, refresh,
 * expiry), {@code RoomPermissions} (the session's permission checks), {@code SubscriptionRequests} (Subscribe and
 * resume with their checks, the server's SubscribeUser / UnsubscribeUser, the re-check after a refresh),
 * {@code RefreshRequests} (RefreshToken: the new token, the re-check, then the ack),
 * {@code RoomSubscriptions} (subscribed rooms; the session as the fan-out's subscriber), {@code ResumeHandOver}
 * (Subscribe with resume_from: history, then live, no gap and no duplicate), {@code PublishRequests},
 * {@code ReadRequests} and {@code EphemeralRequests} (requests to backends, each kind within a
 * {@code RequestBudget}), {@code SessionPresence} (what presence hears) and {@code SessionOutput} (the session's
 * end of the one write path). {@link io.switchboard.gateway.session.SessionFactory} builds them for each
 * connection; the gateway-wide pieces are the request handlers, the room authorizer,
 * {@link io.switchboard.gateway.session.ConnectionRegistry} and the drain's
 * {@link io.switchboard.gateway.session.Admission}.
 */
package io.switchboard.gateway.session;
