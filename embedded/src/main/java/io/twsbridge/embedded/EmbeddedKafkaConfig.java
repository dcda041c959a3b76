package io.twsbridge.embedded;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.event.Level;

/**
 * The validated, immutable settings of one {@link EmbeddedKafka}.
 *
 * <p>Build it with {@link #builder()}; {@link Builder#build()} checks every value and reports all
 * problems at once, naming the setting and the bad value.
 *
 * @param brokerPort port of the client listener on 127.0.0.1; 0 picks a free one at construction
 * @param controllerPort port of the KRaft controller listener on 127.0.0.1; 0 picks a free one
 * @param logDir the broker's data directory; empty means a fresh temporary directory that
 *     {@link EmbeddedKafka#close()} deletes. A given directory is kept, and reused as it is when it
 *     already holds a formatted broker ({@code meta.properties}).
 * @param defaultPartitions {@code num.partitions}: partitions of a topic created without a count
 * @param autoCreateTopics {@code auto.create.topics.enable}
 * @param brokerLogLevel level given to the broker's own loggers unless the logback configuration
 *     sets one (see {@link EmbeddedKafka})
 * @param brokerProperties extra broker properties, applied last (for example SASL settings); the
 *     keys that define the single node's identity, listeners and storage are refused
 * @param clientProperties what a client needs besides {@code bootstrap.servers} to connect to the
 *     client listener (for example {@code security.protocol} and {@code sasl.jaas.config} once the
 *     listener uses SASL); used by {@link EmbeddedKafka#awaitReady} and returned by
 *     {@link EmbeddedKafka#clientConfig()}
 * @param advertisedPort the port on 127.0.0.1 the broker tells clients to connect to; 0 (the default) is the
 *     client listener's own. Another port puts a proxy of the test's between the clients and the broker
 *     (fault injection): the clients bootstrap through the proxy and stay on it.
 * @param scramCredentials SCRAM users written into the cluster's metadata when the log dir is
 *     formatted (a reused, already formatted log dir keeps the users it was formatted with)
 */
