package io.twsbridge.bridge.kafka.publish;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * How the active instance of a standby bridge publishes: in transactions of a producer whose transactional id all
 * instances share, so that the next active instance's producer fences this one, and only while the permit (the
 * leader lease) allows.
 *
 * <p>A transaction is committed when it has been open for the commit interval, at a barrier (flush, close), or at
 * once when a caller waits on one of its records and nothing else is queued. Before each record the permit is
 * asked: once the leader lease has lapsed, nothing more is produced, and once Kafka has fenced the producer,
 * nothing more is tried. The commit interval is measured on the injected clock.
 */
final class TransactionalPublishLoop implements PublishLoop {

    private static final Logger log = LoggerFactory.getLogger(TransactionalPublishLoop.class);
    /**
     * The longest an open transaction's wait lasts before the clock is read again: the interval is measured on
     * the injected clock, which need not move with the wall (a test's does not).
     */
    private static final long LOOK_AGAIN_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /** A record of the open transaction whose caller waits: its future completes when the transaction commits. */
    record InTransaction(Outgoing.Awaited outgoing, AtomicReference<RecordMetadata> metadata,
                         AtomicReference<Exception> error) {
        InTransaction(Outgoing.Awaited outgoing) {
            this(outgoing, new AtomicReference<>(), new AtomicReference<>());
        }
    }

    private final Transmitter transmitter;
    private final EventPublisher.Fencing fencing;
    private final BlockingQueue<Outgoing> queue;
    private final BooleanSupplier closed;
    private final LongSupplier nanoTime;
    private volatile String fencedBecause;
    /** Publisher thread only: the open transaction's records that someone waits for, and whether one is open. */
    private final List<InTransaction> inTransaction = new ArrayList<>();
    private boolean transactionOpen;
    private long transactionOpenedAt;

    /** Initialises the producer's transactions, which fences every earlier instance's producer. */
    TransactionalPublishLoop(Transmitter transmitter, EventPublisher.Fencing fencing, BlockingQueue<Outgoing> queue,
                             BooleanSupplier closed, LongSupplier nanoTime) {
        this.transmitter = transmitter;
        this.fencing = fencing;
        this.queue = queue;
        this.closed = closed;
        this.nanoTime = nanoTime;
        transmitter.producer().initTransactions();
    }

    /** Why this instance produces no more; null while it may. */
    String fencedBecause() {
        return fencedBecause;
    }

    @Override
    public void run() throws InterruptedException {
        long intervalNanos = fencing.commitInterval().toNanos();
        while (true) {
            Outgoing next = transactionOpen
                    ? queue.poll(Math.min(LOOK_AGAIN_NANOS,
                            Math.max(0, transactionOpenedAt + intervalNanos - nanoTime.getAsLong())), TimeUnit.NANOSECONDS)
                    : queue.take();
            if (next == null) {
                if (nanoTime.getAsLong() - transactionOpenedAt >= intervalNanos) {
                    commit();
                }
                continue;
            }
            if (next instanceof Outgoing.Barrier barrier) {
                commit();
                barrier.reached().complete(null);
                if (closed.getAsBoolean()) {
                    for (Outgoing late = queue.poll(); late != null; late = queue.poll()) {
                        if (late instanceof Outgoing.Sendable record) {
                            refuse(record, "the publisher is closed");
                        } else if (late instanceof Outgoing.Barrier b) {
                            b.reached().complete(null);
                        }
                    }
                    return;
                }
                continue;
            }
            Outgoing.Sendable record = (Outgoing.Sendable) next;
            String refusal = fencedBecause != null ? fencedBecause : fencing.permit().refusal();
            if (refusal != null) {
                refuse(record, refusal);
                continue;
            }
            if (!openTransaction()) {
                refuse(record, fencedBecause);
                continue;
            }
            InTransaction waiting = record instanceof Outgoing.Awaited a ? new InTransaction(a) : null;
            if (waiting != null) {
                inTransaction.add(waiting);
            }
            transmitter.transmit(record, waiting);
            if (!inTransaction.isEmpty() && queue.isEmpty()
                    || nanoTime.getAsLong() - transactionOpenedAt >= intervalNanos) {
                commit();
            }
        }
    }

