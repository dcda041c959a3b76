package io.twsbridge.bridge.app.config;

import io.twsbridge.bridge.app.BridgeConfig;
import io.twsbridge.bridge.app.config.Values.InvalidValue;
import io.twsbridge.bridge.app.config.Values.Parser;
import io.twsbridge.bridge.contracts.ContractSettings;
import io.twsbridge.bridge.failover.FailoverSettings;
import io.twsbridge.bridge.gateway.GatewayConfig;
import io.twsbridge.bridge.gateway.UnansweredConnection;
import io.twsbridge.bridge.history.HistorySettings;
import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.bridge.orders.OrderSettings;
import io.twsbridge.client.registry.SchemaRegistryConfig;
import io.twsbridge.schema.catalogue.Topic;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The one table of the bridge's own settings: each key, how its text is read, which builder it goes to, and how
 * the value in effect is written back. The loader, the environment-variable names, "did you mean" and the
 * printed configuration all come from this table; {@code kafka.<name>} pass-through keys are in
 * {@link KafkaClientKeys}.
 */
final class Settings {

    /** What a load produced, for writing values back; the zombie-probe mode is not visible in the probe. */
    record Resolved(BridgeConfig bridge, HttpSettings http, Optional<Path> logFile, Draft.ZombieProbeMode zombieProbe) {

        GatewayConfig gateway() {
            return bridge.gateway();
        }

        KafkaSettings kafka() {
            return bridge.kafka();
        }

        SchemaRegistryConfig registry() {
            return bridge.registry();
        }

        OrderSettings orders() {
            return bridge.orders();
        }

        FailoverSettings failover() {
            return bridge.failover();
        }

        ContractSettings contracts() {
            return bridge.contracts();
        }

        HistorySettings history() {
            return bridge.history();
        }
    }

    /** One setting; {@code secret} ones are never printed. */
    record Setting<T>(String key, Parser<T> parser, BiConsumer<Draft, T> apply, Function<Resolved, String> render,
                      boolean secret) {

        /** Reads {@code text} and hands the value to its builder. */
        void apply(Draft draft, String text) throws InvalidValue {
            apply.accept(draft, parser.parse(text));
        }
    }

    /** Every setting, in the order of the documentation. */
    static final List<Setting<?>> ALL;
    static final Map<String, Setting<?>> BY_KEY;

