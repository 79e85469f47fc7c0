package io.switchboard.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.switchboard.service.ServiceMain;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Where everything the launcher started listens: {@code GET /launcher/status} on the first gateway answers it as JSON,
 * and {@link #summary} is the start-up line. Both are documented in docs/configuration.md (launcher section).
 * Thread-safe: it reads the cluster's bound ports at each request.
 */
final class ClusterStatus implements HttpService {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LocalCluster cluster;

    ClusterStatus(LocalCluster cluster) {
        this.cluster = cluster;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/status", this::status);
    }

    private void status(ServerRequest request, ServerResponse response) {
        response.header(HeaderNames.CONTENT_TYPE, "application/json");
        response.header(HeaderNames.CACHE_CONTROL, "no-store");
        response.send(json(cluster).toString());
    }

    /**
     * {@code {"kafka":{"bootstrap_servers","embedded","data_dir"},"gateways":[{"id","port","web_socket",
     * "netty_web_socket" (with gateway.netty.port only)}],
     * "routers":[{"id","grpc_port","metrics_port","gateway_transport" ("in-process" or "tcp": how the gateways
     * call it),"local_feed" (whether it hands its records to the gateways, launcher.local-feed)}],
     * "presence":{...}|null,"history":{...,"data_dir"}|null}};
     * a metrics port of -1 means disabled.
     */
    static ObjectNode json(LocalCluster cluster) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode kafka = root.putObject("kafka");
        kafka.put("bootstrap_servers", cluster.bootstrapServers());
        kafka.put("embedded", cluster.kafka() != null);
        kafka.put("data_dir", cluster.kafka() == null ? null : cluster.kafka().dataDirectory().toString());
        ArrayNode gateways = root.putArray("gateways");
        for (int i = 0; i < cluster.gateways().size(); i++) {
            ObjectNode gateway = gateways.addObject().put("id", cluster.gateway(i).gatewayId())
                    .put("port", cluster.gateway(i).port()).put("web_socket", cluster.webSocketUri(i).toString());
            cluster.nettyWebSocketUri(i).ifPresent(uri -> gateway.put("netty_web_socket", uri.toString()));
        }
        ArrayNode routers = root.putArray("routers");
        String transport = cluster.gatewaysCallRoutersInProcess() ? "in-process" : "tcp";
        cluster.routers().forEach(r -> ports(routers.addObject().put("id", r.id()), r)
                .put("gateway_transport", transport).put("local_feed", cluster.routersFeedGateways()));
        if (cluster.presence() == null) {
            root.putNull("presence");
        } else {
            ports(root.putObject("presence"), cluster.presence());
        }
        if (cluster.history() == null) {
            root.putNull("history");
        } else {
            ports(root.putObject("history"), cluster.history()).put("data_dir", cluster.historyDataDir().toString());
        }
        return root;
    }

    private static ObjectNode ports(ObjectNode node, ServiceMain.Service service) {
        return node.put("grpc_port", service.port()).put("metrics_port", service.metricsPort());
    }

    /**
     * The start-up line: {@code Switchboard is up: kafka 127.0.0.1:9092, gateways ws://127.0.0.1:8080/ws ...,
     * routers router-1 grpc :7070, metrics :41234, presence grpc :..., history grpc :...; status
     * http://127.0.0.1:8080/launcher/status}. The load generator's compare command reads the gateways' WebSocket URLs
     * from this line.
     */
    static String summary(LocalCluster cluster) {
        List<String> parts = new java.util.ArrayList<>();
        parts.add("kafka " + cluster.bootstrapServers()
                + (cluster.kafka() == null ? "" : " (data " + cluster.kafka().dataDirectory() + ")"));
        parts.add("gateways " + java.util.stream.IntStream.range(0, cluster.gateways().size())
                .mapToObj(i -> cluster.webSocketUri(i) + cluster.nettyWebSocketUri(i).map(n -> " (netty " + n + ")")
                        .orElse("")).collect(Collectors.joining(" ")));
        parts.add("routers " + cluster.routers().stream().map(r -> r.id() + " " + r.endpoints())
                .collect(Collectors.joining("; ")));
        if (cluster.presence() != null) {
            parts.add("presence " + cluster.presence().endpoints());
        }
        if (cluster.history() != null) {
            parts.add("history " + cluster.history().endpoints() + " (data " + cluster.historyDataDir() + ")");
        }
        return "Switchboard is up: " + String.join(", ", parts) + "; status " + cluster.httpUri(0)
                + "launcher/status";
    }
}
