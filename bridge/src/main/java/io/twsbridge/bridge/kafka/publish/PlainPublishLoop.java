package io.twsbridge.bridge.kafka.publish;

import org.apache.kafka.clients.producer.Producer;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * How a bridge that runs alone publishes: each record to the producer as it comes, with the watchdog looking at
 * least once per watch interval for partitions that no longer move ({@link PartitionWatchdog}).
 */
final class PlainPublishLoop implements PublishLoop {

    private final Transmitter transmitter;
    private final PartitionWatchdog watchdog;
    private final BlockingQueue<Outgoing> queue;
    private final BooleanSupplier closed;

    PlainPublishLoop(Transmitter transmitter, PartitionWatchdog watchdog, BlockingQueue<Outgoing> queue,
                     BooleanSupplier closed) {
        this.transmitter = transmitter;
        this.watchdog = watchdog;
        this.queue = queue;
        this.closed = closed;
    }

    @Override
    public void run() throws InterruptedException {
        long watchMillis = watchdog.watchIntervalMillis();
        while (true) {
            Outgoing next = queue.poll(watchMillis, TimeUnit.MILLISECONDS);
            watchdog.watch();
            if (next instanceof Outgoing.Sendable record) {
                transmitter.transmit(record);
            } else if (next instanceof Outgoing.Barrier barrier) {
                barrier.reached().complete(null);
                if (closed.getAsBoolean()) {
                    // What raced past the closed flag into the queue still goes out; then the thread ends.
                    for (Outgoing late = queue.poll(); late != null; late = queue.poll()) {
                        if (late instanceof Outgoing.Sendable record) {
                            transmitter.transmit(record);
                        } else if (late instanceof Outgoing.Barrier b) {
                            b.reached().complete(null);
                        }
                    }
                    watchdog.watchUntilAcknowledged();
                    return;
                }
            }
        }
    }

    @Override
    public boolean flushProducer() {
        Producer<byte[], byte[]> flushed = transmitter.producer();
        flushed.flush();
        return flushed == transmitter.producer();
    }

    @Override
    public void closeProducer() {
        transmitter.producer().close(Duration.ofMillis(Long.MAX_VALUE));
    }
}
