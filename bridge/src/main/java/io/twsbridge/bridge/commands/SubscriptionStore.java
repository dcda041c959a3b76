package io.twsbridge.bridge.commands;

import io.twsbridge.bridge.kafka.publish.EventPublisher;
import io.twsbridge.schema.Instrument;
import io.twsbridge.schema.catalogue.RecordKeys;

import java.util.concurrent.CompletableFuture;

/**
 * The desired market-data subscriptions, kept in a compacted topic keyed by instrument key: a SubscribeQuotes
 * writes the instrument, an UnsubscribeQuotes a tombstone. At start-up the bridge reads the topic to its end
 * and subscribes to everything in it, so the set survives a restart without replaying the command log (whose
 * retention would eventually forget old subscriptions).
 */
public final class SubscriptionStore {

    private final String topic;
    private final EventPublisher publisher;

    public SubscriptionStore(String topic, EventPublisher publisher) {
        this.topic = topic;
        this.publisher = publisher;
    }

    public CompletableFuture<?> added(Instrument instrument) {
        return publisher.sendToTopic(topic, RecordKeys.instrument(instrument), instrument);
    }

    public CompletableFuture<?> removed(Instrument instrument) {
        return publisher.sendToTopic(topic, RecordKeys.instrument(instrument), null);
    }
}
