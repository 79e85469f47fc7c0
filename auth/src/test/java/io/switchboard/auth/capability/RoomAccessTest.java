package io.switchboard.auth.capability;

import static io.switchboard.auth.capability.RoomAccess.Decision.ALLOWED_BY_POLICY;
import static io.switchboard.auth.capability.RoomAccess.Decision.ALLOWED_BY_TOKEN;
import static io.switchboard.auth.capability.RoomAccess.Decision.ASK_BACKEND;
import static io.switchboard.auth.capability.RoomAccess.Decision.DENIED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.JWTClaimsSet;
import java.text.ParseException;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RoomAccessTest {
    private static final RoomAccess NO_POLICY = new RoomAccess(NamespacePolicies.NONE, DirectGrants.ANYONE);

    /** Claims as nimbus parses them from a token's JSON. */
    private static Capabilities capabilities(String claimsJson) throws ParseException, CapabilityException {
        return Capabilities.fromClaims(JWTClaimsSet.parse(claimsJson).getClaims());
    }

    @Test
    void theIssueExampleGrantsWhatItSaysAndNothingElse() throws Exception {
        Capabilities alice = capabilities("""
                {"sub":"alice","rooms":{"chat:42":["subscribe","publish","history","presence","ephemeral"],
                 "news:*":["subscribe","history"]}}""");
        for (Verb verb : Verb.values()) {
            assertThat(NO_POLICY.decide(alice, "chat:42", verb)).as(verb.wireName()).isEqualTo(ALLOWED_BY_TOKEN);
            assertThat(NO_POLICY.decide(alice, "chat:43", verb)).as(verb.wireName()).isEqualTo(DENIED);
        }
        assertThat(NO_POLICY.decide(alice, "news:sport", Verb.SUBSCRIBE)).isEqualTo(ALLOWED_BY_TOKEN);
        assertThat(NO_POLICY.decide(alice, "news:sport", Verb.HISTORY)).isEqualTo(ALLOWED_BY_TOKEN);
        assertThat(NO_POLICY.decide(alice, "news:sport", Verb.PUBLISH)).isEqualTo(DENIED);
        assertThat(NO_POLICY.decide(alice, "news", Verb.SUBSCRIBE)).as("'news:*' needs the colon").isEqualTo(DENIED);
        assertThat(NO_POLICY.decide(alice, "chat:420", Verb.SUBSCRIBE)).as("exact is exact").isEqualTo(DENIED);
    }

    @Test
    void theMostSpecificPatternDecidesWhateverTheOrderOfTheClaim() throws Exception {
        String[] orders = {
            "{\"*\":[\"subscribe\"],\"news:*\":[\"subscribe\",\"history\"],\"news:vip*\":[\"publish\"],\"news:vip-1\":[]}",
            "{\"news:vip-1\":[],\"news:vip*\":[\"publish\"],\"news:*\":[\"subscribe\",\"history\"],\"*\":[\"subscribe\"]}",
        };
        for (String rooms : orders) {
            Capabilities c = capabilities("{\"sub\":\"u\",\"rooms\":" + rooms + "}");
            assertThat(c.rooms().orElseThrow().verbs("lobby")).contains(Set.of(Verb.SUBSCRIBE));
            assertThat(c.rooms().orElseThrow().verbs("news:sport")).contains(Set.of(Verb.SUBSCRIBE, Verb.HISTORY));
            // the longer prefix wins and does not add up with the shorter one
            assertThat(c.rooms().orElseThrow().verbs("news:vip-2")).contains(Set.of(Verb.PUBLISH));
            assertThat(NO_POLICY.decide(c, "news:vip-2", Verb.SUBSCRIBE)).isEqualTo(DENIED);
            // an exact name beats every prefix, even when it grants nothing
            assertThat(c.rooms().orElseThrow().verbs("news:vip-1")).contains(Set.of());
            assertThat(NO_POLICY.decide(c, "news:vip-1", Verb.PUBLISH)).isEqualTo(DENIED);
            assertThat(c.rooms().orElseThrow().patterns()).extracting(Pattern::text)
                    .containsExactly("news:vip-1", "news:vip*", "news:*", "*");
        }
    }

    @Test
    void withoutGrantOrPolicyTheAnswerIsDeny() throws Exception {
        assertThat(NO_POLICY.decide(Capabilities.NONE, "lobby", Verb.SUBSCRIBE)).isEqualTo(DENIED);
        assertThat(NO_POLICY.decide(capabilities("{\"sub\":\"u\",\"rooms\":{}}"), "lobby", Verb.SUBSCRIBE))
                .isEqualTo(DENIED);
    }

    @Test
    void namespacePoliciesGrantEveryoneTheirVerbsAndMayAskTheBackend() throws Exception {
        RoomAccess access = new RoomAccess(new NamespacePolicies(Map.of(
                "public", new NamespacePolicy(EnumSet.of(Verb.SUBSCRIBE, Verb.HISTORY), false, false),
                "team", new NamespacePolicy(Set.of(Verb.PRESENCE), true, false),
                "", NamespacePolicy.OPEN), NamespacePolicy.NONE), DirectGrants.ANYONE);
        Capabilities none = Capabilities.NONE;
        assertThat(access.decide(none, "public:news", Verb.SUBSCRIBE)).isEqualTo(ALLOWED_BY_POLICY);
        assertThat(access.decide(none, "public:news", Verb.PUBLISH)).isEqualTo(DENIED);
        assertThat(access.decide(none, "team:7", Verb.PRESENCE)).isEqualTo(ALLOWED_BY_POLICY);
        assertThat(access.decide(none, "team:7", Verb.PUBLISH)).isEqualTo(ASK_BACKEND);
        assertThat(access.decide(none, "lobby", Verb.EPHEMERAL)).as("rooms without ':' are namespace \"\"")
                .isEqualTo(ALLOWED_BY_POLICY);
        assertThat(access.decide(none, "other:1", Verb.SUBSCRIBE)).isEqualTo(DENIED);
        // a token grant is decided before the backend is asked; a token cannot take a policy verb away
        Capabilities c = capabilities("{\"sub\":\"u\",\"rooms\":{\"team:7\":[\"publish\"],\"public:*\":[]}}");
        assertThat(access.decide(c, "team:7", Verb.PUBLISH)).isEqualTo(ALLOWED_BY_TOKEN);
        assertThat(access.decide(c, "team:7", Verb.HISTORY)).isEqualTo(ASK_BACKEND);
        assertThat(access.decide(c, "public:news", Verb.HISTORY)).isEqualTo(ALLOWED_BY_POLICY);
        assertThat(access.grantedWithoutBackend(c, "team:7")).containsExactlyInAnyOrder(Verb.PUBLISH, Verb.PRESENCE);
    }

    @Test
    void directClaimPatternsDecideWhoMayBeMessagedElseTheDefault() throws Exception {
        RoomAccess open = new RoomAccess(NamespacePolicies.NONE, DirectGrants.ANYONE);
        RoomAccess closed = new RoomAccess(NamespacePolicies.NONE, DirectGrants.NO_ONE);
        Capabilities support = capabilities("{\"sub\":\"u\",\"direct\":[\"support-*\",\"bob\"]}");
        assertThat(open.mayMessage(support, "support-3")).isTrue();
        assertThat(open.mayMessage(support, "bob")).isTrue();
        assertThat(open.mayMessage(support, "bobby")).isFalse();
        assertThat(open.mayMessage(Capabilities.NONE, "anyone")).isTrue();
        assertThat(closed.mayMessage(Capabilities.NONE, "anyone")).isFalse();
        assertThat(closed.mayMessage(capabilities("{\"sub\":\"u\",\"direct\":[\"*\"]}"), "anyone")).isTrue();
        assertThat(open.mayMessage(capabilities("{\"sub\":\"u\",\"direct\":[]}"), "anyone")).isFalse();
    }

    @Test
    void malformedClaimsAreRefusedWithAMessageNamingTheProblem() {
        assertMalformed("{\"rooms\":[\"chat:1\"]}", "claim 'rooms': a list (expected: an object of room patterns");
        assertMalformed("{\"rooms\":\"chat:1\"}", "claim 'rooms': a string (expected: an object");
        assertMalformed("{\"rooms\":{\"chat:1\":\"subscribe\"}}", "claim 'rooms': 'chat:1': a string (expected: a list of verbs)");
        assertMalformed("{\"rooms\":{\"chat:1\":[\"read\"]}}", "claim 'rooms': 'chat:1': unknown verb 'read' (expected: subscribe,");
        assertMalformed("{\"rooms\":{\"chat:1\":[7]}}", "unknown verb a number");
        assertMalformed("{\"rooms\":{\"chat:*:1\":[\"subscribe\"]}}", "'*' is allowed only at the end");
        assertMalformed("{\"rooms\":{\"\":[\"subscribe\"]}}", "pattern '': 0 characters (expected: 1-128)");
        assertMalformed("{\"rooms\":{\"a b\":[\"subscribe\"]}}", "whitespace");
        assertMalformed("{\"direct\":\"*\"}", "claim 'direct': a string (expected: a list of user-id patterns)");
        assertMalformed("{\"direct\":[1]}", "claim 'direct': a number (expected: user-id patterns as strings)");
        assertMalformed("{\"direct\":[\"a*b\"]}", "claim 'direct': pattern 'a*b'");
        StringBuilder many = new StringBuilder("{\"rooms\":{");
        for (int i = 0; i <= RoomGrants.MAX_PATTERNS; i++) {
            many.append(i == 0 ? "" : ",").append("\"r").append(i).append("\":[]");
        }
        assertMalformed(many.append("}}").toString(), "257 patterns (expected: <= 256)");
    }

    private static void assertMalformed(String claims, String message) {
        assertThatThrownBy(() -> capabilities(claims)).isInstanceOf(CapabilityException.class)
                .hasMessageContaining(message);
    }

    @Test
    void policiesRefuseFailOpenWithoutABackend() {
        assertThatThrownBy(() -> new NamespacePolicy(Set.of(), false, true))
                .hasMessage("fail-open: true (expected: only with backend: true)");
        assertThat(List.of(Verb.values())).extracting(Verb::wireName)
                .containsExactly("subscribe", "publish", "history", "presence", "ephemeral");
    }
}
