package io.switchboard.service.config;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Writes the Markdown key tables of {@code docs/configuration.md} from the catalogue, so that the docs say exactly
 * what the code reads: key, type and valid values, default, environment variable and description. Stateless.
 */
public final class KeyTables {
    private KeyTables() {
    }

    /** The table of one tier's section, with the passthrough sections given after its keys. */
    public static String table(KeySection section, List<Passthrough> passthroughs) {
        return render(section, passthroughs, null);
    }

    /** The table of a shared section, with a column naming the tiers that read each key. */
    public static String sharedTable(KeySection section, Function<Key<?>, String> readBy) {
        return render(section, List.of(), readBy);
    }

    private static String render(KeySection section, List<Passthrough> passthroughs, Function<Key<?>, String> readBy) {
        List<String> rows = new ArrayList<>();
        rows.add("| Key | Type | Default | Environment variable |" + (readBy == null ? "" : " Read by |") + " Description |");
        rows.add("|---|---|---|---|" + (readBy == null ? "" : "---|") + "---|");
        for (Key<?> key : section.keys()) {
            rows.add(row(code(key.name()), type(key), key.defaultDoc(), environment(key.name(), key.type()),
                    readBy == null ? null : readBy.apply(key), key.doc()));
        }
        for (PatternKey<?> family : section.patterns()) {
            Key<?> t = family.template();
            rows.add(row(code(family.name()), type(t), t.defaultDoc(), environment(family.name(), t.type()), null,
                    t.doc()));
        }
        for (Passthrough p : section.passthroughs()) {
            rows.add(passthroughRow(p));
        }
        for (Passthrough p : passthroughs) {
            rows.add(passthroughRow(p));
        }
        return String.join("\n", rows) + "\n";
    }

    private static String passthroughRow(Passthrough p) {
        String refused = p.refused().keySet().stream().sorted().map(KeyTables::code).collect(Collectors.joining(", "));
        String limited = p.limited().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                .map(e -> code(e.getKey()) + " must be " + e.getValue().expected()).collect(Collectors.joining("; "));
        String doc = p.doc() + (refused.isEmpty() ? "" : " Refused (startup error): " + refused + ".")
                + (limited.isEmpty() ? "" : " " + limited + ".");
        return row(code(p.section() + ".*"), "properties", "none", code(p.environmentVariable()), null, doc);
    }

    private static String type(Key<?> key) {
        return key.check().isAny() ? key.type().name() : key.type().name() + ", " + key.check().expected();
    }

    private static String environment(String name, ValueType<?> type) {
        String env = Key.environmentVariable(name);
        if (type.isList()) {
            return code(env) + " (comma-separated) or " + code(env + "_0") + ", " + code(env + "_1") + ", ...";
        }
        return code(env);
    }

    private static String row(String key, String type, String def, String env, String readBy, String doc) {
        return "| " + key + " | " + escape(type) + " | " + escape(def) + " | " + env + " |"
                + (readBy == null ? "" : " " + readBy + " |") + " " + escape(doc) + " |";
    }

    private static String code(String text) {
        return "`" + text + "`";
    }

    private static String escape(String cell) {
        return cell.replace("|", "\\|").replace("\n", " ");
    }
}
