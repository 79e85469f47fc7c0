package io.switchboard.proto;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {
    @ParameterizedTest
    @ValueSource(strings = {"lobby", "chat:general", "team/42", "a", "user@example.com", "A.b_c-d"})
    void acceptsValidRooms(String room) {
        assertThat(Names.roomProblem(room)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "-lead", "has space", "semi;colon", "emoji\uD83D\uDE00", "tab\t"})
    void rejectsInvalidRooms(String room) {
        assertThat(Names.roomProblem(room)).isPresent();
    }

    @Test
    void rejectsTooLongRoom() {
        assertThat(Names.roomProblem("r".repeat(Names.MAX_ROOM_LENGTH))).isEmpty();
        assertThat(Names.roomProblem("r".repeat(Names.MAX_ROOM_LENGTH + 1))).get().asString().contains("expected: <= 128");
    }

    @Test
    void validatesIds() {
        assertThat(Names.idProblem("01HZX3-abc:1")).isEmpty();
        assertThat(Names.idProblem("")).isPresent();
        assertThat(Names.idProblem("x".repeat(Names.MAX_ID_LENGTH + 1))).isPresent();
        assertThat(Names.idProblem("no/slash")).isPresent();
    }

    @Test
    void validatesConflationKeys() {
        assertThat(Names.conflationKeyProblem("")).as("no key").isEmpty();
        assertThat(Names.conflationKeyProblem("cpu/host-1.eu:0_a")).isEmpty();
        assertThat(Names.conflationKeyProblem("x".repeat(Names.MAX_CONFLATION_KEY_LENGTH))).isEmpty();
        assertThat(Names.conflationKeyProblem("x".repeat(Names.MAX_CONFLATION_KEY_LENGTH + 1))).isPresent();
        assertThat(Names.conflationKeyProblem("has space")).get().asString()
                .contains("expected: 1-64 of [A-Za-z0-9._:/-]");
    }

    @Test
    void namespaceIsThePartBeforeTheFirstColon() {
        assertThat(Names.namespace("chat:general:x")).isEqualTo("chat");
        assertThat(Names.namespace("lobby")).isEmpty();
    }

    @Test
    void theSwitchboardNamespaceIsValidButReservedForThePlatform() {
        assertThat(Names.roomProblem("switchboard:probe-0")).isEmpty();
        assertThat(Names.clientRoomProblem("switchboard:probe-0"))
                .contains("room: 'switchboard:probe-0' is in the reserved namespace 'switchboard'");
        // Only that namespace: a longer one, or the word elsewhere in the name, is the application's.
        assertThat(Names.clientRoomProblem("switchboards:x")).isEmpty();
        assertThat(Names.clientRoomProblem("switchboard")).isEmpty();
        assertThat(Names.clientRoomProblem("chat:switchboard:x")).isEmpty();
        assertThat(Names.clientRoomProblem("bad room")).contains(Names.roomProblem("bad room").orElseThrow());
    }
}
