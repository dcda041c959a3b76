package io.twsbridge.bridge.kafka;

import io.twsbridge.bridge.commands.SubscriptionStore;
import io.twsbridge.bridge.orders.JournalEntry;
import io.twsbridge.bridge.orders.OrderJournal;
import io.twsbridge.client.registry.SchemaRegistryClient;
import io.twsbridge.client.serde.AvroWireDeserializer;
import io.twsbridge.schema.Instrument;
import io.twsbridge.schema.SubscribeBars;
import io.twsbridge.schema.state.OrderJournalEntry;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The active instance's starting state from the bridge's two state topics: the desired subscriptions (quotes and
 * real-time bars) and the order journal. One place decodes them, whether a bridge reads the topics at start-up or a
 * standby takes over with the copy it followed.
 */
public final class StateRestorer {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(StateRestorer.class);

    /** What the active instance starts from. */
    public record Restored(List<Instrument> subscriptions, List<SubscribeBars> realTimeBarSubscriptions,
                           List<JournalEntry> journal) {
    }

    private final String subscriptionsTopic;
    private final String journalTopic;
    private final AvroWireDeserializer<Instrument> instruments;
    private final AvroWireDeserializer<OrderJournalEntry> journalRecords;

    public StateRestorer(String subscriptionsTopic, String journalTopic, SchemaRegistryClient registry) {
        this.subscriptionsTopic = subscriptionsTopic;
        this.journalTopic = journalTopic;
        this.instruments = new AvroWireDeserializer<>(Instrument.class, registry);
        this.journalRecords = new AvroWireDeserializer<>(OrderJournalEntry.class, registry);
    }

    /** Reads both topics to their ends, each with a consumer of its own. */
    public Restored read(KafkaSettings kafka, Duration timeout) {
        Map<String, Instrument> subscriptions;
        try (Consumer<byte[], byte[]> reader = new KafkaConsumer<>(kafka.stateReaderConfig())) {
            subscriptions = StateTopics.loadByKey(reader, subscriptionsTopic, instruments::deserialize, timeout);
        }
        List<OrderJournalEntry> journal;
        try (Consumer<byte[], byte[]> reader = new KafkaConsumer<>(kafka.stateReaderConfig())) {
            journal = StateTopics.load(reader, journalTopic, journalRecords::deserialize, timeout);
        }
        SubscriptionStore.Desired desired = SubscriptionStore.fromTopic(subscriptions);
        log.info("restored {} quote and {} real-time bar subscription(s) from {} and {} order journal entr{} from {}",
                desired.quotes().size(), desired.realTimeBars().size(), subscriptionsTopic, journal.size(),
                journal.size() == 1 ? "y" : "ies", journalTopic);
        return new Restored(desired.quotes(), desired.realTimeBars(),
                journal.stream().map(OrderJournal::fromRecord).toList());
    }

    /** Decodes what a standby followed: the live values of each topic by key, by topic name. */
    public Restored decode(Map<String, Map<String, byte[]>> followed) {
        SubscriptionStore.Desired desired = SubscriptionStore.fromTopic(
                StateTopics.decode(subscriptionsTopic, followed.get(subscriptionsTopic), instruments::deserialize));
        return new Restored(desired.quotes(), desired.realTimeBars(),
                StateTopics.decode(journalTopic, followed.get(journalTopic), journalRecords::deserialize).values()
                        .stream().map(OrderJournal::fromRecord).toList());
    }
}
