package io.twsbridge.bridge.commands;

import io.twsbridge.schema.Instrument;
import org.apache.avro.specific.SpecificRecord;
import io.twsbridge.schema.catalogue.RecordKeys;

import java.util.concurrent.CompletableFuture;

/**
 * The desired market-data subscriptions, kept in a compacted topic keyed by instrument key: a SubscribeQuotes
 * writes the instrument, an UnsubscribeQuotes a tombstone. At start-up the bridge reads the topic to its end
 * and subscribes to everything in it, so the set survives a restart without replaying the command log (whose
 * retention would eventually forget old subscriptions).
 */
public final class SubscriptionStore {

    /**
     * Writes one key of a compacted topic; a null value is a tombstone. The publisher's {@code sendToTopic}: an
     * interface here, so that command handling knows nothing of Kafka's side of the bridge.
     */
    @FunctionalInterface
    public interface CompactedTopicWriter {
        CompletableFuture<?> write(String topic, String key, SpecificRecord value);
    }

    private final String topic;
    private final CompactedTopicWriter publisher;

    public SubscriptionStore(String topic, CompactedTopicWriter publisher) {
        this.topic = topic;
        this.publisher = publisher;
    }

    public CompletableFuture<?> added(Instrument instrument) {
        return publisher.write(topic, RecordKeys.instrument(instrument), instrument);
    }

    public CompletableFuture<?> removed(Instrument instrument) {
        return publisher.write(topic, RecordKeys.instrument(instrument), null);
    }
}
