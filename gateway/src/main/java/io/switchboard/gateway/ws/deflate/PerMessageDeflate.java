package io.switchboard.gateway.ws.deflate;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Answers a client's {@code Sec-WebSocket-Extensions} offers (RFC 7692 section 7.1): accepts the first
 * {@code permessage-deflate} offer it can honour and answers it with {@code client_no_context_takeover} (which a
 * server may answer unasked, section 7.1.1.2), so each client message inflates on its own and a connection keeps no
 * inflater between messages. The gateway compresses every message on its own too (once, for all its recipients), but
 * says so ({@code server_no_context_takeover}) only when asked: a client that did not ask keeps its window, which is
 * harmless, and some clients (Netty's default handshaker) refuse a parameter they did not request. Parameters:
 *
 * <ul>
 *   <li>{@code server_no_context_takeover}: accepted and answered;</li>
 *   <li>{@code client_no_context_takeover}: accepted (answered anyway);</li>
 *   <li>{@code client_max_window_bits} (without a value, or 8-15): accepted, not answered (any window inflates);</li>
 *   <li>{@code server_max_window_bits=15}: accepted and answered; a smaller window cannot be honoured (the JDK's
 *       deflater always uses 15 bits), so such an offer is declined, as is an offer with an unknown, repeated or
 *       malformed parameter.</li>
 * </ul>
 *
 * Other extensions are ignored. Stateless, hence thread-safe.
 */
public final class PerMessageDeflate {
    /** The extension's token. */
    public static final String TOKEN = "permessage-deflate";

    private static final String ANSWER = TOKEN + "; client_no_context_takeover";

    private PerMessageDeflate() {
    }

    /**
     * The {@code Sec-WebSocket-Extensions} answer to {@code headerValues} (each may list several offers, comma
     * separated); empty when none of them is a {@code permessage-deflate} offer the gateway can honour.
     */
    public static Optional<String> answer(List<String> headerValues) {
        for (String value : headerValues) {
            for (String offer : value.split(",")) {
                Optional<String> answer = answerOffer(offer);
                if (answer.isPresent()) {
                    return answer;
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> answerOffer(String offer) {
        String[] parts = offer.split(";");
        if (!parts[0].strip().equalsIgnoreCase(TOKEN)) {
            return Optional.empty();
        }
        Set<String> seen = new HashSet<>();
        boolean serverWindow = false;
        boolean serverNoContext = false;
        for (int i = 1; i < parts.length; i++) {
            String param = parts[i].strip();
            int eq = param.indexOf('=');
            String name = (eq < 0 ? param : param.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
            String arg = eq < 0 ? null : unquote(param.substring(eq + 1).strip());
            if (!seen.add(name)) {
                return Optional.empty();
            }
            switch (name) {
                case "server_no_context_takeover", "client_no_context_takeover" -> {
                    if (arg != null) {
                        return Optional.empty();
                    }
                    serverNoContext |= name.equals("server_no_context_takeover");
                }
                case "client_max_window_bits" -> {
                    if (arg != null && !isWindowBits(arg)) {
                        return Optional.empty();
                    }
                }
                case "server_max_window_bits" -> {
                    if (!"15".equals(arg)) {
                        return Optional.empty();
                    }
                    serverWindow = true;
                }
                default -> {
                    return Optional.empty();
                }
            }
        }
        return Optional.of(ANSWER + (serverNoContext ? "; server_no_context_takeover" : "")
                + (serverWindow ? "; server_max_window_bits=15" : ""));
    }

    private static boolean isWindowBits(String arg) {
        return arg.matches("[0-9]{1,2}") && Integer.parseInt(arg) >= 8 && Integer.parseInt(arg) <= 15;
    }

    private static String unquote(String arg) {
        return arg.length() >= 2 && arg.startsWith("\"") && arg.endsWith("\"") ? arg.substring(1, arg.length() - 1)
                : arg;
    }
}