public record EmbeddedKafkaConfig(
        int brokerPort,
        int controllerPort,
        Optional<Path> logDir,
        int defaultPartitions,
        boolean autoCreateTopics,
        Level brokerLogLevel,
        Map<String, String> brokerProperties,
        Map<String, String> clientProperties,
        int advertisedPort,
        List<ScramCredential> scramCredentials) {

    /** The SCRAM mechanisms Kafka implements. */
    public static final Set<String> SCRAM_MECHANISMS = Set.of("SCRAM-SHA-256", "SCRAM-SHA-512");

    /**
     * One SCRAM user, as the storage tool's {@code --add-scram} takes it. The format's syntax has no
     * quoting for these values, so user and password are limited to characters it cannot misread.
     *
     * @param mechanism {@code SCRAM-SHA-256} or {@code SCRAM-SHA-512}
     */
    public record ScramCredential(String mechanism, String user, String password) {

        /** Test credentials still stay out of logs: the password is not shown. */
        @Override
        public String toString() {
            return "ScramCredential[" + mechanism + ", user=" + user + ", password=****]";
        }
    }

    /**
     * Broker properties that {@link EmbeddedKafka} owns: overriding them would break the single
     * combined node or make {@link EmbeddedKafka#bootstrapServers()} wrong. Use the dedicated
     * settings instead.
     */
    public static final Set<String> RESERVED_PROPERTIES = Collections.unmodifiableSet(new TreeSet<>(List.of(
            "process.roles",
            "node.id",
            "broker.id",
            "log.dir",
            "log.dirs",
            "metadata.log.dir",
            "listeners",
            "advertised.listeners",
            "controller.listener.names",
            "controller.quorum.voters",
            "controller.quorum.bootstrap.servers",
            "num.partitions",
            "auto.create.topics.enable")));

    /** Compact constructor: rejects what the builder rejects, so no invalid instance exists. */
    public EmbeddedKafkaConfig {
        Objects.requireNonNull(logDir, "logDir");
        brokerProperties = Collections.unmodifiableMap(new LinkedHashMap<>(
                Objects.requireNonNull(brokerProperties, "brokerProperties")));
        clientProperties = Collections.unmodifiableMap(new LinkedHashMap<>(
                Objects.requireNonNull(clientProperties, "clientProperties")));
        scramCredentials = List.copyOf(Objects.requireNonNull(scramCredentials, "scramCredentials"));
        List<String> problems = problems(brokerPort, controllerPort, defaultPartitions,
                brokerLogLevel, brokerProperties, clientProperties);
        checkScram(problems, scramCredentials);
        checkPort(problems, "advertisedPort", advertisedPort);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(
                    "Invalid embedded Kafka configuration: " + String.join("; ", problems));
        }
    }

    /** Defaults: free ports, a temporary log dir, one partition, no auto-creation, WARN. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults of {@link #builder()}. */
    public static EmbeddedKafkaConfig defaults() {
        return builder().build();
    }

    private static List<String> problems(
            int brokerPort,
            int controllerPort,
            int defaultPartitions,
            Level brokerLogLevel,
            Map<String, String> brokerProperties,
            Map<String, String> clientProperties) {
        List<String> problems = new ArrayList<>();
        checkPort(problems, "brokerPort", brokerPort);
        checkPort(problems, "controllerPort", controllerPort);
        if (brokerPort != 0 && brokerPort == controllerPort) {
            problems.add("brokerPort and controllerPort must differ but both were " + brokerPort);
        }
        if (defaultPartitions < 1) {
            problems.add("defaultPartitions must be at least 1 but was " + defaultPartitions);
        }
        if (brokerLogLevel == null) {
            problems.add("brokerLogLevel must be set but was null");
        }
        for (Map.Entry<String, String> e : brokerProperties.entrySet()) {
            if (e.getKey() == null || e.getKey().isBlank()) {
                problems.add("brokerProperties has a blank key (value '" + e.getValue() + "')");
            } else if (RESERVED_PROPERTIES.contains(e.getKey())) {
                problems.add("brokerProperties must not set '" + e.getKey()
                        + "' (owned by EmbeddedKafka) but was '" + e.getValue() + "'");
            } else if (e.getValue() == null) {
                problems.add("brokerProperties '" + e.getKey() + "' must have a value but was null");
            }
        }
        for (Map.Entry<String, String> e : clientProperties.entrySet()) {
            if (e.getKey() == null || e.getKey().isBlank()) {
                problems.add("clientProperties has a blank key (value '" + e.getValue() + "')");
            } else if ("bootstrap.servers".equals(e.getKey())) {
                problems.add("clientProperties must not set 'bootstrap.servers' (owned by EmbeddedKafka) but was '"
                        + e.getValue() + "'");
            } else if (e.getValue() == null) {
                problems.add("clientProperties '" + e.getKey() + "' must have a value but was null");
            }
        }
        return problems;
    }

    private static void checkScram(List<String> problems, List<ScramCredential> credentials) {
        for (ScramCredential c : credentials) {
            if (c == null) {
                problems.add("scramCredentials must not hold null");
                continue;
            }
            if (!SCRAM_MECHANISMS.contains(c.mechanism())) {
                problems.add("scram mechanism must be one of " + new TreeSet<>(SCRAM_MECHANISMS)
                        + " but was '" + c.mechanism() + "'");
            }
            if (c.user() == null || !c.user().matches("[A-Za-z0-9._-]+")) {
                problems.add("scram user must be letters, digits, '.', '_' or '-' but was '" + c.user() + "'");
            }
            // The password is never quoted, even in a test broker's configuration errors.
            if (c.password() == null || !c.password().matches("[A-Za-z0-9._-]+")) {
                problems.add("scram password of user '" + c.user()
                        + "' must be letters, digits, '.', '_' or '-' (not shown)");
            }
        }
    }

    private static void checkPort(List<String> problems, String name, int port) {
        if (port < 0 || port > 65_535) {
            problems.add(name + " must be 0 (free port) or 1..65535 but was " + port);
        }
    }

    /** Collects settings; {@link #build()} validates them all at once. Not thread-safe. */
    public static final class Builder {
        private int brokerPort;
        private int advertisedPort;
        private int controllerPort;
        private Path logDir;
        private int defaultPartitions = 1;
        private boolean autoCreateTopics;
        private Level brokerLogLevel = Level.WARN;
        private final Map<String, String> brokerProperties = new LinkedHashMap<>();
        private final Map<String, String> clientProperties = new LinkedHashMap<>();
        private final List<ScramCredential> scramCredentials = new ArrayList<>();

        private Builder() {
        }

        /** The port the broker advertises to clients (a proxy in front of it); 0, the default: its own. */
        public Builder advertisedPort(int port) {
            this.advertisedPort = port;
            return this;
        }

        /** Client listener port on 127.0.0.1; 0 (the default) picks a free port. */
        public Builder brokerPort(int port) {
            this.brokerPort = port;
            return this;
        }

        /** Controller listener port on 127.0.0.1; 0 (the default) picks a free port. */
        public Builder controllerPort(int port) {
            this.controllerPort = port;
            return this;
        }

        /** Data directory to use and keep; by default a temporary one is created and deleted. */
        public Builder logDir(Path dir) {
            this.logDir = Objects.requireNonNull(dir, "logDir");
            return this;
        }

        /** Partitions of a topic created without an explicit count ({@code num.partitions}); default 1. */
        public Builder defaultPartitions(int partitions) {
            this.defaultPartitions = partitions;
            return this;
        }

        /**
         * Whether the broker creates a topic on first use ({@code auto.create.topics.enable}).
         * Default false: the bridge creates its own topics, and a typo should fail, not create one.
         */
        public Builder autoCreateTopics(boolean enabled) {
            this.autoCreateTopics = enabled;
            return this;
        }

        /** Level of the broker's own loggers when logback leaves them unset; default WARN. */
        public Builder brokerLogLevel(Level level) {
            this.brokerLogLevel = level;
            return this;
        }

        /** One extra broker property, applied after the built-in ones. */
        public Builder brokerProperty(String key, String value) {
            this.brokerProperties.put(key, value);
            return this;
        }

        /** Extra broker properties, applied after the built-in ones. */
        public Builder brokerProperties(Map<String, String> properties) {
            this.brokerProperties.putAll(properties);
            return this;
        }

        /** One client connection property (e.g. {@code security.protocol}); see the record's doc. */
        public Builder clientProperty(String key, String value) {
            this.clientProperties.put(key, value);
            return this;
        }

        /** A SCRAM user the broker knows from its first start (see the record's doc). */
        public Builder scramCredential(String mechanism, String user, String password) {
            this.scramCredentials.add(new ScramCredential(mechanism, user, password));
            return this;
        }

        /**
         * SASL/SCRAM on the client listener ({@code SASL_PLAINTEXT} on 127.0.0.1; the controller
         * listener stays PLAINTEXT): the broker accepts {@code mechanism} only and authenticates to
         * itself as {@code user}, and {@link EmbeddedKafka#clientConfig()} logs in as that user too.
         * Add the users of the code under test with {@link #scramCredential}.
         */
        public Builder scramListener(String mechanism, String user, String password) {
            String jaas = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                    + user + "\" password=\"" + password + "\";";
            brokerProperty("listener.security.protocol.map", "CLIENT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT");
            brokerProperty("sasl.enabled.mechanisms", mechanism);
            brokerProperty("sasl.mechanism.inter.broker.protocol", mechanism);
            brokerProperty("listener.name.client." + String.valueOf(mechanism).toLowerCase(java.util.Locale.ROOT)
                    + ".sasl.jaas.config", jaas);
            scramCredential(mechanism, user, password);
            clientProperty("security.protocol", "SASL_PLAINTEXT");
            clientProperty("sasl.mechanism", mechanism);
            clientProperty("sasl.jaas.config", jaas);
            return this;
        }

        /**
         * Validates and freezes the settings.
         *
         * @throws IllegalArgumentException listing every invalid setting
         */
        public EmbeddedKafkaConfig build() {
            return new EmbeddedKafkaConfig(brokerPort, controllerPort, Optional.ofNullable(logDir),
                    defaultPartitions, autoCreateTopics, brokerLogLevel, brokerProperties, clientProperties,
                    advertisedPort, scramCredentials);
        }
    }
}
