package io.twsbridge.bridge.kafka.publish;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/** What the publisher thread takes from its queue: a record for the producer, or a barrier. */
sealed interface Outgoing {

    /** A record for the producer. */
    sealed interface Sendable extends Outgoing {
        String topic();

        byte[] key();

        /** The event it carries, for the publish observer; null for dead letters and tombstones. */
        SpecificRecord value();

        /** Counts the acknowledgements of records like this one (per catalogue topic, or the state topics). */
        AtomicLong counter();

        long publishedAtNanos();
    }

    /**
     * A quote: encoded on the publisher thread, off the event loop, and awaited by nobody (no future, one
     * allocation less per tick). Shed rather than held, and never sent again by a heal: newer quotes follow.
     */
    record Quote(String topic, byte[] key, SpecificRecord value, AtomicLong counter, long publishedAtNanos)
            implements Sendable {
    }

    /**
     * Any other record: an event, a command result, a state record or a dead letter, encoded by its caller (so a
     * record that cannot be encoded fails where it was made), with the future its caller holds.
     *
     * @param bytes   the encoded value; null for a tombstone or a dead letter without its value
     * @param headers null when the record has none of its own
     */
    record Awaited(String topic, byte[] key, SpecificRecord value, byte[] bytes, List<Header> headers,
                   AtomicLong counter, long publishedAtNanos, CompletableFuture<RecordMetadata> acked)
            implements Sendable {
    }

    /** Completes once every record queued before it has gone to the producer (flush, close). */
    record Barrier(CompletableFuture<Void> reached) implements Outgoing {
    }
}
