package io.twsbridge.bridge.app;

import io.twsbridge.bridge.app.http.LiveBridgeView;
import io.twsbridge.bridge.app.http.ManagementServer;
import io.twsbridge.bridge.app.http.ManagementSettings;
import io.twsbridge.bridge.app.metrics.BridgeMetrics;
import io.twsbridge.bridge.commands.CommandDispatcher;
import io.twsbridge.bridge.commands.CommandExecutor;
import io.twsbridge.bridge.commands.ExecutedCommands;
import io.twsbridge.bridge.commands.GatewayRequests;
import io.twsbridge.bridge.commands.SubscriptionStore;
import io.twsbridge.bridge.contracts.ContractCache;
import io.twsbridge.bridge.contracts.ContractLookup;
import io.twsbridge.bridge.contracts.ContractResolver;
import io.twsbridge.bridge.events.EventMapper;
import io.twsbridge.bridge.events.EventMapperConfig;
import io.twsbridge.bridge.events.Instruments;
import io.twsbridge.bridge.events.SessionView;
import io.twsbridge.bridge.failover.FailoverCoordinator;
import io.twsbridge.bridge.failover.FailoverSettings;
import io.twsbridge.bridge.failover.FailoverStatus;
import io.twsbridge.bridge.gateway.GatewayService;
import io.twsbridge.bridge.gateway.brokertime.BrokerClock;
import io.twsbridge.bridge.gateway.session.BarSubscription;
import io.twsbridge.bridge.gateway.session.GatewaySession;
import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.gateway.transport.LinkPermit;
import io.twsbridge.bridge.history.HistoricalBarsService;
import io.twsbridge.bridge.history.HistoricalRequests;
import io.twsbridge.bridge.history.pacing.HistoricalPacer;
import io.twsbridge.bridge.kafka.CommandHistory;
import io.twsbridge.bridge.kafka.KafkaHealth;
import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.bridge.kafka.RunningInstanceCheck;
import io.twsbridge.bridge.kafka.StateRestorer;
import io.twsbridge.bridge.kafka.consume.CommandAnswers;
import io.twsbridge.bridge.kafka.consume.CommandConsumer;
import io.twsbridge.bridge.kafka.consume.CommandResults;
import io.twsbridge.bridge.kafka.publish.EventPublisher;
import io.twsbridge.bridge.kafka.publish.Producers;
import io.twsbridge.bridge.kafka.registry.RegistryStartup;
import io.twsbridge.bridge.kafka.registry.SchemaRegistrar;
import io.twsbridge.bridge.kafka.topics.TopicProvisioner;
import io.twsbridge.bridge.lifecycle.CloseStack;
import io.twsbridge.bridge.orders.GatewayOrderView;
import io.twsbridge.bridge.orders.Guardrails;
import io.twsbridge.bridge.orders.JournalEntry;
import io.twsbridge.bridge.orders.LastPrices;
import io.twsbridge.bridge.orders.OrderJournal;
import io.twsbridge.bridge.orders.OrderService;
import io.twsbridge.bridge.status.StatusReporter;
import io.twsbridge.client.registry.CompatibilityLevel;
import io.twsbridge.client.registry.SchemaRegistryClient;
import io.twsbridge.client.serde.AvroWireDeserializer;
import io.twsbridge.client.serde.AvroWireSerializer;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.GatewayStatus;
import io.twsbridge.schema.Instrument;
import io.twsbridge.schema.SubscribeBars;
import io.twsbridge.schema.catalogue.CleanupPolicy;
import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.schema.state.OrderJournalEntry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * One bridge, wired: topics, schemas, the producer, the Gateway session with its supervisor, the event mapper,
 * the command consumer and the status reporter. {@link #prepare()} creates the topics and the clients the
 * management endpoint reports on; {@link #start()} (preparing first if needed) registers the schemas and brings
 * the rest up in dependency order. It fails fast with a clear message on what waiting cannot cure (a missing
 * broker, an incompatible schema), and waits, live but not ready, for a schema registry that does not answer
 * ({@link RegistryStartup}). With standbys, a {@link FailoverCoordinator} joins the election, takes over and
 * steps down; this class starts what it asks for. {@link #close()} takes everything down, closing the Gateway
 * link cleanly and flushing what was published.
 */
public final class BridgeApp implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BridgeApp.class);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    /**
     * The reason in the last status of a bridge that stops: {@link #close()} is a deliberate stop. (A deposed
     * instance closes too, but its publisher may no longer produce, so its last status is never written.)
     */
    private static final String SHUT_DOWN = "the bridge shut down";
    /** The reason in the last status: {@link #SHUT_DOWN}, or why the bridge stopped by itself. */
    private volatile String closeReason = SHUT_DOWN;
    /** Told once when the bridge cannot go on and its policy is to stop (a bridge that runs alone). */
    private volatile java.util.function.Consumer<String> onStoppedByItself = reason -> { };
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
    /** Set by {@link #start()}; read by the management server's threads. */
    private volatile CommandConsumer commands;
    /** Set by {@link #startActive}; read by the management server's threads. */
    private volatile BrokerClock brokerClock;
    private OrderService orders;
    /** Set by {@link #start()}; read by the management server's and the metrics' threads. */
    private volatile HistoricalBarsService history;
    private Guardrails guardrails;
    private boolean prepared;
    private final RegistryStartup registryStartup;
    private final BridgeMetrics metrics = new BridgeMetrics();
    private ManagementServer management;
    private AvroWireSerializer serializer;

    /** While start-up waits for partition leaders or checks for a running instance: what it waits for. */
    private volatile String startupStep;

    // ---- standby bridges (failover): see the failover package and docs/failover.md --------------------------------
    private final FailoverSettings failover;
    private final FailoverCoordinator coordinator;

    /**
     * The order {@link #close()} takes the bridge down in. It is not simply the reverse of opening, so each
     * resource goes, as it opens, on the {@link CloseStack} of its stage; the stages close in this order, each
     * the last opened first.
     */
    private enum Stage {
        /** First, although it opens after the clients it reports on: it stops answering before they go. */
        MANAGEMENT,
        /** A takeover under way and the standby's parts: the takeover stops before it starts anything more. */
        STANDBY,
        /** The command consumer and the status reporter: nothing more is asked of the Gateway session. */
        ACTIVE,
        /**
         * The Gateway session closes cleanly (its cancels sent, its link closed), although it was made in
         * {@link #prepare()} before the publisher: what it hears until then is still mapped and published.
         */
        GATEWAY,
        /**
         * Once the session has closed and before the publisher flushes: first the final results of commands still
         * under way (historical requests waiting for their turn), then the status reporter's last record, CLOSED
         * with the reason: the compacted status topic must not keep a stopped bridge's last READY heartbeat.
         */
        LAST_STATUS,
        /** The event mapper flushes into the publisher, which flushes (commits, with standbys) and closes. */
        PUBLISHING,
        /**
         * Only now does the active instance of a standby bridge leave the election, its link closed and what it
         * published committed, so that the next instance is elected at once rather than after a session timeout.
         */
        ELECTION,
        /** Kafka health, the admin client and the metrics, which everything above reports to or through. */
        CLIENTS
    }

    private final Map<Stage, CloseStack> closing = new EnumMap<>(Stage.class);

    public BridgeApp(BridgeConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.registryStartup = new RegistryStartup(config.registry(), clock);
        this.failover = config.failover();
        for (Stage s : Stage.values()) {
            closing.put(s, new CloseStack());
        }
        closing(Stage.CLIENTS).push("the metrics", metrics);
        this.coordinator = new FailoverCoordinator(failover, config.kafka(),
                List.of(config.kafka().subscriptionsTopic(), config.orders().journalTopic()), ADMIN_TIMEOUT, clock,
                metrics, new ActivePart());
    }

    private CloseStack closing(Stage stage) {
        return closing.get(stage);
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
        Admin a = Admin.create(kafka.adminConfig());
        admin = a;
        closing(Stage.CLIENTS).push("the admin client", () -> a.close(Duration.ofSeconds(5)));
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
        kafkaHealth = closing(Stage.CLIENTS).push("the Kafka health check",
                new KafkaHealth(admin, Duration.ofSeconds(2)));
        kafkaHealth.start();
        if (!failover.enabled()) {
            publishThrough(new EventPublisher(kafka, () -> Producers.plain(kafka), serializer::serialize,
                    clock, new EventPublisher.Watchdog(kafkaHealth::reachable, System::nanoTime)));
            publisher.setPublishObserver(metrics);
        }

        // With standbys, one client id only: a new active instance waits for its predecessor's (see docs/failover.md).
        gateway = closing(Stage.GATEWAY).push("the Gateway session", failover.enabled()
                ? new GatewayService(config.gateway().toBuilder().fallbackClientIds(List.of()).build(),
                        config.zombieProbe(), clock, coordinator.lease())
                : new GatewayService(config.gateway(), config.zombieProbe(), clock, LinkPermit.ALWAYS));
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
        refuseIfRunningElsewhere();
        awaitPartitionLeaders(publisher);
        startActive(stateRestorer().read(kafka, ADMIN_TIMEOUT));
    }

    /**
     * A bridge that runs alone starts only if no other process runs its bridge id: it has not joined the command
     * group, connected to the Gateway or published a status yet, so a refused second instance disturbs nothing.
     *
     * @throws StartRefused naming the running instance, when there is one
     */
    private void refuseIfRunningElsewhere() {
        KafkaSettings kafka = config.kafka();
        String statusTopic = kafka.topic(Topic.STATUS);
        AvroWireDeserializer<GatewayStatus> statuses = new AvroWireDeserializer<>(GatewayStatus.class, registry);
        Function<byte[], GatewayStatus> decoder = statuses::deserialize;
        Optional<GatewayStatus> live;
        startupStep = "checking " + statusTopic + " for another running instance of bridge " + kafka.bridgeId();
        try (Consumer<byte[], byte[]> reader = new KafkaConsumer<>(kafka.stateReaderConfig())) {
            live = new RunningInstanceCheck(decoder, clock).liveInstance(reader, statusTopic, kafka.bridgeId(),
                    kafka.heartbeatInterval(), ADMIN_TIMEOUT);
        } finally {
            startupStep = null;
        }
        if (live.isPresent()) {
            throw new StartRefused(RunningInstanceCheck.refusal(kafka.bridgeId(), live.get(), clock.instant(),
                    statusTopic));
        }
    }

    /**
     * Told, once, when the bridge cannot go on and its policy is to stop: a bridge that runs alone whose command
     * consumer was fenced (another consumer joined under its group.instance.id). The caller closes the bridge and
     * exits non-zero, for an orchestrator to restart it; the restart is refused while the other instance runs.
     */
    public void onStoppedByItself(java.util.function.Consumer<String> listener) {
        this.onStoppedByItself = listener;
    }

    /**
     * Waits until {@code p}'s producer knows a leader for every partition this bridge writes, reporting the wait
     * in readiness and {@code /status}; fails start-up, naming the partitions, after {@link #LEADER_WAIT}.
     */
    private void awaitPartitionLeaders(EventPublisher p) throws InterruptedException {
        try {
            p.awaitPartitionLeaders(writtenTopics(), LEADER_WAIT, missing -> {
                startupStep = "waiting for Kafka to elect partition leaders: " + String.join(", ", missing);
                log.info("start-up: {}", startupStep);
            });
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot start: " + e.getMessage()
                    + "; publishing to a partition without a leader could lose its first records (KAFKA-15591)", e);
        } finally {
            startupStep = null;
        }
    }

    /** What start-up waits for (the schema registry, the running-instance check, partition leaders), or empty. */
    private Optional<String> startupWait() {
        String step = startupStep;
        return step != null ? Optional.of(step) : registryStartup.waitingFor();
    }

    /**
     * The topics this bridge writes (every topic of the catalogue but the commands it reads, and the two state
     * topics), whose partitions' leaders the producer knows before the first record.
     */
    private List<String> writtenTopics() {
        List<String> written = new ArrayList<>();
        config.kafka().topicNames().forEach((topic, name) -> {
            if (topic != Topic.COMMANDS) {
                written.add(name);
            }
        });
        written.add(config.kafka().subscriptionsTopic());
        written.add(config.orders().journalTopic());
        return written;
    }

    private StateRestorer stateRestorer() {
        return new StateRestorer(config.kafka().subscriptionsTopic(), config.orders().journalTopic(), registry);
    }

    /** Publishes through {@code p} from now on; it is flushed and closed when the bridge closes. */
    private void publishThrough(EventPublisher p) {
        publisher = p;
        closing(Stage.PUBLISHING).push("the publisher", () -> {
            p.flush();
            p.close();
        });
    }

    /**
     * Everything that only the active instance runs, from the restored state: the event mapper, the order
     * service, the status reporter, the Gateway session and the command consumer.
     */
    private void startActive(StateRestorer.Restored state) {
        List<Instrument> subscriptions = state.subscriptions();
        List<JournalEntry> restored = state.journal();
        KafkaSettings kafka = config.kafka();
        GatewaySession session = gateway.session();
        EventMapper m = new EventMapper(publisher, SessionView.of(session), gateway.eventLoop(),
                EventMapperConfig.defaults(kafka.bridgeId()).withQuoteConflationWindow(kafka.quoteConflationWindow()));
        mapper = m;
        closing(Stage.PUBLISHING).push("the event mapper", m::flush);
        session.addListener(mapper);
        for (Instrument i : subscriptions) {
            session.subscribeMarketData(Instruments.toContract(i));
        }
        for (SubscribeBars b : state.realTimeBarSubscriptions()) {
            session.subscribeRealTimeBars(new BarSubscription(Instruments.toContract(b.getInstrument()),
                    b.getWhatToShow().name(), b.getRegularTradingHoursOnly()));
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
        // Order commands' final results may come as soon as the session syncs, before the first command is read.
        CommandResults results = new CommandResults(kafka, CommandAnswers.through(publisher), clock);
        orders.publishLaterResultsTo(results);
        session.addListener(orders);
        SubscriptionStore store = new SubscriptionStore(kafka.subscriptionsTopic(), publisher::sendToTopic);
        GatewayRequests requests = new GatewayRequests(session, kafka.requestTimeout());
        ContractLookup lookup = new ContractLookup(session, kafka.requestTimeout());
        session.addListener(lookup);
        ContractResolver contracts = new ContractResolver(lookup::lookUp,
                new ContractCache(config.contracts().cacheSize(), clock), publisher::send, clock);
        HistoricalRequests historical = new HistoricalRequests(session, kafka.requestTimeout());
        session.addListener(historical);
        history = new HistoricalBarsService(contracts, historical,
                new HistoricalPacer(config.history().pacing(), gateway.eventLoop()), publisher::send, clock,
                config.history().maxWait());
        CommandExecutor executor = new CommandDispatcher(session, requests, store, kafka.marketDataLineLimit(),
                config.gateway().accountSummaryTags(), orders, contracts, config.contracts().requireQualified(),
                history);

        BrokerClock clockCheck = new BrokerClock(session::send, gateway.eventLoop(), config.gateway());
        session.addListener(clockCheck);
        brokerClock = clockCheck;
        StatusReporter status = new StatusReporter(publisher, session::snapshot, gateway.eventLoop(), kafka.bridgeId(),
                kafka.heartbeatInterval(), kafkaHealth::reachable, publisher::quotesShed,
                failover.enabled() ? failover.instanceId() : null, clockCheck::latest);
        closing(Stage.ACTIVE).push("the status reporter", status::stop);
        closing(Stage.LAST_STATUS).push("the last status", () -> status.publishClosed(closeReason));
        gateway.supervisor().addStatusListener(status::onStatus);
        status.start();
        gateway.start();

        AvroWireDeserializer<Command> commandDecoder = new AvroWireDeserializer<>(Command.class, registry);
        ExecutedCommands executed = CommandHistory.restore(kafka, registry, clock, ADMIN_TIMEOUT);
        commands = closing(Stage.ACTIVE).push("the command consumer", new CommandConsumer(kafka,
                CommandConsumer.createConsumer(kafka), commandDecoder::deserialize,
                value -> commandDecoder.readWriterStringField(value, "commandId"), executor, publisher, this::ready,
                clock, executed, results));
        // Once the consumer and the session are closed, a command still waiting (a historical request for its turn)
        // will never be answered: it gets its one final result now, before the last status.
        CommandConsumer consumer = commands;
        closing(Stage.LAST_STATUS).push("the commands still under way",
                () -> consumer.answerCommandsUnderWay(closeReason, Duration.ofSeconds(5)));
        commands.setCommandObserver(metrics);
        commands.onStopped(this::commandConsumerStopped);
        metrics.bindGateway(gateway).bindPublisher(publisher, kafka).bindKafkaReachable(kafkaHealth::reachable)
                .bindReady(this::ready).bindMapper(mapper.counters())
                .bindKillSwitch(orders.guardrails()::killSwitchEngaged)
                .bindCommandConsumerStopped(() -> commands.stoppedBecause().isPresent())
                .bindHistory(history::status).bindBrokerClock(clockCheck);
        commands.start();
        log.info("bridge {} started: commands from {}, events to {}", kafka.bridgeId(), kafka.topic(Topic.COMMANDS),
                writtenTopics());
    }

    /**
     * The policy for a command consumer that stopped by itself (fenced, say): readiness already says so; a bridge
     * that runs alone stops, since it would hold a Gateway session and execute nothing. With standbys, the election
     * decides: the instance that took the consumer over is the active one, and this one is deposed through the lease.
     */
    private void commandConsumerStopped(String reason) {
        if (failover.enabled()) {
            log.warn("standby: the command consumer {}; the election decides which instance is active", reason);
            return;
        }
        closeReason = "the bridge stopped: the command consumer " + reason;
        log.warn("stopping the bridge, for its orchestrator to restart it once the other consumer is gone (a restart"
                + " is refused while another instance publishes status under bridge id {})", config.kafka().bridgeId());
        onStoppedByItself.accept(closeReason);
    }

    // ---- standby bridges ----------------------------------------------------------------------------------------

    /**
     * A standby instance: the coordinator follows the state topics, publishes the STANDBY heartbeat and joins the
     * election; the rest starts when it wins ({@link ActivePart}).
     */
    private void startStandby() {
        metrics.bindFailover(coordinator::status, () -> publisher == null ? 0 : publisher.refused())
                .bindReady(this::ready).bindKafkaReachable(kafkaHealth::reachable);
        closing(Stage.STANDBY).push("the standby", coordinator::standDown);
        closing(Stage.ELECTION).push("the election", coordinator::leaveElection);
        coordinator.start(serializer::serialize);
    }

    /** What the coordinator asks of this bridge when it takes over or steps down. */
    private final class ActivePart implements FailoverCoordinator.Bridge {
        @Override
        public void publishThrough(EventPublisher fenced) {
            BridgeApp.this.publishThrough(fenced);
        }

        @Override
        public void awaitPartitionLeaders(EventPublisher p) throws InterruptedException {
            BridgeApp.this.awaitPartitionLeaders(p);
        }

        @Override
        public StateRestorer.Restored restore(Map<String, Map<String, byte[]>> followed) {
            return stateRestorer().decode(followed);
        }

        @Override
        public void startActive(StateRestorer.Restored state) {
            BridgeApp.this.startActive(state);
        }

        @Override
        public void closeGatewayLink(String reason) {
            gateway.supervisor().stop();
            gateway.session().closeLink(reason);
        }
    }

    /**
     * For a standby that replaces a deposed one in the same process: it follows the state topics at once but
     * stands for election only after {@code delay}, giving the other instances their turn. Call before
     * {@link #start()}.
     */
    public void standAfter(Duration delay) {
        coordinator.standAfter(delay);
    }

    /** This instance's part in the election; null when the bridge runs alone. */
    public FailoverStatus failoverStatus() {
        return coordinator.status();
    }

    /**
     * Blocks until this instance is deposed (standby bridges only) and returns why. It never returns for a bridge
     * that runs alone.
     */
    public String awaitDeposed() throws InterruptedException {
        return coordinator.awaitDeposed();
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
        management = closing(Stage.MANAGEMENT).push("the management HTTP", ManagementServer.start(
                ManagementSettings.of(host, port),
                new LiveBridgeView(config.kafka().bridgeId(), gateway, kafkaHealth::reachable,
                        () -> publisher == null ? 0 : publisher.quotesShed(), guardrails, this::startupWait,
                        this::failoverStatus, () -> publisher == null ? null : publisher.health(),
                        () -> commands == null ? Optional.empty() : commands.stoppedBecause(),
                        () -> brokerClock == null ? null : brokerClock.status(),
                        () -> history == null ? null : history.status()), metrics::scrape));
        return management.uri();
    }

    /**
     * Ready: the Gateway session is READY, Kafka answers, the command consumer has not stopped by itself (and,
     * with standbys, this instance leads).
     */
    public boolean ready() {
        CommandConsumer c = commands;
        return gateway != null && gateway.session().state() == SessionState.READY
                && kafkaHealth != null && kafkaHealth.reachable()
                && (c == null || c.stoppedBecause().isEmpty())
                && (!failover.enabled() || coordinator.leads());
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

    /** The historical bars service and its pacing; null until started. */
    public HistoricalBarsService history() {
        return history;
    }

    public SchemaRegistryClient registry() {
        return registry;
    }

    /**
     * Takes everything down, stage by stage ({@link Stage}). The active instance of a standby bridge closes its
     * Gateway link cleanly and commits what it published while it still holds the lease, and only then leaves the
     * election, so that the next instance is elected at once rather than after a session timeout. A part that
     * fails to close is logged, and the rest still close.
     */
    @Override
    public void close() {
        // Not a resource: ends start()'s wait for the registry, so that it opens nothing more.
        registryStartup.cancel();
        for (Stage s : Stage.values()) {
            closing(s).close();
        }
    }
}
