package io.switchboard.systemtests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The Grafana dashboards in {@code deploy/monitoring/grafana/dashboards}, read as their panels' queries. */
final class Dashboards {
    static final Path DIR = Path.of("..", "deploy", "monitoring", "grafana", "dashboards").toAbsolutePath()
            .normalize();
    private static final Pattern TITLE = Pattern.compile("\"title\":\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern EXPR = Pattern.compile("\"expr\":\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    private Dashboards() {
    }

    /**
     * "file: panel title" to the panel's queries, over every dashboard file. A panel's title precedes its
     * targets in the JSON, so each query belongs to the last title before it.
     */
    static Map<String, List<String>> panels() throws IOException {
        Map<String, List<String>> panels = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path dashboard : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                String json = Files.readString(dashboard);
                List<Integer> starts = new ArrayList<>();
                List<String> titles = new ArrayList<>();
                Matcher title = TITLE.matcher(json);
                while (title.find()) {
                    starts.add(title.start());
                    titles.add(dashboard.getFileName() + ": " + unescape(title.group(1)));
                }
                Matcher expr = EXPR.matcher(json);
                while (expr.find()) {
                    int owner = -1;
                    for (int i = 0; i < starts.size() && starts.get(i) < expr.start(); i++) {
                        owner = i;
                    }
                    if (owner < 0) {
                        throw new IllegalStateException(dashboard + ": a query before any title: " + expr.group(1));
                    }
                    panels.computeIfAbsent(titles.get(owner), t -> new ArrayList<>()).add(unescape(expr.group(1)));
                }
            }
        }
        return panels;
    }

    /** Every panel query of every dashboard. */
    static List<String> queries() throws IOException {
        return panels().values().stream().flatMap(List::stream).toList();
    }

    private static String unescape(String json) {
        return json.replace("\\\"", "\"").replace("\\\\", "\\");
    }
}
