package io.switchboard.examples.backend;

import com.google.protobuf.Duration;
import com.google.protobuf.Value;
import io.grpc.stub.StreamObserver;
import io.switchboard.proto.api.v1.AuthorizeRequest;
import io.switchboard.proto.api.v1.AuthorizeResponse;
import io.switchboard.proto.api.v1.AuthorizerGrpc;
import io.switchboard.proto.api.v1.Verb;
import java.util.List;

/**
 * An application's answer to the gateways' {@code Authorizer/Authorize}: rooms {@code team:<name>} belong to
 * the members of team {@code <name>}, read from the token's {@code teams} claim (a list of team names, as the
 * application's auth server put it there). Members may do everything but publish into {@code team:<name>:announce},
 * which only team leads ({@code "lead": true}) may. Every other room is denied. Answers are reused by gateways
 * for a minute. Stateless, hence thread-safe.
 */
public final class TeamAuthorizer extends AuthorizerGrpc.AuthorizerImplBase {
    static final Duration TTL = Duration.newBuilder().setSeconds(60).build();
    private static final String PREFIX = "team:";

    @Override
    public void authorize(AuthorizeRequest request, StreamObserver<AuthorizeResponse> responses) {
        responses.onNext(decide(request));
        responses.onCompleted();
    }

    static AuthorizeResponse decide(AuthorizeRequest request) {
        String room = request.getRoom();
        if (!room.startsWith(PREFIX)) {
            return deny("only team rooms are decided here");
        }
        String rest = room.substring(PREFIX.length());
        int colon = rest.indexOf(':');
        String team = colon < 0 ? rest : rest.substring(0, colon);
        if (!teams(request).contains(team)) {
            return deny("not a member of team " + team);
        }
        boolean announcements = colon >= 0 && rest.substring(colon + 1).equals("announce");
        if (announcements && request.getVerb() == Verb.VERB_PUBLISH && !isLead(request)) {
            return deny("only team leads announce in " + room);
        }
        return AuthorizeResponse.newBuilder().setAllow(true).setTtl(TTL).build();
    }

    private static List<String> teams(AuthorizeRequest request) {
        Value teams = request.getClaims().getFieldsOrDefault("teams", Value.getDefaultInstance());
        return teams.getListValue().getValuesList().stream()
                .filter(Value::hasStringValue).map(Value::getStringValue).toList();
    }

    private static boolean isLead(AuthorizeRequest request) {
        return request.getClaims().getFieldsOrDefault("lead", Value.getDefaultInstance()).getBoolValue();
    }

    private static AuthorizeResponse deny(String reason) {
        return AuthorizeResponse.newBuilder().setAllow(false).setTtl(TTL).setReason(reason).build();
    }
}
