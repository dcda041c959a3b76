package io.twsbridge.bridge.app;

import io.twsbridge.bridge.commands.CommandExecutor;
import io.twsbridge.bridge.commands.GatewayRequests;
import io.twsbridge.bridge.commands.SubscriptionStore;
import io.twsbridge.bridge.commands.Instruments;
import io.twsbridge.bridge.events.EventMapper;
import io.twsbridge.bridge.events.EventMapperConfig;
import io.twsbridge.bridge.events.SessionView;
import io.twsbridge.bridge.gateway.GatewayService;
import io.twsbridge.bridge.gateway.session.GatewaySession;
import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.kafka.KafkaHealth;
import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.bridge.kafka.consume.CommandConsumer;
import io.twsbridge.bridge.kafka.publish.EventPublisher;
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
import io.twsbridge.schema.state.OrderJournalEntry;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.Instrument;
import io.twsbridge.schema.catalogue.Topic;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

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
    private final io.twsbridge.bridge.app.metrics.BridgeMetrics metrics = new io.twsbridge.bridge.app.metrics.BridgeMetrics();
    private io.twsbridge.bridge.app.http.ManagementServer management;

    public BridgeApp(BridgeConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.registryStartup = new RegistryStartup(config.registry(), clock);
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
        List<TopicProvisioner.Wanted> topics = new java.util.ArrayList<>(TopicProvisioner.wanted(kafka));
        topics.add(new TopicProvisioner.Wanted(config.orders().journalTopic(), 1, kafka.replicationFactor(),
                io.twsbridge.schema.catalogue.CleanupPolicy.COMPACT));
        List<String> warnings = new TopicProvisioner(admin, ADMIN_TIMEOUT).ensure(topics);
        warnings.forEach(w -> log.warn("topic check: {}", w));

        registry = new SchemaRegistryClient(config.registry());
        AvroWireSerializer serializer = new AvroWireSerializer(registry);
        publisher = new EventPublisher(kafka, EventPublisher.createProducer(kafka), serializer::serialize, clock);
        publisher.setPublishObserver(metrics);
        List<String> written = new java.util.ArrayList<>(kafka.topicNames().values());
        written.add(kafka.subscriptionsTopic());
        written.add(config.orders().journalTopic());
        publisher.warmMetadata(written);
        kafkaHealth = new KafkaHealth(admin, Duration.ofSeconds(2));
        kafkaHealth.start();

        gateway = new GatewayService(config.gateway(), config.zombieProbe(), clock);
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

        GatewaySession session = gateway.session();
        mapper = new EventMapper(publisher, SessionView.of(session), gateway.eventLoop(),
                EventMapperConfig.defaults(kafka.bridgeId()).withQuoteConflationWindow(kafka.quoteConflationWindow()));
        session.addListener(mapper);

        AvroWireDeserializer<Instrument> instruments = new AvroWireDeserializer<>(Instrument.class, registry);
        try (Consumer<byte[], byte[]> reader = new KafkaConsumer<>(kafka.stateReaderConfig())) {
            for (Instrument i : io.twsbridge.bridge.kafka.StateTopics.load(reader, kafka.subscriptionsTopic(), instruments::deserialize,
                    ADMIN_TIMEOUT)) {
                session.subscribeMarketData(Instruments.toContract(i));
            }
        }
        AvroWireDeserializer<OrderJournalEntry> journalRecords = new AvroWireDeserializer<>(OrderJournalEntry.class, registry);
        List<JournalEntry> restored;
        try (Consumer<byte[], byte[]> reader = new KafkaConsumer<>(kafka.stateReaderConfig())) {
            restored = io.twsbridge.bridge.kafka.StateTopics.load(reader, config.orders().journalTopic(), journalRecords::deserialize,
                    ADMIN_TIMEOUT).stream().map(OrderJournal::fromRecord).toList();
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
        SubscriptionStore store = new SubscriptionStore(kafka.subscriptionsTopic(), publisher);
        GatewayRequests requests = new GatewayRequests(session, kafka.requestTimeout());
        CommandExecutor executor = new CommandExecutor(session, requests, store, kafka.marketDataLineLimit(),
                config.gateway().accountSummaryTags(), orders);

        status = new StatusReporter(publisher, session, gateway.eventLoop(), kafka.bridgeId(), kafka.heartbeatInterval(),
                kafkaHealth::reachable, publisher::quotesShed);
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
    public synchronized java.net.URI startManagement(String host, int port) throws java.io.IOException {
        if (gateway == null) {
            throw new IllegalStateException("prepare() the bridge before starting its management HTTP");
        }
        if (management != null) {
            throw new IllegalStateException("management HTTP already runs at " + management.uri());
        }
        management = io.twsbridge.bridge.app.http.ManagementServer.start(
                io.twsbridge.bridge.app.http.ManagementSettings.of(host, port),
                new io.twsbridge.bridge.app.http.LiveBridgeView(config.kafka().bridgeId(), gateway, kafkaHealth::reachable,
                        publisher::quotesShed, guardrails, registryStartup::waitingFor), metrics::scrape);
        return management.uri();
    }

    /** Ready: the Gateway session is READY and Kafka answers. */
    public boolean ready() {
        return gateway != null && gateway.session().state() == SessionState.READY
                && kafkaHealth != null && kafkaHealth.reachable();
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

    @Override
    public void close() {
        registryStartup.cancel();
        if (management != null) {
            management.close();
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
        if (kafkaHealth != null) {
            kafkaHealth.close();
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        metrics.close();
    }
}
