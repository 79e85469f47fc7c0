package io.switchboard.service;

import io.switchboard.service.config.Check;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * The instance id every tier puts in its logs, metrics and Kafka client ids ({@code <tier>.id}): its rule and
 * its default, the host name, which is unique per pod or machine. Stateless, hence thread-safe.
 */
public final class InstanceIds {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final System.Logger LOG = System.getLogger(InstanceIds.class.getName());

    private InstanceIds() {
    }

    /** The rule of an instance id: 1-128 of {@code [A-Za-z0-9._:-]}. */
    public static final Check<String> CHECK = Check.matches(ID.pattern(), "1-128 of [A-Za-z0-9._:-]");

    /** The doc of the default of {@code <tier>.id}. */
    public static final String DEFAULT_DOC = "host name (`HOSTNAME`, else the resolved host name, else `<tier>-<pid>`)";

    /** {@code $HOSTNAME}, else the resolved host name, else {@code <tier>-<pid>}; each only when a valid id. */
    public static String defaultId(String tier) {
        String fromEnv = System.getenv("HOSTNAME");
        if (fromEnv != null && ID.matcher(fromEnv).matches()) {
            return fromEnv;
        }
        try {
            String host = InetAddress.getLocalHost().getHostName();
            if (ID.matcher(host).matches()) {
                return host;
            }
        } catch (UnknownHostException e) {
            LOG.log(System.Logger.Level.DEBUG, "no resolvable host name, " + tier + " id falls back to the pid", e);
        }
        return tier + "-" + ProcessHandle.current().pid();
    }
}
