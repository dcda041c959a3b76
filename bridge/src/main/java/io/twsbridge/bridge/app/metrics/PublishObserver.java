package io.twsbridge.bridge.app.metrics;

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
}
