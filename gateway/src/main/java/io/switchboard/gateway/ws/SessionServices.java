package io.switchboard.gateway.ws;

import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;

import io.switchboard.gateway.auth.TokenVerifier;
import io.switchboard.gateway.history.HistoryPager;
import io.switchboard.gateway.history.ResumeReader;
import io.switchboard.gateway.fanout.LiveHandOver;
import io.switchboard.gateway.fanout.SubscriptionRegistry;
import io.switchboard.gateway.fanout.TopicLayout;
import io.switchboard.gateway.observe.GatewayMetrics;

/**
 * What every connection of one gateway shares: identity, limits, collaborators and the timer. Immutable;
 * every collaborator is thread-safe.
 *
 * @param gatewayId     this gateway's id, reported in Connected and stamped on envelopes
 * @param settings      per-connection limits and timeouts
 * @param verifier      checks Connect tokens
 * @param subscriptions room to local subscribers
 * @param layout        the rooms topic (for epochs)
 * @param publisher     sends publishes to routers
 * @param admission     whether new work is taken; publishes in flight
 * @param connections   every live connection
 * @param metrics       the gateway's metrics
 * @param timer         runs connect timeouts and close deadlines (must not run blocking work)
 * @param clock         time for server_time fields and envelopes
 * @param handOver      registers resuming subscriptions atomically with the fan-out
 * @param resumer       reads what a resuming subscription missed
 * @param historyPager  answers HistoryRequest frames
 * @param features      ephemeral events, direct messages and presence
 */
public record SessionServices(String gatewayId, SessionSettings settings, TokenVerifier verifier,
                              SubscriptionRegistry subscriptions, TopicLayout layout, PublishHandler publisher,
                              Admission admission, ConnectionRegistry connections, GatewayMetrics metrics,
                              ScheduledExecutorService timer, Clock clock, LiveHandOver handOver,
                              ResumeReader resumer, HistoryPager historyPager, SessionFeatures features) {
}
