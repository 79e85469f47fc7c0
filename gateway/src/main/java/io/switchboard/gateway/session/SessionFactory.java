package io.switchboard.gateway.session;

import java.time.Clock;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.switchboard.gateway.auth.TokenVerifier;
import io.switchboard.gateway.authz.RoomAuthorizer;
import io.switchboard.gateway.debug.DebugSessions;
import io.switchboard.gateway.debug.FrameTap;
import io.switchboard.gateway.fanout.LiveHandOver;
import io.switchboard.gateway.fanout.SubscriptionRegistry;
import io.switchboard.gateway.history.HistoryPager;
import io.switchboard.gateway.history.ResumeReader;
import io.switchboard.gateway.limits.ConnectionLimits;
import io.switchboard.gateway.observe.GatewayMetrics;
import io.switchboard.gateway.presence.PresenceChanges;
import io.switchboard.gateway.ws.ConnectionHandler;
import io.switchboard.gateway.ws.FrameSink;
import io.switchboard.gateway.ws.Subprotocol;
import io.switchboard.gateway.ws.WriterLanes;
import io.switchboard.roomlog.RoomLogTopic;

/**
 * Opens the {@link ClientSession} of each new connection: the one place where a session's parts are built and
 * each is handed exactly the gateway-wide collaborators its job needs. Built once per gateway, once the gateway
 * knows its id and the Kafka topic, with {@link #builder}. Immutable and thread-safe.
 */
public final class SessionFactory implements ConnectionHandler.Factory {
    private final String gatewayId;
    private final SessionSettings settings;
    private final Clock clock;
    private final GatewayMetrics metrics;
    private final ConnectionRegistry connections;
    private final TokenVerifier verifier;
    private final RoomAuthorizer authorizer;
    private final SubscriptionRegistry subscriptions;
    private final LiveHandOver handOver;
    private final RoomLogTopic layout;
    private final ResumeReader resumes;
    private final HistoryPager historyPages;
    private final PublishHandler publisher;
    private final DirectMessageHandler directMessages;
    private final EphemeralHandler ephemerals;
    private final Admission admission;
    private final PresenceChanges presence;
    private final PresenceQueryHandler presenceQueries;
    // Null: debug mode off (every connection gets FrameTap.NONE).
    private final DebugSessions debug;
    private final GatewayReplies replies;
    private final SessionTimeouts timeouts;
    private final Supplier<ConnectionLimits> limits;
    private final WriterLanes writerLanes;
    private final ConflationPolicy conflation;
    private final ScheduledExecutorService timer;

    private SessionFactory(Builder b) {
        this.gatewayId = b.gatewayId;
        this.settings = b.settings;
        this.clock = b.clock;
        this.metrics = require(b.metrics, "metrics");
        this.connections = require(b.connections, "connections");
        this.verifier = require(b.verifier, "verifier");
        this.authorizer = require(b.authorizer, "verifier");
        this.subscriptions = require(b.subscriptions, "fanout");
        this.handOver = b.handOver;
        this.layout = b.layout;
        this.resumes = require(b.resumes, "history");
        this.historyPages = b.historyPages;
        this.publisher = require(b.publisher, "routers");
        this.directMessages = b.directMessages;
        this.ephemerals = b.ephemerals;
        this.admission = require(b.admission, "admission");
        this.presence = require(b.presence, "presence");
        this.presenceQueries = b.presenceQueries;
        this.limits = b.limits;
        this.debug = b.debug;
        this.writerLanes = b.writerLanes;
        this.conflation = b.conflation;
        this.timer = require(b.timer, "timer");
        this.replies = new GatewayReplies(gatewayId, clock, settings, require(b.layout, "fanout"));
        this.timeouts = new SessionTimeouts(require(b.timer, "timer"), settings.connectTimeout(),
                settings.closeTimeout());
    }

    /**
     * A builder for the sessions of gateway {@code gatewayId} (reported in Connected and stamped on what sessions
     * send) with the given per-connection limits and timeouts.
     */
    public static Builder builder(String gatewayId, SessionSettings settings) {
        return new Builder(gatewayId, settings);
    }

    /** Builds the session of a new connection and opens it (writer started, connect timeout running). */
    @Override
    public ClientSession open(Subprotocol subprotocol, FrameSink sink) {
        String id = RandomIds.uuid(); // an identifier, not a secret: see RandomIds
        SessionAuth auth = new SessionAuth(id, gatewayId, verifier);
        SessionOutput output = new SessionOutput(id, subprotocol, sink, settings.maxOutboundQueueBytes(), metrics,
                writerLanes, debug == null ? FrameTap.NONE : new FrameTap(debug, id, auth::userId));
        RoomPermissions permissions = new RoomPermissions(auth, authorizer);
        SessionPresence reports = new SessionPresence(id, presence, clock);
        Conflator conflator = conflation.isEmpty() ? null : new Conflator(conflation,
                (nanos, task) -> timer.schedule(task, nanos, TimeUnit.NANOSECONDS), System::nanoTime, output::enqueue,
                metrics::conflation);
        RoomSubscriptions rooms = new RoomSubscriptions(id, output, subscriptions, handOver, layout, reports,
                settings.maxSubscriptions(), conflator);
        ResumeHandOver resumeHandOver = new ResumeHandOver(id, rooms, output, resumes, settings.maxResumeBufferBytes(),
                metrics);
        SubscriptionRequests subscriptionRequests = new SubscriptionRequests(id, output, rooms, resumeHandOver,
                permissions);
        RequestLane lane = new RequestLane(id);
        RequestDispatch.Handlers requests = new RequestDispatch.Handlers(lane, subscriptionRequests,
                new PublishRequests(id, output, auth, permissions, publisher, directMessages, admission,
                        settings.maxInflightPublishes()),
                new ReadRequests(id, output, rooms, permissions, historyPages, presenceQueries),
                new EphemeralRequests(id, output, auth, rooms, permissions, ephemerals), reports,
                new RefreshRequests(auth, subscriptionRequests, output));
        SessionClose ending = new SessionClose(id, output, lane, permissions, rooms, reports, timeouts, metrics);
        ClientSession session = new ClientSession(id, subprotocol, output, auth, reports, limits.get(), requests,
                ending, replies, timeouts, connections, metrics);
        session.open();
        return session;
    }

