package io.switchboard.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.testkit.RequiredTool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The monitoring files in {@code deploy/monitoring}: Prometheus accepts the scrape config and the alert rules
 * ({@code promtool check config}), every alert's unit test passes ({@code promtool test rules}), every alert has
 * a unit test and a runbook section in {@code docs/ops/alerts.md}, and the rules and the Grafana dashboards' panel
 * queries name only catalogued metrics (the queries must parse, too).
 * promtool comes from the Debian {@code prometheus} package: skipped without it, failed in CI (which installs it).
 */
class MonitoringConfigTest {
    private static final Path MONITORING = Path.of("..", "deploy", "monitoring").toAbsolutePath().normalize();
    private static final Path RULES = MONITORING.resolve("alerts.yml");
    private static final Path RULE_TESTS = MONITORING.resolve("tests").resolve("alerts-test.yml");
    private static final Path RUNBOOKS = Path.of("..", "docs", "ops", "alerts.md").toAbsolutePath().normalize();
    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    private static final Pattern ALERT = Pattern.compile("^\\s*- alert: (\\S+)\\s*$", Pattern.MULTILINE);
    private static final Pattern TESTED_ALERT = Pattern.compile("^\\s*- alertname: (\\S+)\\s*$", Pattern.MULTILINE);
    private static final Pattern RUNBOOK = Pattern.compile("runbook_url: docs/ops/alerts\\.md#(\\S+)");
    private static final Pattern HEADING = Pattern.compile("^## (\\S+)\\s*$", Pattern.MULTILINE);
    /** Our metrics' prefixes; job names use hyphens ({@code switchboard-router}) and do not match. */
    private static final Pattern METRIC = Pattern.compile("\\b(?:gateway|switchboard|jvm|process)_[a-z0-9_]+\\b");

    @Test
    void prometheusAcceptsTheScrapeConfigAndRules() throws Exception {
        String output = promtool("check", "config", "prometheus.yml");
        assertThat(output).contains("SUCCESS: prometheus.yml is valid", "SUCCESS: " + alerts().size() + " rules found");
    }

    @Test
    void everyAlertPassesItsUnitTests() throws Exception {
        assertThat(promtool("test", "rules", MONITORING.relativize(RULE_TESTS).toString())).contains("SUCCESS");
    }

    @Test
    void everyAlertHasAUnitTestAndARunbookSection() throws IOException {
        Set<String> alerts = alerts();
        assertThat(alerts).as("alerts in %s", RULES).isNotEmpty();
        assertThat(all(TESTED_ALERT, Files.readString(RULE_TESTS))).as("alerts tested in %s", RULE_TESTS)
                .containsExactlyInAnyOrderElementsOf(alerts);

        Set<String> anchors = new TreeSet<>();
        all(HEADING, Files.readString(RUNBOOKS)).forEach(h -> anchors.add(h.toLowerCase(Locale.ROOT)));
        Set<String> linked = all(RUNBOOK, Files.readString(RULES));
        Set<String> expected = new TreeSet<>();
        alerts.forEach(a -> expected.add(a.toLowerCase(Locale.ROOT)));
        assertThat(linked).as("each alert's runbook_url anchor").containsExactlyInAnyOrderElementsOf(expected);
        assertThat(anchors).as("runbook sections in %s", RUNBOOKS).containsAll(linked);
    }

    @Test
    void rulesNameOnlyCataloguedMetrics() throws IOException {
        Set<String> named = new TreeSet<>();
        for (String line : Files.readAllLines(RULES)) {
            if (!line.strip().startsWith("#")) {
                named.addAll(metricsIn(line));
            }
        }
        assertThat(named).as("metrics named in %s", RULES).isNotEmpty();
        assertThat(catalogued()).as("metrics in %s", MetricCatalogueSystemTest.CATALOGUE).containsAll(named);
    }

    @Test
    void dashboardQueriesParseAndNameOnlyCataloguedMetrics() throws Exception {
        List<String> queries = Dashboards.queries();
        assertThat(queries).as("panel queries in %s", Dashboards.DIR).isNotEmpty();
        Set<String> named = new TreeSet<>();
        queries.forEach(q -> named.addAll(metricsIn(q)));
        assertThat(catalogued()).as("metrics in %s", MetricCatalogueSystemTest.CATALOGUE).containsAll(named);

        // promtool parses PromQL only in rule files: each query becomes a recording rule of a scratch file.
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard-queries\n    rules:\n");
        for (int i = 0; i < queries.size(); i++) {
            rules.append("      - record: dashboard:query").append(i).append("\n        expr: '")
                    .append(queries.get(i).replace("'", "''")).append("'\n");
        }
        Path scratch = Files.createDirectories(Path.of("target")).resolve("dashboard-queries.yml").toAbsolutePath();
        Files.writeString(scratch, rules);
        assertThat(promtool("check", "rules", scratch.toString()))
                .contains("SUCCESS: " + queries.size() + " rules found");
    }

    private static Set<String> catalogued() throws IOException {
        Set<String> catalogued = new TreeSet<>();
        MetricCatalogueSystemTest.Catalogue.read(MetricCatalogueSystemTest.CATALOGUE).values()
                .forEach(tier -> catalogued.addAll(tier.keySet()));
        return catalogued;
    }

    /** Our metric names in a query or rule line, histogram series mapped to their histogram. */
    private static Set<String> metricsIn(String text) {
        Set<String> named = new TreeSet<>();
        Matcher m = METRIC.matcher(text);
        while (m.find()) {
            named.add(m.group().replaceFirst("_(bucket|sum|count)$", ""));
        }
        return named;
    }

    private static Set<String> alerts() throws IOException {
        return all(ALERT, Files.readString(RULES));
    }

    private static Set<String> all(Pattern pattern, String text) {
        Set<String> found = new TreeSet<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    /** Runs promtool in {@code deploy/monitoring}, asserts it exits 0 within a minute, returns its output. */
    private static String promtool(String... args) throws IOException, InterruptedException {
        RequiredTool.executable(PROMTOOL, "apt-get install prometheus; .ci/run installs it");
        Path log = Files.createDirectories(Path.of("target")).resolve("promtool-" + args[0] + ".log");
        Process process = new ProcessBuilder(concat(PROMTOOL.toString(), args)).directory(MONITORING.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean ended = process.waitFor(1, TimeUnit.MINUTES);
        if (!ended) {
            process.destroyForcibly();
        }
        String output = Files.readString(log);
        assertThat(ended && process.exitValue() == 0).as("promtool %s:%n%s", String.join(" ", args), output)
                .isTrue();
        return output;
    }

    private static List<String> concat(String first, String... rest) {
        return Stream.concat(Stream.of(first), Arrays.stream(rest)).toList();
    }
}
