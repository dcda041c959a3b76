package io.twsbridge.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka broker, running in this JVM as one combined KRaft broker and controller on
 * 127.0.0.1, for integration tests and the demo. It is test and demo infrastructure: the
 * production bridge never depends on it.
 *
 * <p>Life cycle: {@link #start()} formats the log dir on first use and returns once the broker is
 * STARTED; {@link #awaitReady(Duration)} then waits until it answers an Admin request.
 * {@link #stop()} shuts the broker down and frees its ports; {@link #start()} again brings it back
 * on the <em>same</em> ports and log dir, so records written before the stop are still there (this
 * is how tests simulate a Kafka outage). {@link #close()} stops it and deletes the temporary log
 * dir (a log dir given in the configuration is kept).
 *
 * <p>Ports: a port configured as 0 is chosen once, at construction, by binding
 * {@code new ServerSocket(0, 1, loopback)} and closing it; another process could take it before
 * the broker binds it, in which case {@link #start()} fails with the bind error.
 *
 * <p>Logging: the broker logs through SLF4J (and its log-level endpoint through the log4j2 API,
 * routed to SLF4J by log4j-to-slf4j), so it ends up in the application's logback. Before the
 * first start the broker's loggers ({@link BrokerLogging#BROKER_LOGGERS}) get the configured level,
 * WARN by default, unless the logback configuration gives them one itself.
 *
 * <p>Threading: all methods may be called from any thread; the life-cycle methods are serialised.
 * {@link #start()} and {@link #stop()} block for the broker's start-up and shutdown (seconds).
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final int NODE_ID = 1;
    private static final String CLIENT_LISTENER = "CLIENT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String LOOPBACK = "127.0.0.1";

    private enum State { NEW, RUNNING, STOPPED, CLOSED }

    private final EmbeddedKafkaConfig config;
    private final int brokerPort;
    private final int controllerPort;
    private final Path logDir;
    /** The temporary directory this instance created and deletes on close; null for a given log dir. */
    private final Path ownedTempDir;

    private State state = State.NEW;
    private KafkaRaftServer server;
    private String clusterId;

    /**
     * Resolves the ports and the log dir; does not start the broker.
     *
     * @throws UncheckedIOException if no free port or temporary directory can be had
     */
    public EmbeddedKafka(EmbeddedKafkaConfig config) {
        this.config = config;
        this.brokerPort = config.brokerPort() != 0 ? config.brokerPort() : freeLoopbackPort();
        int cport = config.controllerPort() != 0 ? config.controllerPort() : freeLoopbackPort();
        while (cport == brokerPort) {
            cport = freeLoopbackPort();
        }
        this.controllerPort = cport;
        try {
            if (config.logDir().isPresent()) {
                this.ownedTempDir = null;
                this.logDir = config.logDir().get().toAbsolutePath();
            } else {
                this.ownedTempDir = Files.createTempDirectory("embedded-kafka-");
                this.logDir = ownedTempDir.resolve("data");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a temporary log dir for the embedded broker", e);
        }
    }

    /** Creates a broker with {@code config} and starts it; see {@link #start()}. */
    public static EmbeddedKafka start(EmbeddedKafkaConfig config) {
        EmbeddedKafka kafka = new EmbeddedKafka(config);
        try {
            kafka.start();
            return kafka;
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
    }

    /** Creates a broker with {@link EmbeddedKafkaConfig#defaults()} and starts it. */
    public static EmbeddedKafka startDefault() {
        return start(EmbeddedKafkaConfig.defaults());
    }

    /**
     * Starts the broker, formatting the log dir first if it holds no broker yet, and returns once
     * the broker is STARTED. After {@link #stop()} this restarts it on the same ports and log dir.
     * Does nothing if it is already running.
     *
     * @throws IllegalStateException after {@link #close()}, or if formatting or start-up fails
     *     (the partly started broker is shut down first)
     */
    public synchronized void start() {
        switch (state) {
            case RUNNING:
                return;
            case CLOSED:
                throw new IllegalStateException("EmbeddedKafka is closed");
            default:
                break;
        }
        BrokerLogging.applyDefaultLevel(config.brokerLogLevel());
        long t0 = System.nanoTime();
        Properties props = brokerProperties();
        clusterId = formatIfNeeded(props);
        KafkaRaftServer candidate = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        try {
            candidate.startup();
        } catch (RuntimeException e) {
            shutdownQuietly(candidate, e);
            throw new IllegalStateException("Embedded Kafka broker failed to start on "
                    + bootstrapServers() + " (controller port " + controllerPort + ", log dir "
                    + logDir + ")", e);
        }
        boolean restart = state == State.STOPPED;
        server = candidate;
        state = State.RUNNING;
        LOG.atInfo().setMessage("Embedded Kafka broker {} on {} in {} ms")
                .addArgument(restart ? "restarted" : "started")
                .addArgument(this::bootstrapServers)
                .addArgument(() -> TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0))
                .addKeyValue("clusterId", clusterId)
                .addKeyValue("logDir", logDir)
                .log();
    }

    /**
     * Waits until the broker answers a describe-cluster request and lists itself, using a
     * short-lived Admin client.
     *
     * @throws IllegalStateException if it is not ready within {@code timeout}, or not running
     */
    public void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Object> adminConfig = clientConfig();
        adminConfig.put(AdminClientConfig.CLIENT_ID_CONFIG, "embedded-kafka-ready-probe");
        adminConfig.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 50);
        adminConfig.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, 50);
        adminConfig.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
        Exception last = null;
        try (Admin admin = Admin.create(adminConfig)) {
            while (true) {
                synchronized (this) {
                    if (state != State.RUNNING) {
                        throw new IllegalStateException("EmbeddedKafka is " + state + ", not running");
                    }
                }
                long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (remainingMs <= 0) {
                    break;
                }
                DescribeClusterResult cluster = admin.describeCluster(
                        new DescribeClusterOptions().timeoutMs((int) Math.min(remainingMs, Integer.MAX_VALUE)));
                try {
                    if (cluster.nodes().get().stream().anyMatch(n -> n.id() == NODE_ID)
                            && cluster.controller().get() != null
                            && !cluster.controller().get().equals(Node.noNode())) {
                        return;
                    }
                    last = null;
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof RetriableException)) {
                        throw new IllegalStateException("Embedded Kafka broker on " + bootstrapServers()
                                + " refused the readiness probe", e.getCause());
                    }
                    last = e;
                }
                // The broker answered but is not complete yet (or a retriable error came back at
                // once): poll again shortly rather than spin.
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the embedded Kafka broker", e);
        }
        throw new IllegalStateException("Embedded Kafka broker on " + bootstrapServers()
                + " not ready within " + timeout, last);
    }

    /**
     * Shuts the broker down and waits until it has stopped and released its ports. The log dir is
     * kept, so {@link #start()} brings the same data back. Does nothing unless it is running.
     */
    public synchronized void stop() {
        if (state != State.RUNNING) {
            return;
        }
        long t0 = System.nanoTime();
        KafkaRaftServer stopping = server;
        server = null;
        state = State.STOPPED;
        stopping.shutdown();
        stopping.awaitShutdown();
        LOG.info("Embedded Kafka broker on {} stopped in {} ms", bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    /** Stops the broker if it runs and deletes the temporary log dir; idempotent. */
    @Override
    public synchronized void close() {
        if (state == State.CLOSED) {
            return;
        }
        try {
            stop();
        } finally {
            state = State.CLOSED;
            if (ownedTempDir != null) {
                deleteRecursively(ownedTempDir);
            }
        }
    }

    /** {@code 127.0.0.1:<brokerPort>}, for {@code bootstrap.servers}; known before the first start. */
    public String bootstrapServers() {
        return LOOPBACK + ":" + brokerPort;
    }

    /**
     * A new, mutable map with what a Kafka client needs to connect: {@code bootstrap.servers} and
     * the configured {@link EmbeddedKafkaConfig#clientProperties() client properties}.
     */
    public Map<String, Object> clientConfig() {
        Map<String, Object> client = new HashMap<>(config.clientProperties());
        client.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return client;
    }

    /** The client listener's port; the same across restarts. */
    public int brokerPort() {
        return brokerPort;
    }

    /** The controller listener's port; the same across restarts. */
    public int controllerPort() {
        return controllerPort;
    }

    /** The broker's data directory; the same across restarts. */
    public Path logDir() {
        return logDir;
    }

    /** The KRaft cluster id, known once the broker has been started. */
    public synchronized String clusterId() {
        return clusterId;
    }

    /** Whether the broker is started and not stopped. */
    public synchronized boolean isRunning() {
        return state == State.RUNNING;
    }

    /** The configuration this broker was created with. */
    public EmbeddedKafkaConfig config() {
        return config;
    }

    /** The complete broker configuration: the single-node defaults, then the extra properties. */
    Properties brokerProperties() {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", Integer.toString(NODE_ID));
        p.setProperty("controller.quorum.voters", NODE_ID + "@" + LOOPBACK + ":" + controllerPort);
        // A named client listener, so SASL or TLS later is a protocol-map override, not a rename.
        p.setProperty("listeners", CLIENT_LISTENER + "://" + LOOPBACK + ":" + brokerPort + ","
                + CONTROLLER_LISTENER + "://" + LOOPBACK + ":" + controllerPort);
        p.setProperty("advertised.listeners", CLIENT_LISTENER + "://" + LOOPBACK + ":"
                + (config.advertisedPort() != 0 ? config.advertisedPort() : brokerPort));
        p.setProperty("listener.security.protocol.map",
                CLIENT_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.setProperty("inter.broker.listener.name", CLIENT_LISTENER);
        p.setProperty("controller.listener.names", CONTROLLER_LISTENER);
        p.setProperty("log.dirs", logDir.toString());
        p.setProperty("num.partitions", Integer.toString(config.defaultPartitions()));
        p.setProperty("auto.create.topics.enable", Boolean.toString(config.autoCreateTopics()));
        // One node: every internal topic has one replica, and nothing waits for other members.
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "1");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("transaction.state.log.num.partitions", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("share.coordinator.state.topic.num.partitions", "1");
        p.setProperty("default.replication.factor", "1");
        p.setProperty("min.insync.replicas", "1");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        // A test broker on a 2-core machine: fewer threads, faster controlled shutdown.
        p.setProperty("num.network.threads", "2");
        p.setProperty("num.io.threads", "2");
        p.setProperty("background.threads", "2");
        p.setProperty("log.cleaner.threads", "1");
        p.setProperty("num.recovery.threads.per.data.dir", "1");
        config.brokerProperties().forEach(p::setProperty);
        return p;
    }

    /** Formats the log dir unless it already holds a broker; returns the cluster id either way. */
    private String formatIfNeeded(Properties props) {
        Path meta = logDir.resolve("meta.properties");
        if (Files.exists(meta)) {
            return readClusterId(meta);
        }
        String id = Uuid.randomUuid().toString();
        Path propsFile = null;
        try {
            Files.createDirectories(logDir);
            propsFile = Files.createTempFile("embedded-kafka-", ".properties");
            try (OutputStream out = Files.newOutputStream(propsFile)) {
                props.store(out, "embedded Kafka broker, for StorageTool format");
            }
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            int exit;
            try (PrintStream ps = new PrintStream(output, true, StandardCharsets.UTF_8)) {
                exit = StorageTool.execute(formatArguments(id, propsFile).toArray(String[]::new), ps);
            }
            String text = output.toString(StandardCharsets.UTF_8).strip();
            if (exit != 0) {
                throw new IllegalStateException("Kafka StorageTool format of " + logDir
                        + " exited with " + exit + ": " + text);
            }
            LOG.debug("Formatted {} for cluster {}: {}", logDir, id, text);
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot format the embedded broker's log dir " + logDir, e);
        } finally {
            if (propsFile != null) {
                deleteRecursively(propsFile);
            }
        }
    }

    /** The storage tool's format command, with the SCRAM users it writes into the metadata log. */
    private List<String> formatArguments(String clusterId, Path propsFile) {
        List<String> args = new ArrayList<>(List.of("format", "-t", clusterId, "-c", propsFile.toString()));
        for (EmbeddedKafkaConfig.ScramCredential c : config.scramCredentials()) {
            args.add("--add-scram");
            args.add(c.mechanism() + "=[name=" + c.user() + ",password=" + c.password() + "]");
        }
        return args;
    }

    private static String readClusterId(Path metaProperties) {
        Properties meta = new Properties();
        try (InputStream in = Files.newInputStream(metaProperties)) {
            meta.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + metaProperties, e);
        }
        return meta.getProperty("cluster.id");
    }

    private static void shutdownQuietly(KafkaRaftServer candidate, RuntimeException cause) {
        try {
            candidate.shutdown();
            candidate.awaitShutdown();
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port on the loopback interface", e);
        }
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    LOG.warn("Cannot delete {}: {}", path, e.toString());
                }
            });
        } catch (IOException e) {
            LOG.warn("Cannot delete {}: {}", root, e.toString());
        }
    }
}