    static {
        List<Setting<?>> s = new ArrayList<>();

        // Gateway
        s.add(of("gateway.host", Values::text, (d, v) -> d.gateway.host(v), r -> r.gateway().host()));
        s.add(of("gateway.port", Values::integer, (d, v) -> d.gateway.port(v), r -> "" + r.gateway().port()));
        s.add(of("gateway.client-id", Values::integer, (d, v) -> d.gateway.clientId(v),
                r -> "" + r.gateway().clientId()));
        s.add(of("gateway.fallback-client-ids", Values::integers, (d, v) -> d.gateway.fallbackClientIds(v),
                r -> Values.join(r.gateway().fallbackClientIds())));
        s.add(of("gateway.connect-timeout", Values::duration, (d, v) -> d.gateway.connectTimeout(v),
                r -> Values.format(r.gateway().connectTimeout())));
        s.add(of("gateway.handshake-timeout", Values::duration, (d, v) -> d.gateway.handshakeTimeout(v),
                r -> Values.format(r.gateway().handshakeTimeout())));
        s.add(of("gateway.api-ready-timeout", Values::duration, (d, v) -> d.gateway.apiReadyTimeout(v),
                r -> Values.format(r.gateway().apiReadyTimeout())));
        s.add(of("gateway.frame-timeout", Values::duration, (d, v) -> d.gateway.frameTimeout(v),
                r -> Values.format(r.gateway().frameTimeout())));
        s.add(of("gateway.sync-timeout.positions", Values::duration, (d, v) -> d.syncPositions = v,
                r -> Values.format(r.gateway().syncTimeouts().positions())));
        s.add(of("gateway.sync-timeout.open-orders", Values::duration, (d, v) -> d.syncOpenOrders = v,
                r -> Values.format(r.gateway().syncTimeouts().openOrders())));
        s.add(of("gateway.sync-timeout.completed-orders", Values::duration, (d, v) -> d.syncCompletedOrders = v,
                r -> Values.format(r.gateway().syncTimeouts().completedOrders())));
        s.add(of("gateway.sync-timeout.executions", Values::duration, (d, v) -> d.syncExecutions = v,
                r -> Values.format(r.gateway().syncTimeouts().executions())));
        s.add(of("gateway.sync-timeout.account-summary", Values::duration, (d, v) -> d.syncAccountSummary = v,
                r -> Values.format(r.gateway().syncTimeouts().accountSummary())));
        s.add(of("gateway.messages-per-second", Values::integer, (d, v) -> d.gateway.messagesPerSecond(v),
                r -> "" + r.gateway().messagesPerSecond()));
        s.add(of("gateway.pacing-hard-limit", Values::integer, (d, v) -> d.gateway.pacingHardLimit(v),
                r -> "" + r.gateway().pacingHardLimit()));
        s.add(of("gateway.failures-to-open", Values::integer, (d, v) -> d.gateway.failuresToOpen(v),
                r -> "" + r.gateway().failuresToOpen()));
        s.add(of("gateway.retry-initial-backoff", Values::duration, (d, v) -> d.gateway.retryInitialBackoff(v),
                r -> Values.format(r.gateway().retryInitialBackoff())));
        s.add(of("gateway.retry-max-backoff", Values::duration, (d, v) -> d.gateway.retryMaxBackoff(v),
                r -> Values.format(r.gateway().retryMaxBackoff())));
        s.add(of("gateway.backoff-jitter", Values::decimal, (d, v) -> d.gateway.backoffJitter(v),
                r -> "" + r.gateway().backoffJitter()));
        s.add(of("gateway.zombie-probe", Settings::zombieProbeMode, (d, v) -> d.zombieProbe = v,
                r -> r.zombieProbe().name().toLowerCase(Locale.ROOT)));
        s.add(of("gateway.zombie-probe-interval", Values::duration, (d, v) -> d.gateway.zombieProbeInterval(v),
                r -> Values.format(r.gateway().zombieProbeInterval())));
        s.add(of("gateway.stall-hold", Values::duration, (d, v) -> d.gateway.stallHold(v),
                r -> Values.format(r.gateway().stallHold())));
        s.add(of("gateway.unanswered-connection", Settings::unansweredConnection,
                (d, v) -> d.gateway.unansweredConnection(v), r -> r.gateway().unansweredConnection().name()
                        .toLowerCase(Locale.ROOT)));
        s.add(of("gateway.account-summary-tags", Values::list, (d, v) -> d.gateway.accountSummaryTags(Values.join(v)),
                r -> r.gateway().accountSummaryTags()));
        s.add(of("gateway.broker-clock-warn-skew", Values::duration, (d, v) -> d.gateway.brokerClockWarnSkew(v),
                r -> Values.format(r.gateway().brokerClockWarnSkew())));
        s.add(of("gateway.broker-clock-check-interval", Values::duration,
                (d, v) -> d.gateway.brokerClockCheckInterval(v),
                r -> Values.format(r.gateway().brokerClockCheckInterval())));

        // Kafka: the bridge's own kafka.* keys; every other kafka.<name> passes through to the clients.
        s.add(of("kafka.bootstrap.servers", Values::text, (d, v) -> d.kafka.bootstrapServers(v),
                r -> r.kafka().bootstrapServers()));
        s.add(of("kafka.compression", Values::text, (d, v) -> d.kafka.compression(v), r -> r.kafka().compression()));
        s.add(of("kafka.command-group-id", Values::text, (d, v) -> d.kafka.commandGroupId(v),
                r -> r.kafka().commandGroupId()));
        s.add(of("kafka.producer-buffer-bytes", Values::size, (d, v) -> d.kafka.producerBufferBytes(v),
                r -> Values.formatSize(r.kafka().producerBufferBytes())));
        s.add(of("kafka.stuck-partition-timeout", Values::duration, (d, v) -> d.kafka.stuckPartitionTimeout(v),
                r -> Values.format(r.kafka().stuckPartitionTimeout())));

        // Topics
        for (Topic t : Topic.values()) {
            s.add(of(topicKey(t), Values::text, (d, v) -> d.kafka.topicName(t, v), r -> r.kafka().topic(t)));
        }
        s.add(of("topics.subscriptions", Values::text, (d, v) -> d.kafka.subscriptionsTopic(v),
                r -> r.kafka().subscriptionsTopic()));
        s.add(of("topics.order-journal", Values::text, (d, v) -> d.orders.journalTopic(v),
                r -> r.orders().journalTopic()));
        s.add(of("topics.partitions", Values::integer, (d, v) -> d.kafka.partitions(v),
                r -> "" + r.kafka().partitions()));
        s.add(of("topics.replication-factor", Values::shortInteger, (d, v) -> d.kafka.replicationFactor(v),
                r -> "" + r.kafka().replicationFactor()));

        // Bridge identity, status, quotes, market data, commands
        s.add(of("bridge.id", Values::text, (d, v) -> d.kafka.bridgeId(v), r -> r.kafka().bridgeId()));
        s.add(of("status.heartbeat-interval", Values::duration, (d, v) -> d.kafka.heartbeatInterval(v),
                r -> Values.format(r.kafka().heartbeatInterval())));
        s.add(of("quotes.conflation-window", Values::duration, (d, v) -> d.kafka.quoteConflationWindow(v),
                r -> Values.format(r.kafka().quoteConflationWindow())));
        s.add(of("market-data.line-limit", Values::integer, (d, v) -> d.kafka.marketDataLineLimit(v),
                r -> "" + r.kafka().marketDataLineLimit()));
        s.add(of("commands.request-timeout", Values::duration, (d, v) -> d.kafka.requestTimeout(v),
                r -> Values.format(r.kafka().requestTimeout())));
        s.add(of("commands.duplicate-window", Values::duration, (d, v) -> d.kafka.duplicateWindow(v),
                r -> Values.format(r.kafka().duplicateWindow())));

        // Schema registry
        s.add(of("registry.url", Values::text, (d, v) -> d.registry.baseUrl(v),
                r -> r.registry().baseUrl().toString()));
        s.add(of("registry.user", Values::text, (d, v) -> d.registryUser = v.isEmpty() ? null : v,
                r -> r.registry().credentials().map(SchemaRegistryConfig.BasicAuth::user).orElse("")));
        s.add(new Setting<>("registry.password", Values::text, (d, v) -> d.registryPassword = v.isEmpty() ? null : v,
                r -> r.registry().credentials().isPresent() ? LoadedConfig.MASK : "", true));
        s.add(of("registry.connect-timeout", Values::duration, (d, v) -> d.registry.connectTimeout(v),
                r -> Values.format(r.registry().connectTimeout())));
        s.add(of("registry.request-timeout", Values::duration, (d, v) -> d.registry.requestTimeout(v),
                r -> Values.format(r.registry().requestTimeout())));
        s.add(of("registry.max-attempts", Values::integer, (d, v) -> d.registry.maxAttempts(v),
                r -> "" + r.registry().maxAttempts()));
        s.add(of("registry.initial-backoff", Values::duration, (d, v) -> d.registry.initialBackoff(v),
                r -> Values.format(r.registry().initialBackoff())));
        s.add(of("registry.backoff-multiplier", Values::decimal, (d, v) -> d.registry.backoffMultiplier(v),
                r -> "" + r.registry().backoffMultiplier()));
        s.add(of("registry.max-backoff", Values::duration, (d, v) -> d.registry.maxBackoff(v),
                r -> Values.format(r.registry().maxBackoff())));
        s.add(of("registry.backoff-jitter", Values::decimal, (d, v) -> d.registry.backoffJitter(v),
                r -> "" + r.registry().backoffJitter()));
        s.add(of("registry.startup-max-backoff", Values::duration, (d, v) -> d.registry.startupMaxBackoff(v),
                r -> Values.format(r.registry().startupMaxBackoff())));

        // Orders
        s.add(of("orders.enabled", Values::bool, (d, v) -> d.orders.enabled(v), r -> "" + r.orders().enabled()));
        s.add(of("orders.account-allowlist", Values::set, (d, v) -> d.orders.accountAllowlist(v),
                r -> Values.join(new TreeSet<>(r.orders().accountAllowlist()))));
        s.add(of("orders.symbol-allowlist", Values::set, (d, v) -> d.orders.symbolAllowlist(v),
                r -> Values.join(new TreeSet<>(r.orders().symbolAllowlist()))));
        s.add(of("orders.max-quantity", Values::number, (d, v) -> d.orders.maxQuantity(v),
                r -> r.orders().maxQuantity().toPlainString()));
        s.add(of("orders.max-notional", Values::number, (d, v) -> d.orders.maxNotional(v),
                r -> r.orders().maxNotional().toPlainString()));
        s.add(of("orders.kill-switch", Values::bool, (d, v) -> d.orders.killSwitch(v),
                r -> "" + r.orders().killSwitch()));
        s.add(of("orders.ack-timeout", Values::duration, (d, v) -> d.orders.ackTimeout(v),
                r -> Values.format(r.orders().ackTimeout())));

        // Contracts and historical data
        s.add(of("contracts.cache-size", Values::integer, (d, v) -> d.contracts.cacheSize(v),
                r -> "" + r.contracts().cacheSize()));
        s.add(of("contracts.require-qualified", Values::bool, (d, v) -> d.contracts.requireQualified(v),
                r -> "" + r.contracts().requireQualified()));
        s.add(of("history.max-wait", Values::duration, (d, v) -> d.history.maxWait(v),
                r -> Values.format(r.history().maxWait())));
        s.add(of("history.pacing.max-open", Values::integer, (d, v) -> d.history.pacing().maxOpen(v),
                r -> "" + r.history().pacing().maxOpen()));
        s.add(of("history.pacing.queue-capacity", Values::integer, (d, v) -> d.history.pacing().queueCapacity(v),
                r -> "" + r.history().pacing().queueCapacity()));
        s.add(of("history.pacing.safety-margin", Values::duration, (d, v) -> d.history.pacing().safetyMargin(v),
                r -> Values.format(r.history().pacing().safetyMargin())));
        s.add(of("history.pacing.breaker-first-wait", Values::duration,
                (d, v) -> d.history.pacing().breakerFirstWait(v),
                r -> Values.format(r.history().pacing().breakerFirstWait())));
        s.add(of("history.pacing.breaker-multiplier", Values::decimal,
                (d, v) -> d.history.pacing().breakerMultiplier(v),
                r -> "" + r.history().pacing().breakerMultiplier()));
        s.add(of("history.pacing.breaker-max-wait", Values::duration, (d, v) -> d.history.pacing().breakerMaxWait(v),
                r -> Values.format(r.history().pacing().breakerMaxWait())));

        // Standby instances (failover)
        s.add(of("failover.enabled", Values::bool, (d, v) -> d.failover.enabled(v), r -> "" + r.failover().enabled()));
        s.add(of("failover.instance-id", Values::text, (d, v) -> d.failover.instanceId(v),
                r -> r.failover().instanceIdGiven() ? r.failover().instanceId() : ""));
        s.add(of("failover.session-timeout", Values::duration, (d, v) -> d.failover.sessionTimeout(v),
                r -> Values.format(r.failover().sessionTimeout())));
        s.add(of("failover.takeover-delay", Values::duration, (d, v) -> d.failover.takeoverDelay(v),
                r -> Values.format(r.failover().takeoverDelay())));
        s.add(of("failover.commit-interval", Values::duration, (d, v) -> d.failover.commitInterval(v),
                r -> Values.format(r.failover().commitInterval())));
        s.add(of("topics.leader", Values::text, (d, v) -> d.failover.leaseTopic(v), r -> r.failover().leaseTopic()));

        // Management HTTP and logging
        s.add(of("http.host", Values::text, (d, v) -> d.httpHost = v, r -> r.http().host()));
        s.add(of("http.port", Values::integer, (d, v) -> d.httpPort = v, r -> "" + r.http().port()));
        s.add(of("logging.file", Settings::path, (d, v) -> d.logFile = v,
                r -> r.logFile().map(Path::toString).orElse("")));

        ALL = List.copyOf(s);
        Map<String, Setting<?>> byKey = new LinkedHashMap<>();
        for (Setting<?> setting : ALL) {
            if (byKey.put(setting.key(), setting) != null) {
                throw new IllegalStateException("setting listed twice: " + setting.key());
            }
        }
        BY_KEY = Collections.unmodifiableMap(byKey);
    }

