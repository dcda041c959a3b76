package io.twsbridge.bridge.cli;

import io.twsbridge.bridge.app.BridgeConfig;
import io.twsbridge.bridge.app.config.LoadedConfig;
import io.twsbridge.bridge.app.http.BridgeStatus;
import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.schema.catalogue.Topic;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The first lines {@code bridge run} prints: what an operator checks first (version, bridge id, the Gateway's
 * address, the topics, orders on or off), then the configuration in one compact block: the settings that differ
 * from their defaults, secrets masked, and how many others are at their defaults ({@code bridge config} prints
 * every one). The management address and the session's states follow as they happen.
 */
final class StartupScreen {

    private static final int WIDTH = 110;
    /** Settings the summary lines already show; the configuration block does not repeat them. */
    private static final java.util.regex.Pattern SHOWN_ABOVE = java.util.regex.Pattern.compile(
            "(bridge\\.id|gateway\\.(host|port|client-id|fallback-client-ids|zombie-probe|unanswered-connection)"
                    + "|kafka\\.(bootstrap\\.servers|command-group-id)|registry\\.url|topics\\.[a-z-]+"
                    + "|orders\\.(enabled|account-allowlist|journal-topic)|failover\\.instance-id)=");

    private StartupScreen() {
    }

    static List<String> lines(LoadedConfig loaded, Map<String, String> defaults) {
        BridgeConfig c = loaded.bridge();
        KafkaSettings k = c.kafka();
        List<String> lines = new ArrayList<>();
        lines.add("tws-kafka-bridge " + BridgeStatus.versionOf(StartupScreen.class) + ", bridge id " + k.bridgeId()
                + (c.failover().enabled() ? ", standby pair instance " + c.failover().instanceId() : ""));
        lines.add("  gateway   " + c.gateway().host() + ":" + c.gateway().port() + " as client " + c.gateway().clientId()
                + (c.gateway().fallbackClientIds().isEmpty() ? "" : " (then " + c.gateway().fallbackClientIds() + ")")
                + ", zombie probe " + loaded.settings().get("gateway.zombie-probe") + ", unanswered connections "
                + loaded.settings().get("gateway.unanswered-connection"));
        lines.add("  kafka     " + k.bootstrapServers() + ", registry " + loaded.settings().get("registry.url"));
        lines.add("  commands  " + k.topic(Topic.COMMANDS) + " (group " + k.commandGroupId() + ", dead letters "
                + k.topic(Topic.COMMANDS_DLQ) + ")");
        String events = Stream.of(Topic.values()).filter(t -> t != Topic.COMMANDS && t != Topic.COMMANDS_DLQ)
                .map(k::topic).collect(Collectors.joining(", "));
        lines.addAll(wrap("  events    ", events, ", "));
        lines.add("  state     " + k.subscriptionsTopic() + ", " + c.orders().journalTopic() + " (compacted)");
        lines.add("  orders    " + (c.orders().enabled() ? "ON (accounts " + loaded.settings().get("orders.account-allowlist")
                + ", journal " + c.orders().journalTopic() + ")" : "off (orders.enabled=false)"));
        List<String> changed = loaded.settings().entrySet().stream()
                .filter(e -> !e.getValue().equals(defaults.get(e.getKey())))
                .map(e -> e.getKey() + "=" + e.getValue()).toList();
        List<String> notShown = changed.stream().filter(s -> !SHOWN_ABOVE.matcher(s).lookingAt()).toList();
        lines.add("configuration: " + changed.size() + " setting(s) given, " + (loaded.settings().size() - changed.size())
                + " at their defaults (`bridge config` prints them all)" + (notShown.isEmpty() ? ""
                : "; given besides the above, secrets masked:"));
        lines.addAll(wrap("  ", String.join(" ", notShown), " "));
        return lines;
    }

    /** {@code text} in lines of at most {@link #WIDTH} characters, broken after a separator, each led by {@code lead}. */
    static List<String> wrap(String lead, String text, String separator) {
        List<String> out = new ArrayList<>();
        if (text.isEmpty()) {
            return out;
        }
        StringBuilder line = new StringBuilder(lead);
        String indent = " ".repeat(lead.length());
        for (String part : text.split(java.util.regex.Pattern.quote(separator))) {
            String piece = line.length() == lead.length() || line.toString().equals(indent) ? part
                    : separator + part;
            if (line.length() + piece.length() > WIDTH && line.length() > indent.length()) {
                out.add(line.toString().stripTrailing() + (separator.isBlank() ? "" : separator.strip()));
                line = new StringBuilder(indent).append(part);
            } else {
                line.append(piece);
            }
        }
        out.add(line.toString());
        return out;
    }
}
