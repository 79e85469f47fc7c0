package io.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ResultFileTest {
    record Row(String name, double rate) {
    }

    @Test
    void aTableIsItsHeadThenOneFormattedRowPerResultInTheRootLocale() {
        String table = ResultFile.table("| name | rate |\n|---|--:|\n", List.of(new Row("a", 1.5), new Row("b", 1234.25)),
                "| %s | %.1f |%n", r -> new Object[] {r.name(), r.rate()});

        assertThat(table).isEqualTo("| name | rate |\n|---|--:|\n| a | 1.5 |" + System.lineSeparator()
                + "| b | 1234.3 |" + System.lineSeparator());
    }
}
