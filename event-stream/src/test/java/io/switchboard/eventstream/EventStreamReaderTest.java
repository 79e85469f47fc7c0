package io.switchboard.eventstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class EventStreamReaderTest {
    private final List<String> seen = new ArrayList<>();
    private final EventStreamReader.Listener recorder = new EventStreamReader.Listener() {
        @Override
        public void onEvent(String type, String data) {
            seen.add(type + "|" + data);
        }

        @Override
        public void onComment(String comment) {
            seen.add("comment|" + comment);
        }
    };

    private List<String> read(String... lines) {
        EventStreamReader.read(Stream.of(lines), recorder);
        return seen;
    }

    @Test
    void readsTheGatewaysEventsInOrder() {
        assertThat(read("event: open", "data: {\"stream\":\"s1\"}", "",
                "data: {\"pong\":{}}", "",
                ":", "",
                "event: close", "data: {\"code\":3000,\"reason\":\"drain\"}", ""))
                .containsExactly("open|{\"stream\":\"s1\"}", "|{\"pong\":{}}", "comment|",
                        "close|{\"code\":3000,\"reason\":\"drain\"}");
    }

    @Test
    void dropsOneSpaceAfterTheColonOnly() {
        assertThat(read("event:open", "data:x", "", "data:  two spaces", "")).containsExactly("open|x", "| two spaces");
    }

    @Test
    void joinsDataLinesWithNewlinesAndResetsTheTypeAfterEachEvent() {
        assertThat(read("event: a", "data: 1", "data: 2", "", "data: 3", "")).containsExactly("a|1\n2", "|3");
    }

    @Test
    void doesNotDispatchAnEventWithoutDataOrOneTheStreamEndsBefore() {
        assertThat(read("event: lonely", "", "id: 7", "retry: 10", "", "data: unfinished")).isEmpty();
    }

    @Test
    void aFieldWithoutAColonHasAnEmptyValue() {
        assertThat(read("data", "", "event", "data: x", "")).containsExactly("|", "|x");
    }

    @Test
    void whatTheStreamThrowsReachesTheCaller() {
        Stream<String> dropped = Stream.of("data: 1", "", "data: 2").map(line -> {
            if (line.equals("data: 2")) {
                throw new UncheckedIOException(new IOException("connection reset"));
            }
            return line;
        });
        assertThatThrownBy(() -> EventStreamReader.read(dropped, recorder)).isInstanceOf(UncheckedIOException.class);
        assertThat(seen).containsExactly("|1");
    }
}
