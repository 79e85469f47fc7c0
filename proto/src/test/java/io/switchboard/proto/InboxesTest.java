package io.switchboard.proto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class InboxesTest {
    @Test
    void plainUserIdsNameTheirInboxAsTheyAre() {
        assertThat(Inboxes.roomOf("bob")).isEqualTo("inbox:bob");
        assertThat(Inboxes.roomOf("bob.smith@example.com")).isEqualTo("inbox:bob.smith@example.com");
        assertThat(Inboxes.roomOf("a".repeat(Inboxes.MAX_PLAIN_ID))).hasSize(Names.MAX_ROOM_LENGTH);
    }

    @Test
    void otherUserIdsAreHashedIntoAValidRoomName() {
        for (String user : new String[]{"a".repeat(Inboxes.MAX_PLAIN_ID + 1), "service:billing", "x/y", "Zoë",
                " bob", "a".repeat(256)}) {
            String room = Inboxes.roomOf(user);
            assertThat(room).startsWith("inbox:/").hasSize("inbox:/".length() + 64);
            assertThat(Names.clientRoomProblem(room)).isEmpty();
            assertThat(Inboxes.isInboxOf(room, user)).isTrue();
        }
        assertThat(Inboxes.roomOf("x/y")).isNotEqualTo(Inboxes.roomOf("x/z"));
    }

    @Test
    void anInboxBelongsToItsUserOnly() {
        assertThat(Inboxes.isInbox("inbox:bob")).isTrue();
        assertThat(Inboxes.isInbox("inboxes:bob")).isFalse();
        assertThat(Inboxes.isInbox("chat:inbox:bob")).isFalse();
        assertThat(Inboxes.isInboxOf("inbox:bob", "bob")).isTrue();
        assertThat(Inboxes.isInboxOf("inbox:bob", "alice")).isFalse();
        assertThat(Inboxes.isInboxOf("chat:bob", "bob")).isFalse();
        assertThatThrownBy(() -> Inboxes.roomOf("")).isInstanceOf(IllegalArgumentException.class);
    }
}
