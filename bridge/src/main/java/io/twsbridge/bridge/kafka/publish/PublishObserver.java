package io.twsbridge.bridge.kafka.publish;

import org.apache.avro.specific.SpecificRecord;

/**
 * Hears Kafka's acknowledgement of each record the bridge's producer sent; feeds the publish-latency histogram.
 *
 * <p>Called from the producer's I/O thread, inside the send callback: an implementation must be quick and must
 * not block or throw.
 */
@FunctionalInterface
public interface PublishObserver {

    /** Observes nothing. */
    PublishObserver NONE = (topic, elapsedNanos) -> { };

    /**
     * One record was acknowledged.
     *
     * @param topic        the Kafka topic name the record went to
     * @param elapsedNanos from just before {@code producer.send} to the acknowledgement ({@link System#nanoTime()})
     */
    void acknowledged(String topic, long elapsedNanos);

    /**
     * One record was acknowledged, with the event it carried: what a benchmark needs to tie an acknowledgement to
     * the tick that caused it. By default only the latency is passed on.
     *
     * @param value        the event record, or null for records that carry none (dead letters, tombstones)
     * @param sentAtNanos  just before {@code producer.send} ({@link System#nanoTime()})
     * @param ackedAtNanos when the acknowledgement arrived ({@link System#nanoTime()})
     */
    default void acknowledged(String topic, SpecificRecord value, long sentAtNanos, long ackedAtNanos) {
        acknowledged(topic, ackedAtNanos - sentAtNanos);
    }
}