    /**
     * Commits the open transaction, then completes its waiting callers. A record Kafka refused aborts the
     * transaction; the others whose callers wait are sent again in the next one (quotes are not), so only the
     * refused record is lost, and its caller hears why.
     */
    private void commit() {
        if (!transactionOpen) {
            return;
        }
        transactionOpen = false;
        List<InTransaction> done = List.copyOf(inTransaction);
        inTransaction.clear();
        if (fencedBecause != null) {
            // No longer the leader: committing would be a write. Kafka aborts the transaction instead.
            done.forEach(w -> refuse(w.outgoing(), fencedBecause));
            return;
        }
        Producer<byte[], byte[]> producer = transmitter.producer();
        String refusal = fencing.permit().refusal();
        if (refusal != null) {
            // The lease lapsed with the transaction open: nothing of it may count. Aborting discards it (and
            // leaves the producer usable should the lease be confirmed again).
            try {
                producer.abortTransaction();
            } catch (RuntimeException e) {
                fenced("a transaction could not be aborted after the lease lapsed: " + e);
            }
            done.forEach(w -> refuse(w.outgoing(), refusal));
            return;
        }
        try {
            producer.commitTransaction();
        } catch (ProducerFencedException
                 | InvalidProducerEpochException
                 | TransactionalIdAuthorizationException
                 | UnsupportedVersionException
                 | IllegalStateException e) {
            fenced("Kafka refused the transaction: " + e);
            done.forEach(w -> refuse(w.outgoing(), fencedBecause));
            return;
        } catch (RuntimeException e) {
            abortAndRetry(done, e);
            return;
        }
        for (InTransaction w : done) {
            Exception error = w.error().get();
            if (error == null) {
                w.outgoing().acked().complete(w.metadata().get());
            } else {
                transmitter.failed(w.outgoing(), error);
            }
        }
    }

    private void abortAndRetry(List<InTransaction> done, RuntimeException cause) {
        log.warn("a transaction was aborted ({}); {} record(s) waited on are sent again", cause.toString(),
                done.stream().filter(w -> w.error().get() == null).count());
        try {
            transmitter.producer().abortTransaction();
        } catch (RuntimeException e) {
            fenced("an aborted transaction could not be ended: " + e);
            done.forEach(w -> refuse(w.outgoing(), fencedBecause));
            return;
        }
        for (InTransaction w : done) {
            if (w.error().get() != null) {
                transmitter.failed(w.outgoing(), w.error().get());
            } else if (fencedBecause == null) {
                if (!openTransaction()) {
                    refuse(w.outgoing(), fencedBecause);
                    continue;
                }
                InTransaction again = new InTransaction(w.outgoing());
                inTransaction.add(again);
                transmitter.transmit(w.outgoing(), again);
            } else {
                refuse(w.outgoing(), fencedBecause);
            }
        }
    }

    /** Begins a transaction unless one is open; false, the publisher fenced, when Kafka refuses. */
    private boolean openTransaction() {
        if (transactionOpen) {
            return true;
        }
        try {
            transmitter.producer().beginTransaction();
        } catch (RuntimeException e) {
            fenced("a transaction could not begin: " + e);
            return false;
        }
        transactionOpen = true;
        transactionOpenedAt = nanoTime.getAsLong();
        return true;
    }

    private void fenced(String why) {
        if (fencedBecause == null) {
            fencedBecause = why;
            log.warn("publisher fenced: {}; nothing more is produced by this instance", why);
            fencing.onFenced().accept(why);
        }
    }

    /** A record not produced because this instance may not produce: its caller hears why. */
    private void refuse(Outgoing.Sendable o, String why) {
        if (o instanceof Outgoing.Awaited a && a.acked().isDone()) {
            return; // failed already, where the producer threw on send: counted and reported there
        }
        if (o instanceof Outgoing.Quote) {
            transmitter.quotes().settled();
        }
        long n = transmitter.refusedOne();
        if (n == 1 || n % 10_000 == 0) {
            log.warn("{} record(s) not produced: {}", n, why);
        }
        if (o instanceof Outgoing.Awaited a) {
            a.acked().completeExceptionally(new EventPublisher.NotPermittedException(why));
        }
    }

    /** For an instance that no longer leads: everything from now on is refused, and the producer closes at once. */
    void abandon(String why) {
        if (fencedBecause == null) {
            fencedBecause = why;
        }
    }

    /** Barriers commit: nothing more to wait for. */
    @Override
    public boolean flushProducer() {
        return true;
    }

    @Override
    public void closeProducer() {
        transmitter.producer().close(fencedBecause != null ? Duration.ZERO : Duration.ofMillis(Long.MAX_VALUE));
    }
}
