package io.switchboard.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jwt.JWTClaimsSet;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.switchboard.auth.TokenSigner;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * DEVELOPMENT ONLY: hands out a signed token for any name, so the demo page can sign in without an auth
 * server. Served by the single-process launcher only ({@code launcher.demo.enabled}); a real deployment gets
 * tokens from the application's own auth server. The token grants every verb in the demo's rooms
 * ({@code launcher.demo.rooms}, by default {@link #DEMO_ROOMS}) and nothing else: gateways deny every other room, as
 * they would for an application's tokens. Thread-safe.
 */
final class DemoTokenService implements HttpService {
    /** The room patterns a demo token grants by default: the default room and any room named {@code demo:...}. */
    static final List<String> DEMO_ROOMS = List.of("lobby", "demo:*");
    private static final List<String> ALL_VERBS = List.of("subscribe", "publish", "history", "presence", "ephemeral");
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9._-]{1,32}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Object> rooms;
    private final TokenSigner signer;
    private final Duration lifetime;
    private final Clock clock;

    DemoTokenService(String hs256Secret, List<String> roomPatterns, Duration lifetime, Clock clock) {
        this.rooms = new LinkedHashMap<>();
        roomPatterns.forEach(pattern -> rooms.put(pattern, ALL_VERBS));
        this.signer = TokenSigner.hs256(hs256Secret);
        this.lifetime = lifetime;
        this.clock = clock;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/token", this::token);
    }

    /** The patterns of a comma-separated {@code launcher.demo.rooms} value, blanks dropped. */
    static List<String> patterns(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).map(String::strip).filter(p -> !p.isEmpty()).toList();
    }

    private void token(ServerRequest request, ServerResponse response) {
        String body = request.content().as(String.class);
        String user = null;
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals("user")) {
                user = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        if (user == null || !USER.matcher(user).matches()) {
            response.status(Status.BAD_REQUEST_400).send("user: expected 1-32 of [A-Za-z0-9._-]");
            return;
        }
        Instant now = clock.instant();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .subject(user)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(lifetime)))
                .claim("rooms", rooms)
                .build();
        String token = signer.sign(claims);
        response.header(HeaderNames.CONTENT_TYPE, "application/json");
        response.header(HeaderNames.CACHE_CONTROL, "no-store");
        response.send(JSON.createObjectNode().put("token", token).toString());
    }
}
