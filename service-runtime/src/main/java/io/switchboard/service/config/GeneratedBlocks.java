package io.switchboard.service.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps generated blocks of a Markdown file in step with their source: each block sits between
 * {@code <!-- BEGIN GENERATED: name -->} and {@code <!-- END GENERATED: name -->}, and everything outside the
 * markers is left as written. Stateless.
 */
public final class GeneratedBlocks {
    private static final Pattern BLOCK = Pattern.compile(
            "(<!-- BEGIN GENERATED: ([a-z0-9-]+)[^>]*-->\\n)(.*?)(<!-- END GENERATED: \\2 -->)", Pattern.DOTALL);

    private GeneratedBlocks() {
    }

    /**
     * {@code document} with every block replaced by {@code blocks.get(name)}.
     *
     * @throws IllegalArgumentException when the document has a block {@code blocks} lacks, or lacks one it has
     */
    public static String render(String document, Map<String, String> blocks) {
        Map<String, String> unused = new LinkedHashMap<>(blocks);
        Matcher m = BLOCK.matcher(document);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(2);
            String content = Objects.requireNonNull(unused.remove(name), () -> "block " + name
                    + " (expected: one of " + blocks.keySet() + ")");
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + content + m.group(4)));
        }
        m.appendTail(out);
        if (!unused.isEmpty()) {
            throw new IllegalArgumentException("blocks " + unused.keySet() + " (expected: a BEGIN/END GENERATED"
                    + " marker pair for each in the document)");
        }
        return out.toString();
    }
}
