package io.twsbridge.bridge.app.config;

import io.twsbridge.bridge.app.BridgeConfig;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A validated configuration, ready to start a bridge with.
 *
 * <p>{@link #toString()} and {@link #settings()} show every value in effect with secrets masked, fit for the
 * start-up log. {@link #bridge()} holds the secrets themselves, for the clients; its {@code toString()} hides them
 * (Kafka client properties by name only, registry credentials by user only), but print the settings instead.
 *
 * @param bridge   the gateway, Kafka, registry, zombie-probe and order settings
 * @param http     the management HTTP endpoint ({@link HttpSettings#enabled()} false when {@code http.port=-1})
 * @param logFile  the rolling log file ({@code logging.file}), if one is configured
 * @param settings every setting in effect as {@code key -> value}, defaults included, documentation order then the
 *                 {@code kafka.*} pass-through keys; secrets are {@value #MASK}
 * @param warnings things that did not stop the load but deserve a line in the log: {@code BRIDGE_*} environment
 *                 variables that name no setting and were ignored
 */
public record LoadedConfig(BridgeConfig bridge, HttpSettings http, Optional<Path> logFile,
                           Map<String, String> settings, List<String> warnings) {

    /** What every secret value is shown as. */
    public static final String MASK = "****";

    public LoadedConfig {
        Objects.requireNonNull(bridge, "bridge");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(logFile, "logFile");
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        warnings = List.copyOf(warnings);
    }

    /** Every setting in effect, one {@code key=value} line each, secrets masked. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        settings.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        return sb.toString();
    }

    @Override
    public String toString() {
        return "LoadedConfig[" + settings + ", warnings=" + warnings + "]";
    }
}