    private Settings() {
    }

    /** {@code topics.commands}, {@code topics.command-results}, ..., {@code topics.commands-dlq}. */
    static String topicKey(Topic t) {
        return KafkaSettings.topicKey(t);
    }

    /** Whether {@code key}'s value is a secret (never printed, never quoted in a problem). */
    static boolean isSecret(String key) {
        Setting<?> s = BY_KEY.get(key);
        if (s != null) {
            return s.secret();
        }
        return key.startsWith(ConfigLoader.KAFKA_PREFIX)
                && KafkaClientKeys.isSecret(key.substring(ConfigLoader.KAFKA_PREFIX.length()));
    }

    private static <T> Setting<T> of(String key, Parser<T> parser, BiConsumer<Draft, T> apply,
                                     Function<Resolved, String> render) {
        return new Setting<>(key, parser, apply, render, false);
    }

    private static Draft.ZombieProbeMode zombieProbeMode(String text) throws InvalidValue {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "auto" -> Draft.ZombieProbeMode.AUTO;
            case "off" -> Draft.ZombieProbeMode.OFF;
            default -> throw new InvalidValue("is not auto or off");
        };
    }

    private static UnansweredConnection unansweredConnection(String text) throws InvalidValue {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "keep" -> UnansweredConnection.KEEP;
            case "close" -> UnansweredConnection.CLOSE;
            default -> throw new InvalidValue("is not keep or close");
        };
    }

    /** An empty value is no file. */
    private static Path path(String text) throws InvalidValue {
        if (text.isEmpty()) {
            return null;
        }
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new InvalidValue("is not a file path: " + e.getReason());
        }
    }
}