    private static <T> T require(T value, String what) {
        return Objects.requireNonNull(value, () -> what + " (expected: set on the builder)");
    }

    /** Builder of a {@link SessionFactory}; every group must be set. Not thread-safe. */
    public static final class Builder {
        private final String gatewayId;
        private final SessionSettings settings;
        private Clock clock = Clock.systemUTC();
        private ScheduledExecutorService timer;
        private GatewayMetrics metrics;
        private ConnectionRegistry connections;
        private TokenVerifier verifier;
        private RoomAuthorizer authorizer;
        private SubscriptionRegistry subscriptions;
        private LiveHandOver handOver;
        private RoomLogTopic layout;
        private ResumeReader resumes;
        private HistoryPager historyPages;
        private PublishHandler publisher;
        private DirectMessageHandler directMessages;
        private EphemeralHandler ephemerals;
        private Admission admission;
        private PresenceChanges presence;
        private PresenceQueryHandler presenceQueries;
        private Supplier<ConnectionLimits> limits = ConnectionLimits::none;
        private DebugSessions debug;
        private WriterLanes writerLanes;
        private ConflationPolicy conflation = ConflationPolicy.NONE;

        private Builder(String gatewayId, SessionSettings settings) {
            this.gatewayId = Objects.requireNonNull(gatewayId, "gatewayId");
            this.settings = Objects.requireNonNull(settings, "settings");
        }

        /** The writer lanes connections write on; unset: a writer thread per connection. */
        public Builder writerLanes(WriterLanes lanes) {
            this.writerLanes = Objects.requireNonNull(lanes, "lanes");
            return this;
        }

        /** The namespaces whose rooms are delivered conflated; default none. */
        public Builder conflation(ConflationPolicy conflation) {
            this.conflation = Objects.requireNonNull(conflation, "conflation");
            return this;
        }

        /** Time for server_time fields and presence reports; default the system UTC clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Runs connect timeouts and close deadlines; must run only short, non-blocking tasks. */
        public Builder timer(ScheduledExecutorService timer) {
            this.timer = Objects.requireNonNull(timer, "timer");
            return this;
        }

        /** Where sessions count frames, closes and queue bytes, and every live connection. */
        public Builder bookkeeping(GatewayMetrics metrics, ConnectionRegistry connections) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            this.connections = Objects.requireNonNull(connections, "connections");
            return this;
        }

        /**
         * Checks Connect and RefreshToken tokens, and decides what each connection may do in which room (token
         * grants, namespace policies, the application's backend).
         */
        public Builder verifier(TokenVerifier verifier, RoomAuthorizer authorizer) {
            this.verifier = Objects.requireNonNull(verifier, "verifier");
            this.authorizer = Objects.requireNonNull(authorizer, "authorizer");
            return this;
        }

        /**
         * The fan-out side of subscriptions: room to local subscribers, the atomic registration that tells where a
         * room's live stream starts, and the rooms topic (for epochs).
         */
        public Builder fanout(SubscriptionRegistry subscriptions, LiveHandOver handOver, RoomLogTopic layout) {
            this.subscriptions = Objects.requireNonNull(subscriptions, "subscriptions");
            this.handOver = Objects.requireNonNull(handOver, "handOver");
            this.layout = Objects.requireNonNull(layout, "layout");
            return this;
        }

        /** Reads what a resuming subscription missed, and answers HistoryRequest frames. */
        public Builder history(ResumeReader resumes, HistoryPager historyPages) {
            this.resumes = Objects.requireNonNull(resumes, "resumes");
            this.historyPages = Objects.requireNonNull(historyPages, "historyPages");
            return this;
        }

        /** What goes to routers: publishes, direct messages and ephemeral events. */
        public Builder routers(PublishHandler publisher, DirectMessageHandler directMessages,
                               EphemeralHandler ephemerals) {
            this.publisher = Objects.requireNonNull(publisher, "publisher");
            this.directMessages = Objects.requireNonNull(directMessages, "directMessages");
            this.ephemerals = Objects.requireNonNull(ephemerals, "ephemerals");
            return this;
        }

        /** Whether the gateway still takes publishes (not while draining), and the count a drain waits for. */
        public Builder admission(Admission admission) {
            this.admission = Objects.requireNonNull(admission, "admission");
            return this;
        }

        /**
         * Where connection and membership changes are reported ({@link PresenceChanges#NONE} when presence is not
         * configured), and what answers PresenceQuery frames.
         */
        public Builder presence(PresenceChanges presence, PresenceQueryHandler presenceQueries) {
            this.presence = Objects.requireNonNull(presence, "presence");
            this.presenceQueries = Objects.requireNonNull(presenceQueries, "presenceQueries");
            return this;
        }

        /** The edge limits each new connection gets (Connect frame size, frame rates); default none. */
        public Builder limits(Supplier<ConnectionLimits> limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /** Debug mode's sessions: connections log their frames while one targets them (none by default). */
        public Builder debug(DebugSessions debug) {
            this.debug = Objects.requireNonNull(debug, "debug");
            return this;
        }

        public SessionFactory build() {
            return new SessionFactory(this);
        }
    }
}
