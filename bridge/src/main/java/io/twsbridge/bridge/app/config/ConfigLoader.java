package io.twsbridge.bridge.app.config;

import io.twsbridge.bridge.app.BridgeConfig;
import io.twsbridge.bridge.app.config.Settings.Resolved;
import io.twsbridge.bridge.app.config.Settings.Setting;
import io.twsbridge.bridge.app.config.Values.InvalidValue;
import io.twsbridge.bridge.contracts.ContractSettings;
import io.twsbridge.bridge.failover.FailoverSettings;
import io.twsbridge.bridge.gateway.GatewayConfig;
import io.twsbridge.bridge.history.HistorySettings;
import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.bridge.orders.OrderSettings;
import io.twsbridge.bridge.validation.InvalidSettingsException;
import io.twsbridge.client.registry.InvalidRegistryConfigException;
import io.twsbridge.client.registry.SchemaRegistryConfig;
import io.twsbridge.schema.catalogue.Topic;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Reads the bridge's configuration: a Java properties file (UTF-8), then {@code BRIDGE_*} environment variables
 * over it, validated all at once into a {@link LoadedConfig}.
 *
 * <h2>Keys</h2>
 * The bridge's own keys ({@link #keys()}, documented in {@code docs/configuration.md}) plus {@code kafka.<name>}
 * for any setting of Kafka's producer, consumer or admin client, passed to every client as {@code <name>}
 * (e.g. {@code kafka.security.protocol}). Settings the bridge fixes itself ({@code acks}, {@code group.id}, ...)
 * cannot be passed through. Any other key is a problem, with the nearest known key as a suggestion.
 *
 * <h2>Environment</h2>
 * Every key has exactly one variable: {@code BRIDGE_} then the key in upper case with {@code .} and {@code -} as
 * {@code _} ({@link #envName}): {@code gateway.host} is {@code BRIDGE_GATEWAY_HOST},
 * {@code kafka.sasl.jaas.config} is {@code BRIDGE_KAFKA_SASL_JAAS_CONFIG}. Because the set of keys is closed
 * (Kafka's client settings included), the mapping back from a variable to its key is unambiguous, so the
 * environment can set any key, including a Kafka client setting the file does not mention. A variable wins over
 * the file. {@code BRIDGE_*} variables that name no key are ignored and reported as {@link LoadedConfig#warnings()}
 * (a platform may set its own, e.g. Kubernetes' {@code <SERVICE>_PORT}); {@link #NOT_SETTINGS} are not even
 * warned about.
 *
 * <h2>Values</h2>
 * Trimmed, then {@code ${file:PATH}} and {@code ${file:PATH:KEY}} references are replaced by what the file holds
 * ({@link FileReferences}), in a value from the file or from the environment alike. Durations: ISO-8601 ({@code PT5S}) or an integer with a unit ({@code 200ms}, {@code 5s}, {@code 10m},
 * {@code 2h}, {@code 1d}), or {@code 0}. Lists: comma-separated. Booleans: {@code true} or {@code false}. Sizes:
 * bytes, or with {@code KiB}/{@code MiB}/{@code GiB}.
 *
 * <h2>Problems</h2>
 * Unknown keys, keys set twice in the file, values that do not parse, Kafka's own check of pass-through values, and
 * the validation of every settings builder (each one is built even when another failed) are gathered into one
 * {@link ConfigException}, one line per problem, naming the key and the variable it came from. Secret values
 * ({@code registry.password}, Kafka's password-typed settings such as {@code sasl.jaas.config}, any key naming a
 * password or secret) and values read through a file reference are never quoted, and are masked in
 * {@link LoadedConfig#settings()}.
 *
 * <p>Stateless apart from the environment it was given; safe to use from any thread.
 */
public final class ConfigLoader {

    /** Prefix of every environment variable the loader reads. */
    public static final String ENV_PREFIX = "BRIDGE_";

    /**
     * {@code BRIDGE_*} variables that are read elsewhere and are not settings: the log level, the wire trace and
     * Kafka's own configuration dumps (logback.xml), and the crash-point hook of the crash tests.
     */
    public static final Set<String> NOT_SETTINGS = Set.of("BRIDGE_LOG_LEVEL", "BRIDGE_WIRE_TRACE",
            "BRIDGE_KAFKA_CONFIG_LOG", "BRIDGE_KAFKA_LOG", "BRIDGE_CRASH_AT", "BRIDGE_TEST_LOG_LEVEL");

    static final String KAFKA_PREFIX = "kafka.";

    /** Values shorter than this are not scrubbed from messages: replacing "a" everywhere would garble them. */
    private static final int SHORTEST_SCRUBBED_SECRET = 4;

    /** Every key that has a variable, by variable: the bridge's keys and {@code kafka.<client setting>}. */
    private static final Map<String, String> KEY_BY_ENV = keysByEnv();

    private final Map<String, String> environment;

    /**
     * @param environment the process environment ({@code System.getenv()}), or any map in tests; only
     *                    {@code BRIDGE_*} entries are read
     */
    public ConfigLoader(Map<String, String> environment) {
        this.environment = Map.copyOf(Objects.requireNonNull(environment, "environment"));
    }

    /** A loader over this process's environment. */
    public static ConfigLoader fromSystemEnvironment() {
        return new ConfigLoader(System.getenv());
    }

    /**
     * Loads {@code file} (a properties file in UTF-8) with the environment over it.
     *
     * @throws ConfigException listing every problem, or the one reason the file cannot be read
     */
    public LoadedConfig load(Path file) throws ConfigException {
        String source = file + " and " + ENV_PREFIX + "* environment variables";
        StrictProperties properties = new StrictProperties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            // IllegalArgumentException: a malformed \\uXXXX escape. MalformedInputException: not UTF-8.
            throw new ConfigException(source, List.of("cannot read " + file + ": " + describe(e)));
        }
        Map<String, String> values = new LinkedHashMap<>();
        properties.stringPropertyNames().stream().sorted().forEach(k -> values.put(k, properties.getProperty(k)));
        return load(values, source, properties.duplicates);
    }

    /** Defaults and the environment only, for running without a file. */
    public LoadedConfig loadWithoutFile() throws ConfigException {
        return load(Map.of(), "defaults and " + ENV_PREFIX + "* environment variables");
    }

    /**
     * Loads {@code properties} (as a file would hold them) with the environment over them.
     *
     * @param source what the properties are, for the exception's message (e.g. a file name)
     */
    public LoadedConfig load(Map<String, String> properties, String source) throws ConfigException {
        return load(properties, source, Set.of());
    }

    /** The bridge's own keys, in documentation order; {@code kafka.<name>} pass-through keys come on top. */
    public static List<String> keys() {
        return List.copyOf(Settings.BY_KEY.keySet());
    }

    /** The key of {@code topic}'s name: {@code topics.commands}, ..., {@code topics.commands-dlq}. */
    public static String topicKey(Topic topic) {
        return Settings.topicKey(topic);
    }

    /** The environment variable of {@code key}: {@code gateway.zombie-probe} → {@code BRIDGE_GATEWAY_ZOMBIE_PROBE}. */
    public static String envName(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private LoadedConfig load(Map<String, String> fileValues, String source, Set<String> duplicates)
            throws ConfigException {
        List<Problem> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (String key : duplicates) {
            problems.add(new Problem(key, key + ": set more than once in the file"));
        }

        // Key -> value, and key -> the variable that set it. The file first, the environment over it.
        Map<String, String> values = new TreeMap<>();
        Map<String, String> fromEnv = new HashMap<>();
        fileValues.forEach((k, v) -> values.put(k.trim(), v == null ? "" : v.trim()));
        new TreeMap<>(environment).forEach((name, value) -> {
            if (!name.startsWith(ENV_PREFIX) || NOT_SETTINGS.contains(name)) {
                return;
            }
            String key = KEY_BY_ENV.get(name);
            if (key == null) {
                warnings.add(name + " names no setting and is ignored"
                        + Suggestions.closest(name, KEY_BY_ENV.keySet()).map(s -> "; did you mean " + s + "?").orElse(""));
                return;
            }
            values.put(key, value.trim());
            fromEnv.put(key, name);
        });

        // ${file:...} references, resolved before anything reads the values. What a file holds is treated as a
        // secret whatever the key: never quoted, scrubbed from messages, masked in the printed settings.
        Set<String> fromFiles = new TreeSet<>();
        Set<String> unresolved = new TreeSet<>();
        List<String> fileTexts = new ArrayList<>();
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (!FileReferences.hasReference(e.getValue())) {
                continue;
            }
            fromFiles.add(e.getKey());
            try {
                FileReferences.Resolved resolved = FileReferences.resolve(e.getValue());
                e.setValue(resolved.value());
                fileTexts.addAll(resolved.insertedTexts());
            } catch (FileReferences.UnresolvableReference unresolvable) {
                problems.add(new Problem(e.getKey(), e.getKey() + ": " + unresolvable.getMessage()));
                unresolved.add(e.getKey());
            }
        }

        Draft draft = new Draft();
        values.forEach((key, value) -> {
            // A value that failed to resolve is not applied: its reference text is nobody's value.
            if (!unresolved.contains(key)) {
                apply(draft, key, value, !fromFiles.contains(key), problems);
            }
        });

        GatewayConfig gateway = build(problems, () -> draft.gateway.syncTimeouts(draft.syncTimeouts()).build());
        KafkaSettings kafka = build(problems, () -> draft.kafka.clientProperties(draft.clientProperties).build());
        SchemaRegistryConfig registry = build(problems,
                () -> draft.registry.basicAuth(draft.registryUser, draft.registryPassword).build());
        OrderSettings orders = build(problems, draft.orders::build);
        FailoverSettings failover = build(problems, draft.failover::build);
        ContractSettings contracts = build(problems, draft.contracts::build);
        HistorySettings history = build(problems, draft.history::build);
        HttpSettings http = build(problems, () -> new HttpSettings(draft.httpHost, draft.httpPort));
        if (kafka != null && orders != null) {
            checkJournalTopic(kafka, orders, problems);
        }
        if (kafka != null && orders != null && gateway != null && failover != null && failover.enabled()) {
            checkFailover(gateway, kafka, orders, failover, problems, warnings);
        }

        List<String> secrets = new ArrayList<>();
        values.forEach((key, value) -> {
            if (Settings.isSecret(key) || fromFiles.contains(key)) {
                secrets.add(value);
            }
        });
        secrets.addAll(fileTexts);
        // Longest first, so that a secret containing another is replaced whole.
        secrets.removeIf(secret -> secret.length() < SHORTEST_SCRUBBED_SECRET);
        secrets.sort(Comparator.comparingInt(String::length).reversed());
        if (!problems.isEmpty()) {
            List<String> lines = problems.stream()
                    .sorted(Comparator.comparing(Problem::key, Comparator.nullsLast(Comparator.naturalOrder())))
                    .map(p -> p.key() != null && fromEnv.containsKey(p.key())
                            ? p.text() + " [from " + fromEnv.get(p.key()) + "]"
                            : p.text())
                    .map(line -> scrub(line, secrets))
                    .toList();
            throw new ConfigException(source, lines, warnings.stream().map(w -> scrub(w, secrets)).toList());
        }

        BridgeConfig bridge = new BridgeConfig(gateway, kafka, registry, draft.zombieProbe.probe(), orders, failover,
                contracts, history);
        Resolved resolved = new Resolved(bridge, http, Optional.ofNullable(draft.logFile), draft.zombieProbe);
        return new LoadedConfig(bridge, http, resolved.logFile(), render(resolved, draft.clientProperties, fromFiles),
                warnings.stream().map(w -> scrub(w, secrets)).toList());
    }

    /**
     * One key's value into the draft, or a problem. {@code quotable} is false for a value read from a file, which
     * a problem must not quote.
     */
    private static void apply(Draft draft, String key, String value, boolean quotable, List<Problem> problems) {
        Setting<?> setting = Settings.BY_KEY.get(key);
        if (setting != null) {
            try {
                setting.apply(draft, value);
            } catch (InvalidValue e) {
                // Secret settings are plain text and cannot fail to parse, so the value is never a secret here.
                problems.add(new Problem(key, key + ": " + (quotable ? "'" + value + "'" : "the value from its file")
                        + " " + e.getMessage()));
            }
            return;
        }
        if (key.startsWith(KAFKA_PREFIX)) {
            String name = key.substring(KAFKA_PREFIX.length());
            if (!KafkaClientKeys.isKnown(name)) {
                problems.add(new Problem(key, key + ": unknown setting: neither one of the bridge's nor a Kafka client"
                        + " setting" + suggestion(key)));
                return;
            }
            Optional<String> managed = KafkaClientKeys.managedReason(name);
            if (managed.isPresent()) {
                problems.add(new Problem(key, key + ": " + managed.get()));
                return;
            }
            Optional<String> invalid = KafkaClientKeys.check(name, value);
            if (invalid.isPresent()) {
                // Kafka's message quotes the value.
                problems.add(new Problem(key, key + ": " + (quotable ? invalid.get()
                        : "the value from its file is not valid for " + name)));
                return;
            }
            draft.clientProperties.put(name, value);
            return;
        }
        problems.add(new Problem(key, key + ": unknown setting" + suggestion(key)));
    }

    private static String suggestion(String key) {
        List<String> candidates = new ArrayList<>(Settings.BY_KEY.keySet());
        KafkaClientKeys.names().forEach(n -> candidates.add(KAFKA_PREFIX + n));
        return Suggestions.closest(key, candidates).map(s -> "; did you mean " + s + "?").orElse("");
    }

    /**
     * Builds one part; its problems, typed and keyed by the file's keys already, become the loader's, and the part
     * is null. Nothing is read out of message text.
     */
    private static <T> T build(List<Problem> problems, Supplier<T> builder) {
        try {
            return builder.get();
        } catch (InvalidSettingsException e) {
            e.problems().forEach(p -> problems.add(new Problem(p.key(), p.text())));
            return null;
        } catch (InvalidRegistryConfigException e) {
            // The registry's settings are validated by the registry client's own builder (module bridge-client).
            e.problems().forEach(p -> problems.add(new Problem(p.key(), p.text())));
            return null;
        }
    }

    /**
     * A standby bridge's lease topic is its own, and it uses one client id: with a fallback id, a new active
     * instance would open a second session beside a frozen predecessor's socket, which still holds the first id,
     * and could not cancel the orders placed under it. The bridge ignores the fallback ids then, and says so.
     */
    private static void checkFailover(GatewayConfig gateway, KafkaSettings kafka, OrderSettings orders,
                                      FailoverSettings failover, List<Problem> problems,
                                      List<String> warnings) {
        String lease = failover.leaseTopic();
        if (kafka.topicNames().containsValue(lease) || kafka.subscriptionsTopic().equals(lease)
                || orders.journalTopic().equals(lease)) {
            problems.add(new Problem("topics.leader", "topics.leader must differ from every other topic but was '"
                    + lease + "'"));
        }
        if (!gateway.fallbackClientIds().isEmpty()) {
            warnings.add("gateway.fallback-client-ids is ignored when failover.enabled is true: a new active instance"
                    + " waits for its predecessor's client id rather than open a second session beside it");
        }
    }

    /** The journal shares the topic namespace with the catalogue's topics, which KafkaSettings checks alone. */
    private static void checkJournalTopic(KafkaSettings kafka, OrderSettings orders, List<Problem> problems) {
        String journal = orders.journalTopic();
        List<String> clashes = new ArrayList<>();
        kafka.topicNames().forEach((t, name) -> {
            if (name.equals(journal)) {
                clashes.add(Settings.topicKey(t));
            }
        });
        if (kafka.subscriptionsTopic().equals(journal)) {
            clashes.add("topics.subscriptions");
        }
        if (!clashes.isEmpty()) {
            problems.add(new Problem("topics.order-journal", "topics.order-journal must differ from every other topic"
                    + " but '" + journal + "' is also " + String.join(", ", new TreeSet<>(clashes))));
        }
    }

    /**
     * Every setting in effect, secrets and values read from files masked: the bridge's keys in order, then the
     * pass-through ones.
     */
    private static Map<String, String> render(Resolved resolved, Map<String, String> clientProperties,
                                              Set<String> fromFiles) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Setting<?> s : Settings.ALL) {
            String value = s.render().apply(resolved);
            boolean hidden = s.secret() || fromFiles.contains(s.key());
            out.put(s.key(), hidden && !value.isEmpty() ? LoadedConfig.MASK : value);
        }
        clientProperties.forEach((name, value) -> out.put(KAFKA_PREFIX + name,
                KafkaClientKeys.isSecret(name) || fromFiles.contains(KAFKA_PREFIX + name) ? LoadedConfig.MASK : value));
        return out;
    }

    private static String scrub(String text, List<String> secrets) {
        String t = text;
        for (String secret : secrets) {
            t = t.replace(secret, LoadedConfig.MASK);
        }
        return t;
    }

    private static String describe(Exception e) {
        if (e instanceof CharacterCodingException) {
            return "not UTF-8 text";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static Map<String, String> keysByEnv() {
        Map<String, String> byEnv = new HashMap<>();
        List<String> all = new ArrayList<>(Settings.BY_KEY.keySet());
        KafkaClientKeys.names().forEach(n -> all.add(KAFKA_PREFIX + n));
        for (String key : all) {
            String previous = byEnv.putIfAbsent(envName(key), key);
            if (previous != null && !previous.equals(key)) {
                throw new IllegalStateException(key + " and " + previous + " share the variable " + envName(key));
            }
        }
        return Collections.unmodifiableMap(byEnv);
    }

    /** One problem; {@code key} is null when it concerns no single key. */
    private record Problem(String key, String text) {
    }

    /** Properties that remember which keys the file sets more than once (Properties keeps the last silently). */
    private static final class StrictProperties extends Properties {
        private static final long serialVersionUID = 1L;
        private final transient Set<String> duplicates = new TreeSet<>();

        @Override
        public synchronized Object put(Object key, Object value) {
            if (containsKey(key)) {
                duplicates.add(String.valueOf(key));
            }
            return super.put(key, value);
        }
    }
}
