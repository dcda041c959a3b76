package io.twsbridge.bridge.kafka.publish;

/**
 * The publisher thread's work: takes what the publisher queued, in order, and hands it to the producer. A bridge
 * that runs alone publishes plainly and heals stuck partitions ({@link PlainPublishLoop}); the active instance of
 * a standby bridge publishes in transactions, only while it leads ({@link TransactionalPublishLoop}).
 */
interface PublishLoop {

    /**
     * The publisher thread's body. Returns after the first barrier once the publisher is closed, having handed on
     * (or refused) whatever raced past the closed flag into the queue.
     */
    void run() throws InterruptedException;

    /**
     * Called once everything published so far has gone to the producer: waits for its acknowledgements where this
     * loop can.
     *
     * @return false when a heal replaced the producer meanwhile, so the records it sent again are still to flush
     */
    boolean flushProducer();

    /** Closes the producer, waiting for what it has not acknowledged unless this instance may produce no more. */
    void closeProducer();
}
