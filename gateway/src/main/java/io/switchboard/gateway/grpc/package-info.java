/**
 * The gateway's plaintext gRPC channels to its backend services (presence, history): one channel each, unary
 * calls with a deadline answered as futures, and a bounded close. The router channels have their own pool in
 * {@code routing}.
 */
package io.switchboard.gateway.grpc;
