package io.twsbridge.bridge.app.config;

import io.twsbridge.bridge.app.BridgeConfig;
import io.twsbridge.bridge.failover.FailoverSettings;
import io.twsbridge.bridge.gateway.GatewayConfig;
import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.bridge.orders.OrderSettings;
import io.twsbridge.bridge.validation.InvalidSettingsException;
import io.twsbridge.bridge.validation.SettingProblem;
import io.twsbridge.client.registry.InvalidRegistryConfigException;
import io.twsbridge.client.registry.SchemaRegistryConfig;
import io.twsbridge.schema.catalogue.Topic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ConfigLoaderTest {

    private static final ConfigLoader NO_ENV = new ConfigLoader(Map.of());

    @TempDir
    Path dir;

    // ---------------------------------------------------------------- defaults

    @Test
    void anEmptyFileGivesTheDocumentedDefaults() throws Exception {
        LoadedConfig loaded = NO_ENV.load(file(""));
        BridgeConfig c = loaded.bridge();

        GatewayConfig defaultGateway = GatewayConfig.builder().build();
        assertThat(c.gateway()).isEqualTo(defaultGateway);
        assertThat(c.gateway().host()).isEqualTo("127.0.0.1");
        assertThat(c.gateway().port()).isEqualTo(4002);
        assertThat(c.gateway().clientId()).isEqualTo(17);
        assertThat(c.gateway().fallbackClientIds()).isEmpty();
        assertThat(c.gateway().syncTimeouts()).isEqualTo(GatewayConfig.SyncTimeouts.all(Duration.ofSeconds(30)));
        assertThat(c.gateway().retryMaxBackoff()).isEqualTo(Duration.ofMinutes(10));

        assertThat(c.kafka()).isEqualTo(KafkaSettings.builder().build());
        assertThat(c.kafka().bootstrapServers()).isEqualTo("127.0.0.1:9092");
        assertThat(c.kafka().clientProperties()).isEmpty();
        assertThat(c.kafka().producerBufferBytes()).isEqualTo(64L * 1024 * 1024);
        assertThat(c.kafka().stuckPartitionTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.kafka().topic(Topic.COMMANDS)).isEqualTo("ib.commands");

        assertThat(c.registry()).isEqualTo(SchemaRegistryConfig.builder("http://127.0.0.1:8081").build());
        assertThat(c.registry().credentials()).isEmpty();

        assertThat(c.orders()).isEqualTo(OrderSettings.defaults());
        assertThat(c.orders().enabled()).isFalse();
        assertThat(c.contracts().requireQualified()).isFalse();
        assertThat(c.contracts().cacheSize()).isEqualTo(10_000);
        assertThat(c.history().maxWait()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.history().pacing()).isEqualTo(io.twsbridge.bridge.history.pacing.PacingSettings.defaults());

        assertThat(c.zombieProbe()).isNotNull();
        assertThat(loaded.http()).isEqualTo(new HttpSettings("127.0.0.1", 8080));
        assertThat(loaded.http().enabled()).isTrue();
        assertThat(loaded.logFile()).isEmpty();
        assertThat(loaded.warnings()).isEmpty();
        assertThat(loaded.settings()).containsEntry("gateway.zombie-probe", "auto")
                .containsEntry("kafka.producer-buffer-bytes", "64MiB")
                .containsEntry("quotes.conflation-window", "0")
                .containsEntry("registry.password", "");
        assertThat(loaded.settings().keySet()).containsExactlyElementsOf(ConfigLoader.keys());
    }

    @Test
    void noFileIsTheSameAsAnEmptyFile() throws Exception {
        assertThat(NO_ENV.loadWithoutFile().settings()).isEqualTo(NO_ENV.load(file("")).settings());
    }

    // ---------------------------------------------------------------- every key

    /**
     * Every key of the bridge set to something other than its default, standby on; all but
     * {@link #ALONE_ONLY}, which a standby bridge may not set ({@link #everyKeyOfABridgeRunningAlone()} sets it).
     */
    private static Map<String, String> everyKey() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("gateway.host", "gw.example.com");
        p.put("gateway.port", "4001");
        p.put("gateway.client-id", "5");
        p.put("gateway.connect-timeout", "PT3S");
        p.put("gateway.handshake-timeout", "12s");
        p.put("gateway.api-ready-timeout", "20 s");
        p.put("gateway.frame-timeout", "7s");
        p.put("gateway.sync-timeout.positions", "31s");
        p.put("gateway.sync-timeout.open-orders", "32s");
        p.put("gateway.sync-timeout.completed-orders", "33s");
        p.put("gateway.sync-timeout.executions", "34s");
        p.put("gateway.sync-timeout.account-summary", "35s");
        p.put("gateway.messages-per-second", "40");
        p.put("gateway.pacing-hard-limit", "45");
        p.put("gateway.failures-to-open", "4");
        p.put("gateway.retry-initial-backoff", "500ms");
        p.put("gateway.retry-max-backoff", "5m");
        p.put("gateway.backoff-jitter", "0.25");
        p.put("gateway.zombie-probe", "off");
        p.put("gateway.zombie-probe-interval", "10s");
        p.put("gateway.stall-hold", "15min");
        p.put("gateway.unanswered-connection", "CLOSE");
        p.put("gateway.account-summary-tags", "NetLiquidation, BuyingPower");
        p.put("gateway.broker-clock-warn-skew", "1500ms");
        p.put("gateway.broker-clock-check-interval", "30s");
        p.put("kafka.bootstrap.servers", "k1:9092,k2:9092");
        p.put("kafka.compression", "zstd");
        p.put("kafka.command-group-id", "grp");
        p.put("kafka.producer-buffer-bytes", "32MiB");
        p.put("kafka.stuck-partition-timeout", "12s");
        for (Topic t : Topic.values()) {
            p.put(Settings.topicKey(t), "x." + t.defaultName());
        }
        p.put("topics.subscriptions", "x.subs");
        p.put("topics.order-journal", "x.journal");
        p.put("topics.partitions", "6");
        p.put("topics.replication-factor", "3");
        p.put("bridge.id", "bridge-7");
        p.put("status.heartbeat-interval", "2s");
        p.put("quotes.conflation-window", "250ms");
        p.put("market-data.line-limit", "50");
        p.put("commands.request-timeout", "1m");
        p.put("commands.duplicate-window", "2h");
        p.put("registry.url", "https://reg.example.com:8081/");
        p.put("registry.user", "alice");
        p.put("registry.password", "s3cr3t-pw");
        p.put("registry.connect-timeout", "1s");
        p.put("registry.request-timeout", "2s");
        p.put("registry.max-attempts", "3");
        p.put("registry.initial-backoff", "100ms");
        p.put("registry.backoff-multiplier", "1.5");
        p.put("registry.max-backoff", "2s");
        p.put("registry.backoff-jitter", "0.1");
        p.put("registry.startup-max-backoff", "30s");
        p.put("orders.enabled", "true");
        p.put("orders.account-allowlist", "DU1, DU2");
        p.put("orders.symbol-allowlist", "AAPL,MSFT");
        p.put("orders.max-quantity", "250");
        p.put("orders.max-notional", "50000.50");
        p.put("orders.kill-switch", "true");
        p.put("orders.ack-timeout", "20s");
        p.put("contracts.cache-size", "500");
        p.put("contracts.require-qualified", "true");
        p.put("history.max-wait", "3m");
        p.put("history.pacing.max-open", "40");
        p.put("history.pacing.queue-capacity", "250");
        p.put("history.pacing.safety-margin", "2s");
        p.put("history.pacing.breaker-first-wait", "45s");
        p.put("history.pacing.breaker-multiplier", "3");
        p.put("history.pacing.breaker-max-wait", "20m");
        p.put("failover.enabled", "true");
        p.put("failover.instance-id", "bridge-7-a");
        p.put("failover.session-timeout", "6s");
        p.put("failover.takeover-delay", "2s");
        p.put("failover.commit-interval", "50ms");
        p.put("topics.leader", "x.leader");
        p.put("http.host", "0.0.0.0");
        p.put("http.port", "9090");
        p.put("logging.file", "/var/log/bridge/bridge.log");
        return p;
    }

    /** The keys that only a bridge running alone may set to something other than their default. */
    private static final Set<String> ALONE_ONLY = Set.of("gateway.fallback-client-ids");

    /** {@link #everyKey()} for a bridge that runs alone: no standby, but fallback client ids. */
    private static Map<String, String> everyKeyOfABridgeRunningAlone() {
        Map<String, String> p = everyKey();
        p.remove("failover.enabled");
        p.put("gateway.fallback-client-ids", "6, 7");
        return p;
    }

    @Test
    void everyKeyIsReadIntoItsSetting() throws Exception {
        Set<String> covered = new java.util.HashSet<>(everyKey().keySet());
        covered.addAll(ALONE_ONLY);
        assertThat(covered).containsExactlyInAnyOrderElementsOf(ConfigLoader.keys());
        assertThat(everyKey()).doesNotContainKeys(ALONE_ONLY.toArray(String[]::new));
        LoadedConfig loaded = NO_ENV.load(file(everyKey()));
        BridgeConfig c = loaded.bridge();
        assertThat(NO_ENV.load(file(everyKeyOfABridgeRunningAlone())).bridge().gateway().fallbackClientIds())
                .containsExactly(6, 7);

        GatewayConfig g = c.gateway();
        assertThat(g.host()).isEqualTo("gw.example.com");
        assertThat(g.port()).isEqualTo(4001);
        assertThat(g.clientId()).isEqualTo(5);
        assertThat(g.fallbackClientIds()).isEmpty();
        assertThat(g.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(g.handshakeTimeout()).isEqualTo(Duration.ofSeconds(12));
        assertThat(g.apiReadyTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(g.frameTimeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(g.syncTimeouts()).isEqualTo(new GatewayConfig.SyncTimeouts(Duration.ofSeconds(31),
                Duration.ofSeconds(32), Duration.ofSeconds(33), Duration.ofSeconds(34), Duration.ofSeconds(35)));
        assertThat(g.messagesPerSecond()).isEqualTo(40);
        assertThat(g.pacingHardLimit()).isEqualTo(45);
        assertThat(g.failuresToOpen()).isEqualTo(4);
        assertThat(g.retryInitialBackoff()).isEqualTo(Duration.ofMillis(500));
        assertThat(g.retryMaxBackoff()).isEqualTo(Duration.ofMinutes(5));
        assertThat(g.backoffJitter()).isEqualTo(0.25);
        assertThat(c.zombieProbe().count(4001).detail()).isEqualTo("zombie probe disabled");
        assertThat(g.zombieProbeInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(g.stallHold()).isEqualTo(Duration.ofMinutes(15));
        assertThat(g.unansweredConnection()).isEqualTo(io.twsbridge.bridge.gateway.UnansweredConnection.CLOSE);
        assertThat(g.accountSummaryTags()).isEqualTo("NetLiquidation,BuyingPower");
        assertThat(g.brokerClockWarnSkew()).isEqualTo(Duration.ofMillis(1500));
        assertThat(g.brokerClockCheckInterval()).isEqualTo(Duration.ofSeconds(30));

        KafkaSettings k = c.kafka();
        assertThat(k.bootstrapServers()).isEqualTo("k1:9092,k2:9092");
        assertThat(k.compression()).isEqualTo("zstd");
        assertThat(k.commandGroupId()).isEqualTo("grp");
        assertThat(k.producerBufferBytes()).isEqualTo(32L * 1024 * 1024);
        assertThat(k.stuckPartitionTimeout()).isEqualTo(Duration.ofSeconds(12));
        for (Topic t : Topic.values()) {
            assertThat(k.topic(t)).isEqualTo("x." + t.defaultName());
        }
        assertThat(k.subscriptionsTopic()).isEqualTo("x.subs");
        assertThat(k.partitions()).isEqualTo(6);
        assertThat(k.replicationFactor()).isEqualTo((short) 3);
        assertThat(k.bridgeId()).isEqualTo("bridge-7");
        assertThat(k.heartbeatInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(k.quoteConflationWindow()).isEqualTo(Duration.ofMillis(250));
        assertThat(k.marketDataLineLimit()).isEqualTo(50);
        assertThat(k.requestTimeout()).isEqualTo(Duration.ofMinutes(1));
        assertThat(k.duplicateWindow()).isEqualTo(Duration.ofHours(2));

        SchemaRegistryConfig r = c.registry();
        assertThat(r.baseUrl()).hasToString("https://reg.example.com:8081");
        assertThat(r.credentials()).contains(new SchemaRegistryConfig.BasicAuth("alice", "s3cr3t-pw"));
        assertThat(r.connectTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(r.requestTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(r.maxAttempts()).isEqualTo(3);
        assertThat(r.initialBackoff()).isEqualTo(Duration.ofMillis(100));
        assertThat(r.backoffMultiplier()).isEqualTo(1.5);
        assertThat(r.maxBackoff()).isEqualTo(Duration.ofSeconds(2));
        assertThat(r.backoffJitter()).isEqualTo(0.1);
        assertThat(r.startupMaxBackoff()).isEqualTo(Duration.ofSeconds(30));

        OrderSettings o = c.orders();
        assertThat(o.enabled()).isTrue();
        assertThat(o.accountAllowlist()).containsExactlyInAnyOrder("DU1", "DU2");
        assertThat(o.symbolAllowlist()).containsExactlyInAnyOrder("AAPL", "MSFT");
        assertThat(o.maxQuantity()).isEqualByComparingTo(new BigDecimal("250"));
        assertThat(o.maxNotional()).isEqualByComparingTo(new BigDecimal("50000.50"));
        assertThat(o.killSwitch()).isTrue();
        assertThat(o.ackTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(o.journalTopic()).isEqualTo("x.journal");

        assertThat(c.contracts()).isEqualTo(new io.twsbridge.bridge.contracts.ContractSettings(500, true));
        io.twsbridge.bridge.history.HistorySettings h = c.history();
        assertThat(h.maxWait()).isEqualTo(Duration.ofMinutes(3));
        assertThat(h.pacing()).isEqualTo(new io.twsbridge.bridge.history.pacing.PacingSettings(40, 250,
                Duration.ofSeconds(2), Duration.ofSeconds(45), 3.0, Duration.ofMinutes(20)));

        FailoverSettings f = c.failover();
        assertThat(f.enabled()).isTrue();
        assertThat(f.instanceId()).isEqualTo("bridge-7-a");
        assertThat(f.instanceIdGiven()).isTrue();
        assertThat(f.sessionTimeout()).isEqualTo(Duration.ofSeconds(6));
        assertThat(f.takeoverDelay()).isEqualTo(Duration.ofSeconds(2));
        assertThat(f.commitInterval()).isEqualTo(Duration.ofMillis(50));
        assertThat(f.leaseTopic()).isEqualTo("x.leader");

        assertThat(loaded.http()).isEqualTo(new HttpSettings("0.0.0.0", 9090));
        assertThat(loaded.logFile()).contains(Path.of("/var/log/bridge/bridge.log"));
    }

    @Test
    void everyKeyChangesWhatIsInEffect() throws Exception {
        Map<String, String> defaults = NO_ENV.loadWithoutFile().settings();
        Map<String, String> changed = NO_ENV.load(everyKey(), "test").settings();
        Map<String, String> changedAlone = NO_ENV.load(everyKeyOfABridgeRunningAlone(), "test").settings();
        for (String key : ConfigLoader.keys()) {
            assertThat((ALONE_ONLY.contains(key) ? changedAlone : changed).get(key)).as(key)
                    .isNotEqualTo(defaults.get(key));
        }
    }

    @Test
    void theSettingsInEffectLoadBackToTheSameConfiguration() throws Exception {
        for (Map<String, String> every : java.util.List.of(everyKey(), everyKeyOfABridgeRunningAlone())) {
            LoadedConfig first = NO_ENV.load(every, "test");
            Map<String, String> printed = new HashMap<>(first.settings());
            printed.put("registry.password", "s3cr3t-pw"); // printed masked
            LoadedConfig second = NO_ENV.load(printed, "printed");
            assertThat(second.settings()).isEqualTo(first.settings());
            assertThat(second.bridge().gateway()).isEqualTo(first.bridge().gateway());
            assertThat(second.bridge().kafka()).isEqualTo(first.bridge().kafka());
            assertThat(second.bridge().registry()).isEqualTo(first.bridge().registry());
            assertThat(second.bridge().orders()).isEqualTo(first.bridge().orders());
            assertThat(second.bridge().failover()).isEqualTo(first.bridge().failover());
        }

        Map<String, String> defaults = NO_ENV.loadWithoutFile().settings();
        assertThat(NO_ENV.load(defaults, "defaults").settings()).isEqualTo(defaults);
    }

    @Test
    void httpCanBeDisabledAndTheZombieProbeIsAutoOrOff() throws Exception {
        LoadedConfig loaded = NO_ENV.load(Map.of("http.port", "-1", "gateway.zombie-probe", "AUTO"), "test");
        assertThat(loaded.http().enabled()).isFalse();
        assertThat(loaded.settings()).containsEntry("gateway.zombie-probe", "auto");

        ConfigException e = problems(Map.of("http.port", "70000", "gateway.zombie-probe", "sometimes"));
        assertThat(e.problems()).containsExactly(
                "gateway.zombie-probe: 'sometimes' is not auto or off",
                "http.port must be 1..65535, 0 for any free port or -1 to disable, but was 70000");
    }

    @Test
    void anEmptyLogFileIsNone() throws Exception {
        assertThat(NO_ENV.load(Map.of("logging.file", ""), "test").logFile()).isEmpty();
    }

    // ---------------------------------------------------------------- environment

    @Test
    void environmentVariablesOverrideTheFile() throws Exception {
        Map<String, String> env = Map.of(
                "BRIDGE_GATEWAY_HOST", "gw.from.env",
                "BRIDGE_GATEWAY_ZOMBIE_PROBE", "off",
                "BRIDGE_TOPICS_COMMAND_RESULTS", "env.results",
                "BRIDGE_ORDERS_MAX_NOTIONAL", "2500",
                "BRIDGE_BRIDGE_ID", "bridge-env",
                "PATH", "/usr/bin");
        LoadedConfig loaded = new ConfigLoader(env).load(file("gateway.host=gw.from.file\ngateway.port=4001\n"));
        assertThat(loaded.bridge().gateway().host()).isEqualTo("gw.from.env");
        assertThat(loaded.bridge().gateway().port()).isEqualTo(4001);
        assertThat(loaded.bridge().kafka().topic(Topic.COMMAND_RESULTS)).isEqualTo("env.results");
        assertThat(loaded.bridge().orders().maxNotional()).isEqualByComparingTo("2500");
        assertThat(loaded.bridge().kafka().bridgeId()).isEqualTo("bridge-env");
        assertThat(loaded.settings()).containsEntry("gateway.zombie-probe", "off");
        assertThat(loaded.warnings()).isEmpty();
    }

    @Test
    void everyKeyHasItsOwnVariable() {
        assertThat(ConfigLoader.envName("gateway.host")).isEqualTo("BRIDGE_GATEWAY_HOST");
        assertThat(ConfigLoader.envName("gateway.sync-timeout.open-orders"))
                .isEqualTo("BRIDGE_GATEWAY_SYNC_TIMEOUT_OPEN_ORDERS");
        assertThat(ConfigLoader.envName("kafka.sasl.jaas.config")).isEqualTo("BRIDGE_KAFKA_SASL_JAAS_CONFIG");
        assertThat(ConfigLoader.keys().stream().map(ConfigLoader::envName).distinct())
                .hasSameSizeAs(ConfigLoader.keys());
        assertThat(KafkaClientKeys.names().stream().map(n -> ConfigLoader.envName("kafka." + n)).distinct())
                .hasSameSizeAs(KafkaClientKeys.names());
    }

    @Test
    void aBadValueFromTheEnvironmentNamesItsVariable() {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> new ConfigLoader(Map.of("BRIDGE_GATEWAY_PORT", "four")).loadWithoutFile());
        assertThat(e.problems()).containsExactly("gateway.port: 'four' is not an integer [from BRIDGE_GATEWAY_PORT]");
    }

    @Test
    void unknownBridgeVariablesAreIgnoredWithAWarning() throws Exception {
        Map<String, String> env = Map.of(
                "BRIDGE_GATEWAY_HOTS", "x",          // typo: warned, with a suggestion
                "BRIDGE_PORT", "tcp://10.0.0.1:8080", // what Kubernetes sets for a service named "bridge"
                "BRIDGE_LOG_LEVEL", "DEBUG",         // read by logback, not a setting
                "BRIDGE_WIRE_TRACE", "TRACE",
                "BRIDGE_KAFKA_CONFIG_LOG", "INFO", "BRIDGE_KAFKA_LOG", "INFO");  // read by logback, not a setting
        LoadedConfig loaded = new ConfigLoader(env).loadWithoutFile();
        assertThat(loaded.bridge().gateway().host()).isEqualTo("127.0.0.1");
        assertThat(loaded.warnings()).containsExactly(
                "BRIDGE_GATEWAY_HOTS names no setting and is ignored; did you mean BRIDGE_GATEWAY_HOST?",
                "BRIDGE_PORT names no setting and is ignored");
    }

    @Test
    void ignoredVariablesAreListedWithTheProblems() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> new ConfigLoader(Map.of(
                "BRIDGE_REGISTRY_URLL", "http://reg:8081",
                "BRIDGE_REGISTRY_USER", "alice",
                "BRIDGE_REGISTRY_PASSWORD", "env-pw-456")).load(Map.of("registry.url", "reg:8081"), "test"));
        assertThat(e.problems()).containsExactly(
                "registry.url must be an http or https URL but was reg:8081");
        assertThat(e.warnings()).containsExactly(
                "BRIDGE_REGISTRY_URLL names no setting and is ignored; did you mean BRIDGE_REGISTRY_URL?");
        assertThat(e.getMessage()).endsWith("\nignored:\n"
                + "  - BRIDGE_REGISTRY_URLL names no setting and is ignored; did you mean BRIDGE_REGISTRY_URL?");
    }

    // ---------------------------------------------------------------- Kafka pass-through

    @Test
    void otherKafkaKeysPassThroughToTheClients() throws Exception {
        Map<String, String> env = Map.of(
                "BRIDGE_KAFKA_SASL_JAAS_CONFIG",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"env-pw\";",
                "BRIDGE_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");
        LoadedConfig loaded = new ConfigLoader(env).load(file("""
                kafka.bootstrap.servers=broker:9093
                kafka.security.protocol=SASL_SSL
                kafka.sasl.mechanism=PLAIN
                kafka.ssl.truststore.location=/etc/kafka/truststore.jks
                kafka.request.timeout.ms=45000
                """));
        KafkaSettings k = loaded.bridge().kafka();
        assertThat(k.bootstrapServers()).isEqualTo("broker:9093");
        assertThat(k.clientProperties()).containsOnly(
                Map.entry("security.protocol", "SASL_SSL"),
                Map.entry("sasl.mechanism", "SCRAM-SHA-512"),
                Map.entry("sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"env-pw\";"),
                Map.entry("ssl.truststore.location", "/etc/kafka/truststore.jks"),
                Map.entry("request.timeout.ms", "45000"));
        assertThat(loaded.settings()).containsEntry("kafka.security.protocol", "SASL_SSL")
                .containsEntry("kafka.sasl.jaas.config", LoadedConfig.MASK);
    }

    @Test
    void kafkaKeysAreCheckedAgainstKafkasOwnDefinitions() {
        ConfigException e = problems(Map.of(
                "kafka.security.protocl", "SSL",
                "kafka.security.protocol", "SASL_SSLX",
                "kafka.request.timeout.ms", "soon",
                "kafka.acks", "1",
                "kafka.compression.type", "gzip",
                "kafka.group.id", "mine"));
        assertThat(e.problems()).hasSize(6);
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).isEqualTo(
                "kafka.acks: is set by the bridge (acks=all) and cannot be changed"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).isEqualTo(
                "kafka.compression.type: is set by the bridge; use kafka.compression"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).isEqualTo(
                "kafka.group.id: is set by the bridge; use kafka.command-group-id"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("kafka.request.timeout.ms: ")
                .contains("soon"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("kafka.security.protocol: ")
                .contains("SASL_SSLX"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).isEqualTo(
                "kafka.security.protocl: unknown setting: neither one of the bridge's nor a Kafka client setting;"
                        + " did you mean kafka.security.protocol?"));
    }

    // ---------------------------------------------------------------- problems

    @Test
    void threeMistakesAreReportedAtOnce() throws Exception {
        Path f = file("""
                gateway.port=abc
                orders.max-quantity=-1
                gatway.host=gw.example.com
                """);
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> NO_ENV.load(f));
        assertThat(e.problems()).containsExactly(
                "gateway.port: 'abc' is not an integer",
                "gatway.host: unknown setting; did you mean gateway.host?",
                "orders.max-quantity must be positive but was -1");
        assertThat(e.getMessage()).isEqualTo("invalid configuration (" + f + " and BRIDGE_* environment variables), "
                + "3 problems:\n"
                + "  - gateway.port: 'abc' is not an integer\n"
                + "  - gatway.host: unknown setting; did you mean gateway.host?\n"
                + "  - orders.max-quantity must be positive but was -1");
    }

    @Test
    void everyBuilderIsValidatedEvenWhenAnotherFailed() {
        ConfigException e = problems(Map.of(
                "gateway.messages-per-second", "60",
                "topics.command-results", "bad topic",
                "topics.partitions", "0",
                "registry.url", "ftp://reg",
                "registry.password", "hunter2-secret",
                "orders.ack-timeout", "0",
                "http.host", ""));
        assertThat(e.problems()).containsExactly(
                "gateway.messages-per-second must be 1..gateway.pacing-hard-limit (48) but was 60",
                "http.host must not be empty",
                "orders.ack-timeout must be positive but was PT0S",
                "registry.url must be an http or https URL but was ftp://reg",
                "registry.user must be set when a password is",
                "topics.command-results must be a legal Kafka topic name but was 'bad topic'",
                "topics.partitions must be >= 1 but was 0");
    }

    @Test
    void theOrderJournalMustNotShareATopic() {
        ConfigException e = problems(Map.of("topics.order-journal", "ib.fills"));
        assertThat(e.problems()).containsExactly(
                "topics.order-journal must differ from every other topic but 'ib.fills' is also topics.fills");
    }

    @Test
    void aKeySetTwiceInTheFileIsAProblem() throws Exception {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> NO_ENV.load(file("gateway.port=4001\ngateway.port=4002\n")));
        assertThat(e.problems()).containsExactly("gateway.port: set more than once in the file");
    }

    @Test
    void aFileThatCannotBeReadIsOneProblem() throws Exception {
        Path missing = dir.resolve("missing.properties");
        assertThat(catchThrowableOfType(ConfigException.class, () -> NO_ENV.load(missing)).problems())
                .containsExactly("cannot read " + missing + ": no such file");

        Path latin1 = dir.resolve("latin1.properties");
        Files.write(latin1, "bridge.id=br\u00fccke\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(catchThrowableOfType(ConfigException.class, () -> NO_ENV.load(latin1)).problems())
                .containsExactly("cannot read " + latin1 + ": not UTF-8 text");
    }

    @Test
    void theFileIsReadAsUtf8() throws Exception {
        Path f = dir.resolve("utf8.properties");
        Files.writeString(f, "bridge.id=br\u00fccke-1\n", StandardCharsets.UTF_8);
        assertThat(NO_ENV.load(f).bridge().kafka().bridgeId()).isEqualTo("br\u00fccke-1");
    }

    @Test
    void valuesAreTrimmed() throws Exception {
        LoadedConfig loaded = NO_ENV.load(file("gateway.host = gw.example.com   \norders.enabled=true \n"));
        assertThat(loaded.bridge().gateway().host()).isEqualTo("gw.example.com");
        assertThat(loaded.bridge().orders().enabled()).isTrue();
    }

    // ---------------------------------------------------------------- secrets

    @Test
    void secretsNeverAppearInMessagesOrPrintedSettings() throws Exception {
        String jaas = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"bridge\""
                + " password=\"jaas-pw-123\";";
        Map<String, String> p = new HashMap<>(Map.of(
                "registry.user", "alice",
                "registry.password", "registry-pw-123",
                "kafka.sasl.jaas.config", jaas,
                "kafka.ssl.truststore.password", "truststore-pw-123",
                "kafka.ssl.key.password", "key-pw-123"));
        LoadedConfig loaded = NO_ENV.load(p, "test");
        String printed = loaded + "\n" + loaded.describe() + "\n" + loaded.settings();
        assertThat(printed).doesNotContain("registry-pw-123", "jaas-pw-123", "truststore-pw-123", "key-pw-123")
                .contains("registry.password=****", "kafka.sasl.jaas.config=****",
                        "kafka.ssl.truststore.password=****", "kafka.ssl.key.password=****",
                        "registry.user=alice");
        assertThat(loaded.bridge().registry().toString()).doesNotContain("registry-pw-123");

        // With problems elsewhere, and a secret that fails its own check: never quoted.
        p.put("gateway.port", "x");
        p.put("registry.user", "a:b");
        p.put("kafka.ssl.keystore.password", "registry-pw-123");
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> new ConfigLoader(Map.of("BRIDGE_REGISTRY_PASSWORD", "env-pw-456")).load(p, "test"));
        assertThat(e.getMessage()).doesNotContain("registry-pw-123", "env-pw-456", "jaas-pw-123",
                "truststore-pw-123", "key-pw-123");
        assertThat(e.problems()).contains("registry.user must not contain ':' but was a:b");
    }

    @Test
    void secretsAreRecognisedByKafkasTypesAndByName() {
        assertThat(Settings.isSecret("registry.password")).isTrue();
        assertThat(Settings.isSecret("kafka.sasl.jaas.config")).isTrue();
        assertThat(Settings.isSecret("kafka.ssl.keystore.key")).isTrue();
        assertThat(Settings.isSecret("kafka.sasl.oauthbearer.client.credentials.client.secret")).isTrue();
        assertThat(Settings.isSecret("kafka.some.future.password")).isTrue();
        assertThat(Settings.isSecret("kafka.security.protocol")).isFalse();
        assertThat(Settings.isSecret("registry.user")).isFalse();
    }

    @Test
    void theBuildersNameTheirProblemsByTheKeysOfTheFile() {
        InvalidRegistryConfigException registry = catchThrowableOfType(InvalidRegistryConfigException.class,
                () -> SchemaRegistryConfig.builder("http://127.0.0.1:8081").basicAuth(null, "secret").build());
        assertThat(registry.problems()).containsExactly(
                new InvalidRegistryConfigException.Problem("registry.user", "must be set when a password is"));
        InvalidSettingsException kafka = catchThrowableOfType(InvalidSettingsException.class,
                () -> KafkaSettings.builder().topicName(Topic.COMMANDS_DLQ, "").build());
        assertThat(kafka.problems()).extracting(SettingProblem::key).contains("topics.commands-dlq");
        assertThat(Set.copyOf(ConfigLoader.keys())).contains("topics.commands-dlq", "topics.command-results");
    }

    /** Five problems in five parts of the configuration, each reported under its file key from the typed path. */
    @Test
    void problemsFromEveryPartAreListedTogetherEachUnderItsFileKey() {
        ConfigException e = problems(Map.of(
                "gateway.messages-per-second", "60",
                "topics.partitions", "0",
                "registry.max-attempts", "0",
                "orders.max-quantity", "-1",
                "failover.takeover-delay", "1h"));

        assertThat(e.problems()).containsExactly(
                "failover.takeover-delay must be between 0 and 10 minutes but was PT1H",
                "gateway.messages-per-second must be 1..gateway.pacing-hard-limit (48) but was 60",
                "orders.max-quantity must be positive but was -1",
                "registry.max-attempts must be >= 1 but was 0",
                "topics.partitions must be >= 1 but was 0");
    }

    // ---------------------------------------------------------------- standby (failover)

    @Test
    void theFailoverKeysAreReadFromTheFile() throws Exception {
        LoadedConfig loaded = NO_ENV.load(file("""
                failover.enabled=true
                failover.instance-id=pod-a
                failover.session-timeout=20s
                failover.takeover-delay=500ms
                failover.commit-interval=PT0.2S
                topics.leader=prod.leader
                """));
        assertThat(loaded.bridge().failover()).isEqualTo(FailoverSettings.builder().enabled(true).instanceId("pod-a")
                .sessionTimeout(Duration.ofSeconds(20)).takeoverDelay(Duration.ofMillis(500))
                .commitInterval(Duration.ofMillis(200)).leaseTopic("prod.leader").build());
        assertThat(loaded.settings()).containsEntry("failover.enabled", "true")
                .containsEntry("failover.instance-id", "pod-a")
                .containsEntry("topics.leader", "prod.leader");
        assertThat(loaded.warnings()).isEmpty();
    }

    @Test
    void failoverIsOffByDefaultAndNamesThisProcess() throws Exception {
        FailoverSettings f = NO_ENV.loadWithoutFile().bridge().failover();
        assertThat(f.enabled()).isFalse();
        assertThat(f.leaseTopic()).isEqualTo("ib.leader");
        assertThat(f.instanceId()).endsWith("-" + ProcessHandle.current().pid());
    }

    @Test
    void theFailoverVariablesOverrideTheFile() throws Exception {
        Map<String, String> env = Map.of(
                "BRIDGE_FAILOVER_ENABLED", "TRUE",
                "BRIDGE_FAILOVER_INSTANCE_ID", "pod-from-env",
                "BRIDGE_FAILOVER_SESSION_TIMEOUT", "30s",
                "BRIDGE_FAILOVER_TAKEOVER_DELAY", "1s",
                "BRIDGE_FAILOVER_COMMIT_INTERVAL", "25ms",
                "BRIDGE_TOPICS_LEADER", "env.leader");
        LoadedConfig loaded = new ConfigLoader(env).load(file("""
                failover.enabled=false
                failover.instance-id=pod-from-file
                failover.session-timeout=20s
                topics.leader=file.leader
                """));
        FailoverSettings f = loaded.bridge().failover();
        assertThat(f.enabled()).isTrue();
        assertThat(f.instanceId()).isEqualTo("pod-from-env");
        assertThat(f.sessionTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(f.takeoverDelay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(f.commitInterval()).isEqualTo(Duration.ofMillis(25));
        assertThat(f.leaseTopic()).isEqualTo("env.leader");
        assertThat(loaded.warnings()).isEmpty();
    }

    @Test
    void badFailoverValuesAreProblemsNamingTheirKeysAndVariables() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> new ConfigLoader(Map.of(
                "BRIDGE_FAILOVER_SESSION_TIMEOUT", "500ms",
                "BRIDGE_FAILOVER_ENABLED", "yes")).load(Map.of(
                "failover.instance-id", "pod a",
                "failover.commit-interval", "1m",
                "topics.leader", "bad/leader"), "test"));
        assertThat(e.problems()).containsExactly(
                "failover.commit-interval must be between 1 ms and 10 s but was PT1M",
                "failover.enabled: 'yes' is not true or false [from BRIDGE_FAILOVER_ENABLED]",
                "failover.instance-id must be 1 to 100 letters, digits, '.', '_' or '-' but was 'pod a'",
                "failover.session-timeout must be between PT3S and PT10M but was PT0.5S"
                        + " [from BRIDGE_FAILOVER_SESSION_TIMEOUT]",
                "topics.leader must be a legal Kafka topic name but was 'bad/leader'");
    }

    @Test
    void theLeaseTopicMustDifferFromEveryOtherTopic() {
        assertThat(problems(Map.of("failover.enabled", "true", "topics.leader", "ib.fills")).problems())
                .containsExactly("topics.leader must differ from every other topic but was 'ib.fills'");
        assertThat(problems(Map.of("failover.enabled", "true", "topics.leader", "x.subs",
                "topics.subscriptions", "x.subs")).problems())
                .containsExactly("topics.leader must differ from every other topic but was 'x.subs'");
        assertThat(problems(Map.of("failover.enabled", "true", "topics.order-journal", "x.journal",
                "topics.leader", "x.journal")).problems())
                .containsExactly("topics.leader must differ from every other topic but was 'x.journal'");
    }

    @Test
    void aBridgeRunningAloneUsesNoLeaseTopicSoItIsNotChecked() throws Exception {
        assertThat(NO_ENV.load(Map.of("topics.leader", "ib.fills"), "test").bridge().failover().leaseTopic())
                .isEqualTo("ib.fills");
        assertThat(NO_ENV.load(Map.of("gateway.fallback-client-ids", "18"), "test").bridge().gateway()
                .fallbackClientIds()).containsExactly(18);
    }

    @Test
    void fallbackClientIdsAreIgnoredWithFailoverAndTheWarningSaysSo() throws Exception {
        LoadedConfig loaded = new ConfigLoader(Map.of("BRIDGE_FAILOVER_ENABLED", "true"))
                .load(Map.of("gateway.fallback-client-ids", "18,19"), "test");
        assertThat(loaded.warnings()).containsExactly("gateway.fallback-client-ids is ignored when failover.enabled is"
                + " true: a new active instance waits for its predecessor's client id rather than open a second"
                + " session beside it");
    }

    @Test
    void aLeaseTopicClashIsAProblemEvenBesideFallbackClientIds() {
        ConfigException e = problems(Map.of(
                "failover.enabled", "true",
                "gateway.fallback-client-ids", "18",
                "topics.leader", "ib.status"));
        assertThat(e.problems()).containsExactly("topics.leader must differ from every other topic but was 'ib.status'");
        assertThat(e.warnings()).anyMatch(w -> w.startsWith("gateway.fallback-client-ids is ignored"));
    }

    // ---------------------------------------------------------------- helpers

    private static ConfigException problems(Map<String, String> properties) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> NO_ENV.load(properties, "test"));
        assertThat(e).as("expected problems with %s", properties).isNotNull();
        return e;
    }

    private Path file(String text) throws IOException {
        Path f = Files.createTempFile(dir, "bridge", ".properties");
        Files.writeString(f, text, StandardCharsets.UTF_8);
        return f;
    }

    private Path file(Map<String, String> properties) throws IOException {
        StringBuilder sb = new StringBuilder();
        properties.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        return file(sb.toString());
    }
}
