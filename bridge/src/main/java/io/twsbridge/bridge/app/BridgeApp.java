package io.twsbridge.bridge.app;

import io.twsbridge.bridge.app.http.LiveBridgeView;
import io.twsbridge.bridge.app.http.ManagementServer;
import io.twsbridge.bridge.app.http.ManagementSettings;
import io.twsbridge.bridge.app.metrics.BridgeMetrics;
import io.twsbridge.bridge.commands.CommandDispatcher;
import io.twsbridge.bridge.commands.CommandExecutor;
import io.twsbridge.bridge.commands.GatewayRequests;
import io.twsbridge.bridge.commands.SubscriptionStore;
import io.twsbridge.bridge.events.EventMapper;
import io.twsbridge.bridge.events.EventMapperConfig;
import io.twsbridge.bridge.events.Instruments;
import io.twsbridge.bridge.events.SessionView;
import io.twsbridge.bridge.failover.FailoverSettings;
import io.twsbridge.bridge.failover.FailoverStatus;
import io.twsbridge.bridge.failover.LeaderElector;
import io.twsbridge.bridge.failover.LeaderLease;
import io.twsbridge.bridge.failover.StandbyStatus;
import io.twsbridge.bridge.failover.StateFollower;
import io.twsbridge.bridge.gateway.GatewayService;
import io.twsbridge.bridge.gateway.session.GatewaySession;
import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.gateway.transport.LinkPermit;
import io.twsbridge.bridge.kafka.KafkaHealth;
import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.bridge.kafka.StateRestorer;
import io.twsbridge.bridge.kafka.consume.CommandConsumer;
import io.twsbridge.bridge.kafka.publish.EventPublisher;
import io.twsbridge.bridge.kafka.publish.Producers;
import io.twsbridge.bridge.kafka.registry.CompatibilityLevel;
import io.twsbridge.bridge.kafka.registry.RegistryStartup;
import io.twsbridge.bridge.kafka.registry.SchemaRegistrar;
import io.twsbridge.bridge.kafka.registry.SchemaRegistryClient;
import io.twsbridge.bridge.kafka.serde.AvroWireDeserializer;
import io.twsbridge.bridge.kafka.serde.AvroWireSerializer;
import io.twsbridge.bridge.kafka.topics.TopicProvisioner;
import io.twsbridge.bridge.orders.GatewayOrderView;
import io.twsbridge.bridge.orders.Guardrails;
import io.twsbridge.bridge.orders.JournalEntry;
import io.twsbridge.bridge.orders.LastPrices;
import io.twsbridge.bridge.orders.OrderJournal;
import io.twsbridge.bridge.orders.OrderService;
import io.twsbridge.bridge.status.StatusReporter;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.Instrument;
import io.twsbridge.schema.catalogue.CleanupPolicy;
import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.schema.state.OrderJournalEntry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One bridge, wired: topics, schemas, the producer, the Gateway session with its supervisor, the event mapper,
 * the command consumer and the status reporter. {@link #prepare()} creates the topics and the clients the
 * management endpoint reports on; {@link #start()} (preparing first if needed) registers the schemas and brings
 * the rest up in dependency order. It fails fast with a clear message on what waiting cannot cure (a missing
 * broker, an incompatible schema), and waits, live but not ready, for a schema registry that does not answer
 * ({@link RegistryStartup}). {@link #close()} takes everything down in reverse, closing the Gateway link cleanly
 * and flushing what was published.
 */
public final class BridgeApp implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BridgeApp.class);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    /** How long start-up waits for partition leaders: a broker that just started elects them in seconds. */
    private static final Duration LEADER_WAIT = Duration.ofSeconds(60);

    private final BridgeConfig config;
    private final Clock clock;
    private Admin admin;
    private KafkaHealth kafkaHealth;
    private SchemaRegistryClient registry;
    private EventPublisher publisher;
    private GatewayService gateway;
    private EventMapper mapper;
    private StatusReporter status;
    private CommandConsumer commands;
    private OrderService orders;
    private Guardrails guardrails;
    private boolean prepared;
    private final RegistryStartup registryStartup;
    private final BridgeMetrics metrics = new BridgeMetrics();
    private ManagementServer management;
    private AvroWireSerializer serializer;

    // ---- standby bridges (failover): see the failover package and docs/failover.md --------------------------------
    private final FailoverSettings failover;
    private final LeaderLease lease;
    private LeaderElector elector;
    private StateFollower follower;
    private EventPublisher standbyPublisher;
    private StandbyStatus standbyStatus;
    private volatile FailoverStatus.Role role;
    private volatile Instant roleSince;
    private volatile String lastChange = "";
    private volatile long takeovers;
    private volatile long lastTakeoverMs = -1;
    private volatile boolean deposed;
    private final CompletableFuture<String> deposedBecause = new CompletableFuture<>();
    private Duration standAfter = Duration.ZERO;
    private volatile Thread takeoverThread;
    /** While start-up waits for partition leaders: what it waits for. */
    private volatile String leaderWait;

    public BridgeApp(BridgeConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.registryStartup = new RegistryStartup(config.registry(), clock);
        this.failover = config.failover();
        this.lease = new LeaderLease(failover.leaseDuration(), System::nanoTime);
    }

    /**
     * Creates the topics and every client the management endpoint reports on; calls no schema registry and
     * connects to no Gateway. {@link #startManagement} may follow at once, so that an orchestrator sees the bridge
     * live (and why it is not ready) while {@link #start()} waits. Does nothing the second time.
     */
    public synchronized void prepare() throws InterruptedException {
        if (prepared) {
            return;
        }
        KafkaSettings kafka = config.kafka();
        admin = Admin.create(kafka.adminConfig());
        List<TopicProvisioner.Wanted> topics = new ArrayList<>(TopicProvisioner.wanted(kafka));
        topics.add(new TopicProvisioner.Wanted(config.orders().journalTopic(), 1, kafka.replicationFactor(),
                CleanupPolicy.COMPACT));
        if (failover.enabled()) {
            // One partition, never written: its owner in the lease group is the active instance.
            topics.add(new TopicProvisioner.Wanted(failover.leaseTopic(), 1, kafka.replicationFactor(),
                    CleanupPolicy.DELETE));
        }
        List<String> warnings = new TopicProvisioner(admin, ADMIN_TIMEOUT).ensure(topics);
        warnings.forEach(w -> log.warn("topic check: {}", w));

        registry = new SchemaRegistryClient(config.registry());
        serializer = new AvroWireSerializer(registry);
        kafkaHealth = new KafkaHealth(admin, Duration.ofSeconds(2));
        kafkaHealth.start();
        if (!failover.enabled()) {
            publisher = new EventPublisher(kafka, () -> Producers.plain(kafka), serializer::serialize,
                    clock, new EventPublisher.Watchdog(kafkaHealth::reachable, System::nanoTime));
            publisher.setPublishObserver(metrics);
        }

        // With standbys, one client id only: a new active instance waits for its predecessor's (see docs/failover.md).
        gateway = failover.enabled()
                ? new GatewayService(config.gateway().toBuilder().fallbackClientIds(List.of()).build(),
                        config.zombieProbe(), clock, lease)
                : new GatewayService(config.gateway(), config.zombieProbe(), clock, LinkPermit.ALWAYS);
        guardrails = new Guardrails(config.orders());
        prepared = true;
    }

    /**
     * Prepares (if not done), registers every schema, waiting as long as the registry does not answer, then loads
     * the state topics and starts the Gateway session, the event mapper, the status reporter and the command
     * consumer.
     *
     * @throws java.util.concurrent.CancellationException when {@link #close()} is called while it waits
     */
    public void start() throws InterruptedException {
        prepare();
        KafkaSettings kafka = config.kafka();
        registryStartup.run(this::registerSchemas);
        if (failover.enabled()) {
            startStandby();
            return;
        }
        awaitPartitionLeaders(publisher);
        startActive(stateRestorer().read(kafka, ADMIN_TIMEOUT));
    }

    /**
     * Waits until {@code p}'s producer knows a leader for every partition this bridge writes, reporting the wait
     * in readiness and {@code /status}; fails start-up, naming the partitions, after {@link #LEADER_WAIT}.
     */
    private void awaitPartitionLeaders(EventPublisher p) throws InterruptedException {
        try {
            p.awaitPartitionLeaders(writtenTopics(), LEADER_WAIT, missing -> {
                leaderWait = "waiting for Kafka to elect partition leaders: " + String.join(", ", missing);
                log.info("start-up: {}", leaderWait);
            });
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot start: " + e.getMessage()
                    + "; publishing to a partition without a leader could lose its first records (KAFKA-15591)", e);
        } finally {
            leaderWait = null;
        }
    }

    /** What start-up waits for (the schema registry, partition leaders), or empty. */
    private Optional<String> startupWait() {
        String leaders = leaderWait;
        return leaders != null ? Optional.of(leaders) : registryStartup.waitingFor();
    }

    /** The topics this bridge writes, whose partitions' leaders the producer knows before the first record. */
    private List<String> writtenTopics() {
        List<String> written = new ArrayList<>(config.kafka().topicNames().values());
        written.add(config.kafka().subscriptionsTopic());
        written.add(config.orders().journalTopic());
        return written;
    }

    /**
     * Everything that only the active instance runs, from the restored state: the event mapper, the order
     * service, the status reporter, the Gateway session and the command consumer.
     */
    private StateRestorer stateRestorer() {
        return new StateRestorer(config.kafka().subscriptionsTopic(), config.orders().journalTopic(), registry);
    }

    private void startActive(StateRestorer.Restored state) {
        List<Instrument> subscriptions = state.subscriptions();
        List<JournalEntry> restored = state.journal();
        KafkaSettings kafka = config.kafka();
        GatewaySession session = gateway.session();
        mapper = new EventMapper(publisher, SessionView.of(session), gateway.eventLoop(),
                EventMapperConfig.defaults(kafka.bridgeId()).withQuoteConflationWindow(kafka.quoteConflationWindow()));
        session.addListener(mapper);
        for (Instrument i : subscriptions) {
            session.subscribeMarketData(Instruments.toContract(i));
        }
        String journalTopic = config.orders().journalTopic();
        OrderJournal journal = new OrderJournal(restored, e -> publisher.sendToTopic(journalTopic, e.commandId(),
                OrderJournal.toRecord(e, kafka.bridgeId())));
        // The view must hear the sync's orders before the service reconciles at READY: listeners run in order.
        GatewayOrderView view = new GatewayOrderView();
        session.addListener(view);
        LastPrices lastPrices = new LastPrices(session.subscriptions());
        session.addListener(lastPrices);
        orders = new OrderService(config.orders(), guardrails, journal, view, session, clock,
                lastPrices::price);
        session.addListener(orders);
        SubscriptionStore store = new SubscriptionStore(kafka.subscriptionsTopic(), publisher::sendToTopic);
        GatewayRequests requests = new GatewayRequests(session, kafka.requestTimeout());
        CommandExecutor executor = new CommandDispatcher(session, requests, store, kafka.marketDataLineLimit(),
                config.gateway().accountSummaryTags(), orders);

        status = new StatusReporter(publisher, session, gateway.eventLoop(), kafka.bridgeId(), kafka.heartbeatInterval(),
                kafkaHealth::reachable, publisher::quotesShed, failover.enabled() ? failover.instanceId() : null);
        gateway.supervisor().addStatusListener(status::onStatus);
        status.start();
        gateway.start();

        AvroWireDeserializer<Command> commandDecoder = new AvroWireDeserializer<>(Command.class, registry);
        commands = new CommandConsumer(kafka, CommandConsumer.createConsumer(kafka), commandDecoder::deserialize,
                value -> commandDecoder.readWriterStringField(value, "commandId"), executor, publisher, this::ready, clock);
        commands.setCommandObserver(metrics);
        metrics.bindGateway(gateway).bindPublisher(publisher, kafka).bindKafkaReachable(kafkaHealth::reachable)
                .bindReady(this::ready).bindMapper(mapper.counters())
                .bindKillSwitch(orders.guardrails()::killSwitchEngaged);
        commands.start();
        log.info("bridge {} started: commands from {}, events to {}", kafka.bridgeId(), kafka.topic(Topic.COMMANDS),
                kafka.topicNames().values());
    }

    // ---- standby bridges ----------------------------------------------------------------------------------------

    /**
     * A standby instance: follows the state topics, publishes its STANDBY heartbeat and joins the election; the
     * rest starts when it wins ({@link #takeOver}).
     */
    private void startStandby() {
        KafkaSettings kafka = config.kafka();
        setRole(FailoverStatus.Role.STANDBY, "joined the election");
        metrics.bindFailover(this::failoverStatus, () -> publisher == null ? 0 : publisher.refused())
                .bindReady(this::ready).bindKafkaReachable(kafkaHealth::reachable);
        follower = new StateFollower(new KafkaConsumer<>(kafka.stateReaderConfig()),
                List.of(kafka.subscriptionsTopic(), config.orders().journalTopic()), ADMIN_TIMEOUT);
        follower.start();
        standbyPublisher = EventPublisher.forStandby(kafka, Producers.plain(kafka), serializer::serialize,
                clock, failover.instanceId());
        standbyStatus = new StandbyStatus(standbyPublisher, kafka.bridgeId(), failover.instanceId(),
                kafka.heartbeatInterval(), clock);
        standbyStatus.start();
        elector = new LeaderElector(failover, new KafkaConsumer<>(LeaderElector.consumerConfig(kafka.clientConfig(),
                kafka.bridgeId(), failover)), lease, new LeaderElector.Listener() {
                    @Override
                    public void elected() {
                        Thread t = new Thread(BridgeApp.this::takeOver, "takeover");
                        t.setDaemon(true);
                        takeoverThread = t;
                        t.start();
                    }

                    @Override
                    public void deposed(String reason) {
                        onDeposed(reason);
                    }
                }, System::nanoTime);
        elector.start(standAfter);
        log.info("standby: instance {} of bridge {} is a STANDBY (session timeout {} ms, lease {} ms)",
                failover.instanceId(), kafka.bridgeId(), failover.sessionTimeout().toMillis(),
                failover.leaseDuration().toMillis());
    }

    /**
     * Won the election: fences the previous active instance (initialising the transactional producer that all
     * instances share aborts its open transaction and rejects its later writes), reads the state topics to their
     * end, and starts everything the active instance runs. Any failure deposes this instance, which then
     * restarts as a standby.
     */
    private void takeOver() {
        long wonAt = System.nanoTime();
        KafkaSettings kafka = config.kafka();
        try {
            if (!failover.takeoverDelay().isZero()) {
                try {
                    deposedBecause.get(failover.takeoverDelay().toMillis(), TimeUnit.MILLISECONDS);
                    return; // deposed while waiting
                } catch (TimeoutException e) {
                    // the delay is over
                }
            }
            if (!lease.holds() || deposed) {
                return;
            }
            setRole(FailoverStatus.Role.TAKING_OVER, "won the election");
            standbyStatus.close();
            standbyPublisher.close();
            EventPublisher fenced = new EventPublisher(kafka, Producers.transactional(kafka,
                    transactionalId(kafka.bridgeId()), transactionTimeout()), serializer::serialize, clock,
                    new EventPublisher.Fencing(failover.instanceId(), failover.commitInterval(), lease,
                            this::fencedByKafka));
            publisher = fenced;
            if (deposed) {
                fenced.abandon("deposed while taking over");
                return;
            }
            fenced.setPublishObserver(metrics);
            awaitPartitionLeaders(fenced);
            fenced.sendToTopic(kafka.topic(Topic.STATUS), StandbyStatus.key(kafka.bridgeId(), failover.instanceId()), null);
            Map<String, List<byte[]>> state = follower.catchUp(System::nanoTime);
            StateRestorer.Restored restored = stateRestorer().decode(state);
            synchronized (this) {
                if (deposed || !lease.holds()) {
                    return;
                }
                startActive(restored);
            }
            lastTakeoverMs = (System.nanoTime() - wonAt) / 1_000_000;
            takeovers++;
            setRole(FailoverStatus.Role.ACTIVE, "took over in " + lastTakeoverMs + " ms");
            log.warn("standby: instance {} is ACTIVE: took over in {} ms (previous instance fenced; {} subscription(s) "
                    + "and {} journal entries restored); connecting to the Gateway", failover.instanceId(),
                    lastTakeoverMs, restored.subscriptions().size(), restored.journal().size());
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            log.error("standby: taking over failed; this instance steps down and starts again as a standby", e);
            elector.resign("taking over failed: " + e);
        }
    }

    /**
     * Lost the leadership. The lease is already revoked, so the Gateway writer and the publisher refuse from here
     * on; this closes the Gateway link at once, without a word to the Gateway (the next active instance needs
     * the client id free), and drops what the publisher still holds. {@link #awaitDeposed()} returns; the owner
     * then closes this bridge and starts a new standby in its place.
     */
    private synchronized void onDeposed(String reason) {
        if (deposed) {
            return;
        }
        deposed = true;
        setRole(FailoverStatus.Role.DEPOSED, reason);
        gateway.supervisor().stop();
        gateway.session().closeLink("this instance no longer leads: " + reason);
        EventPublisher p = publisher;
        if (p != null) {
            p.abandon("this instance no longer leads: " + reason);
        }
        log.warn("standby: instance {} DEPOSED ({}): the Gateway link is closed with nothing more sent, and nothing more"
                + " is produced", failover.instanceId(), reason);
        deposedBecause.complete(reason);
    }

    /** Kafka fenced this instance's producer: another instance has taken over. */
    private void fencedByKafka(String why) {
        elector.resign("Kafka fenced this instance's producer (" + why + ")");
    }

    /** The transactional id every instance of a bridge shares: the next one to initialise it fences the rest. */
    static String transactionalId(String bridgeId) {
        return bridgeId + "-events";
    }

    /** A transaction Kafka heard nothing of for this long is aborted: well past the commit interval and a lease. */
    private Duration transactionTimeout() {
        Duration t = failover.sessionTimeout().multipliedBy(6);
        return t.compareTo(Duration.ofMinutes(1)) < 0 ? Duration.ofMinutes(1) : t;
    }

    private void setRole(FailoverStatus.Role next, String why) {
        role = next;
        roleSince = clock.instant();
        lastChange = why;
    }

    /**
     * For a standby that replaces a deposed one in the same process: it follows the state topics at once but
     * stands for election only after {@code delay}, giving the other instances their turn. Call before
     * {@link #start()}.
     */
    public void standAfter(Duration delay) {
        this.standAfter = delay;
    }

    /** This instance's part in the election; null when the bridge runs alone. */
    public FailoverStatus failoverStatus() {
        if (!failover.enabled()) {
            return null;
        }
        FailoverStatus.Role r = role;
        return new FailoverStatus(failover.instanceId(), r == null ? FailoverStatus.Role.STANDBY : r, roleSince,
                lease.remaining().toMillis(), lastChange, takeovers, lastTakeoverMs);
    }

    /**
     * Blocks until this instance is deposed (standby bridges only) and returns why. It never returns for a bridge
     * that runs alone.
     */
    public String awaitDeposed() throws InterruptedException {
        try {
            return deposedBecause.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Every value schema under its subject, each at BACKWARD_TRANSITIVE, the level the build's guard enforces
     * against every release: stricter than BACKWARD, so the registry refuses exactly what the build would.
     */
    private void registerSchemas() {
        KafkaSettings kafka = config.kafka();
        new SchemaRegistrar(registry, CompatibilityLevel.BACKWARD_TRANSITIVE).registerAll(kafka.topicNames());
        String subscriptionsSubject = kafka.subscriptionsTopic() + "-value";
        registry.register(subscriptionsSubject, Instrument.getClassSchema());
        registry.setCompatibility(subscriptionsSubject, CompatibilityLevel.BACKWARD_TRANSITIVE);
        String journalSubject = config.orders().journalTopic() + "-value";
        registry.register(journalSubject, OrderJournalEntry.getClassSchema());
        registry.setCompatibility(journalSubject, CompatibilityLevel.BACKWARD_TRANSITIVE);
    }

    /**
     * Starts the management HTTP endpoint (health, status, metrics, the run-time kill switch) after
     * {@link #prepare()}: while {@link #start()} waits for the schema registry, readiness and {@code /status} say so.
     */
    public synchronized URI startManagement(String host, int port) throws IOException {
        if (gateway == null) {
            throw new IllegalStateException("prepare() the bridge before starting its management HTTP");
        }
        if (management != null) {
            throw new IllegalStateException("management HTTP already runs at " + management.uri());
        }
        management = ManagementServer.start(
                ManagementSettings.of(host, port),
                new LiveBridgeView(config.kafka().bridgeId(), gateway, kafkaHealth::reachable,
                        () -> publisher == null ? 0 : publisher.quotesShed(), guardrails, this::startupWait,
                        this::failoverStatus, () -> publisher == null ? null : publisher.health()), metrics::scrape);
        return management.uri();
    }

    /** Ready: the Gateway session is READY and Kafka answers (and, with standbys, this instance leads). */
    public boolean ready() {
        return gateway != null && gateway.session().state() == SessionState.READY
                && kafkaHealth != null && kafkaHealth.reachable()
                && (!failover.enabled() || role == FailoverStatus.Role.ACTIVE && lease.holds());
    }

    public GatewayService gateway() {
        return gateway;
    }

    public EventPublisher publisher() {
        return publisher;
    }

    public EventMapper mapper() {
        return mapper;
    }

    public CommandConsumer commands() {
        return commands;
    }

    public OrderService orders() {
        return orders;
    }

    public SchemaRegistryClient registry() {
        return registry;
    }

    /**
     * Takes everything down in reverse. The active instance of a standby bridge closes its Gateway link cleanly
     * and commits what it published while it still holds the lease, and only then leaves the election, so that
     * the next instance is elected at once rather than after a session timeout.
     */
    @Override
    public void close() {
        registryStartup.cancel();
        if (management != null) {
            management.close();
        }
        Thread takeover = takeoverThread;
        if (takeover != null && takeover.isAlive()) {
            // Closing in the middle of a takeover: it stops at its next check, before it starts anything more.
            lease.revoke("shutting down");
            try {
                takeover.join(Duration.ofSeconds(30).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (standbyStatus != null) {
            standbyStatus.close();
        }
        if (standbyPublisher != null) {
            standbyPublisher.close();
        }
        if (follower != null) {
            follower.close();
        }
        if (commands != null) {
            commands.close();
        }
        if (status != null) {
            status.stop();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (mapper != null) {
            mapper.flush();
        }
        if (publisher != null) {
            publisher.flush();
            publisher.close();
        }
        if (elector != null) {
            elector.close();
        }
        if (kafkaHealth != null) {
            kafkaHealth.close();
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        metrics.close();
    }
}
