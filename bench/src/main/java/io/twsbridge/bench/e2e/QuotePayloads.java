package io.twsbridge.bench.e2e;

import io.twsbridge.client.registry.SchemaRegistryClient;
import io.twsbridge.client.serde.AvroWireSerializer;
import io.twsbridge.schema.Quote;
import io.twsbridge.schema.catalogue.RecordKeys;
import io.twsbridge.schema.catalogue.Topic;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the plain producer of a baseline sends: Quote values the bridge really published, serialized the way the
 * bridge serializes them (so the sizes and what compression makes of them are the bridge's), with the bridge's keys
 * ({@link RecordKeys#instrument}), laid out in the order the simulator ticks: the four ticks of one instrument's
 * move, then the next instrument's.
 *
 * @param keys   the record keys, in send order
 * @param values the record values, in send order
 */
record QuotePayloads(byte[][] keys, byte[][] values) {

    /** Serializes {@code quotes} (a sample taken from the bridge's acknowledgements) for {@code topic}. */
    static QuotePayloads of(Collection<Quote> quotes, SchemaRegistryClient registry, String topic) {
        if (quotes.isEmpty()) {
            throw new IllegalStateException("no quote was sampled from the bridge: nothing to size the baseline on");
        }
        registry.register(topic + Topic.VALUE_SUBJECT_SUFFIX, Quote.getClassSchema());
        AvroWireSerializer serializer = new AvroWireSerializer(registry);
        Map<String, List<byte[]>> valuesByKey = new TreeMap<>();
        for (Quote q : quotes) {
            valuesByKey.computeIfAbsent(RecordKeys.instrument(q.getInstrument()), k -> new ArrayList<>())
                    .add(serializer.serialize(topic, q));
        }
        int rounds = Math.max(1, valuesByKey.values().stream().mapToInt(List::size).max().orElse(1)
                / QuoteRig.TICKS_PER_MOVE);
        List<byte[]> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            for (Map.Entry<String, List<byte[]>> e : valuesByKey.entrySet()) {
                byte[] key = e.getKey().getBytes(StandardCharsets.UTF_8);
                List<byte[]> ofKey = e.getValue();
                for (int tick = 0; tick < QuoteRig.TICKS_PER_MOVE; tick++) {
                    keys.add(key);
                    values.add(ofKey.get((round * QuoteRig.TICKS_PER_MOVE + tick) % ofKey.size()));
                }
            }
        }
        return new QuotePayloads(keys.toArray(byte[][]::new), values.toArray(byte[][]::new));
    }

    int size() {
        return values.length;
    }

    int instruments() {
        return (int) java.util.Arrays.stream(keys).map(k -> new String(k, StandardCharsets.UTF_8)).distinct().count();
    }

    double meanValueBytes() {
        return java.util.Arrays.stream(values).mapToInt(v -> v.length).average().orElse(Double.NaN);
    }
}
