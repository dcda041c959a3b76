package io.twsbridge.bridge.commands;

import io.twsbridge.schema.Instrument;
import io.twsbridge.schema.SubscribeBars;
import io.twsbridge.schema.WhatToShow;
import io.twsbridge.schema.catalogue.RecordKeys;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The desired market-data subscriptions, kept in a compacted topic keyed by instrument key: a SubscribeQuotes
 * writes the instrument, an UnsubscribeQuotes a tombstone. At start-up the bridge reads the topic to its end
 * and subscribes to everything in it, so the set survives a restart without replaying the command log (whose
 * retention would eventually forget old subscriptions).
 *
 * <p>Real-time bar subscriptions live in the same topic, with the same value (the instrument), under a key of
 * their own: {@code bars|<whatToShow>|RTH|<instrument key>} or {@code bars|<whatToShow>|ALL|<instrument key>}. The
 * value has no place for the kind and the hours, so here the key says them. A quote key is told apart by its second
 * part, a secType (or by having no {@code |} at all, a conId): no kind of bar is a secType. One topic rather
 * than a second one keeps a bridge's state in the two topics every deployment already has, read and followed by
 * standbys as they are.
 */
public final class SubscriptionStore {

    private static final Logger log = LoggerFactory.getLogger(SubscriptionStore.class);

    /** The first part of the key of a real-time bar subscription. */
    static final String BARS_PREFIX = "bars";

    /**
     * Writes one key of a compacted topic; a null value is a tombstone. The publisher's {@code sendToTopic}: an
     * interface here, so that command handling knows nothing of Kafka's side of the bridge.
     */
    @FunctionalInterface
    public interface CompactedTopicWriter {
        CompletableFuture<?> write(String topic, String key, SpecificRecord value);
    }

    /** What the topic holds: quote subscriptions and real-time bar subscriptions, each in the order written. */
    public record Desired(List<Instrument> quotes, List<SubscribeBars> realTimeBars) {
        public Desired {
            quotes = List.copyOf(quotes);
            realTimeBars = List.copyOf(realTimeBars);
        }
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

    public CompletableFuture<?> addedRealTimeBars(Instrument instrument, WhatToShow whatToShow, boolean rthOnly) {
        return publisher.write(topic, realTimeBarsKey(instrument, whatToShow, rthOnly), instrument);
    }

    public CompletableFuture<?> removedRealTimeBars(Instrument instrument, WhatToShow whatToShow, boolean rthOnly) {
        return publisher.write(topic, realTimeBarsKey(instrument, whatToShow, rthOnly), null);
    }

    /** The key of a real-time bar subscription's record; also how /status names it. */
    public static String realTimeBarsKey(Instrument instrument, WhatToShow whatToShow, boolean rthOnly) {
        return String.join(RecordKeys.SEPARATOR, BARS_PREFIX, whatToShow.name(), rthOnly ? "RTH" : "ALL",
                RecordKeys.instrument(instrument));
    }

    /**
     * Splits the topic's live values, by key, into quote and real-time bar subscriptions. A bar key whose kind or
     * hours this bridge cannot read is skipped and logged, as an unreadable record is.
     */
    public static Desired fromTopic(Map<String, Instrument> byKey) {
        List<Instrument> quotes = new ArrayList<>();
        List<SubscribeBars> bars = new ArrayList<>();
        byKey.forEach((key, instrument) -> {
            String[] parts = key.split("\\|", 4);
            // A quote of a symbol spelt "bars" has a secType second.
            if (parts.length < 4 || !parts[0].equals(BARS_PREFIX) || CommandValidator.SEC_TYPES.contains(parts[1])) {
                quotes.add(instrument);
                return;
            }
            WhatToShow kind = kindOf(parts[1]);
            if (kind == null || !(parts[2].equals("RTH") || parts[2].equals("ALL"))) {
                log.error("skipping the subscription record keyed '{}': not a real-time bar subscription this bridge "
                        + "reads", Printable.of(key, 80));
                return;
            }
            bars.add(SubscribeBars.newBuilder().setInstrument(instrument).setWhatToShow(kind)
                    .setRegularTradingHoursOnly(parts[2].equals("RTH")).build());
        });
        return new Desired(quotes, bars);
    }

    private static WhatToShow kindOf(String name) {
        try {
            WhatToShow kind = WhatToShow.valueOf(name);
            return kind == WhatToShow.UNKNOWN ? null : kind;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
