package io.twsbridge.bridge.kafka.publish;

import org.apache.kafka.common.TopicPartition;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The records one producer was given and has not acknowledged yet, per partition, oldest first: what the
 * publisher's watchdog looks at to find a partition that no longer moves, and what it sends again through a new
 * producer when it heals one.
 *
 * <p>Each partition keeps its records from the oldest one not yet done onwards. Acknowledgements normally arrive
 * in order, so the oldest is done first and leaves at once; a record done while an older one still waits (a
 * later batch appended ahead of a stuck one: the race this exists for) stays behind it, so that a heal can tell
 * which later writes of a key went through. Such records keep their payload only when the caller asks
 * ({@code keepWhenDone}, for compacted topics); otherwise they shrink to a marker.
 *
 * <p>Thread-safe: the publisher thread adds, the producer's I/O thread marks records done, the watchdog reads.
 * One lock per partition, never held while calling out.
 */
final class Unacknowledged<T> {

    /** One record handed to the producer. */
    static final class Entry<T> {
        private final TopicPartition partition;
        private final long sentAtNanos;
        private final boolean keepWhenDone;
        private T item;
        private boolean done;

        private Entry(TopicPartition partition, T item, long sentAtNanos, boolean keepWhenDone) {
            this.partition = partition;
            this.item = item;
            this.sentAtNanos = sentAtNanos;
            this.keepWhenDone = keepWhenDone;
        }

        TopicPartition partition() {
            return partition;
        }
    }

    /** What is held for one partition, oldest first, as one consistent reading. */
    record Held<T>(TopicPartition partition, List<T> records, List<Boolean> done) {
    }

    /**
     * The oldest record not yet done in one partition, how many later ones are done already, and since when it
     * has been the oldest: a partition that drains a backlog moves its oldest record on all the time, a stuck one
     * never does.
     */
    record Oldest(TopicPartition partition, long sentAtNanos, long oldestSinceNanos, int waiting, int doneBehind) {
    }

    private static final class Partition<T> {
        private final ArrayDeque<Entry<T>> entries = new ArrayDeque<>();
        private int doneBehind;
        /** When the record now at the head became the oldest. */
        private long headSince;
    }

    private final Map<TopicPartition, Partition<T>> partitions = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;

    Unacknowledged(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** Records {@code item} as sent to {@code partition} now. */
    Entry<T> add(TopicPartition partition, T item, long nowNanos, boolean keepWhenDone) {
        Entry<T> e = new Entry<>(partition, item, nowNanos, keepWhenDone);
        Partition<T> p = partitions.computeIfAbsent(partition, tp -> new Partition<>());
        synchronized (p) {
            if (p.entries.isEmpty()) {
                p.headSince = nowNanos;
            }
            p.entries.addLast(e);
        }
        return e;
    }

    /** The record was acknowledged, or failed for good: it no longer waits. */
    void done(Entry<T> e) {
        Partition<T> p = partitions.get(e.partition);
        if (p == null) {
            return;
        }
        synchronized (p) {
            if (e.done) {
                return;
            }
            e.done = true;
            if (!e.keepWhenDone) {
                e.item = null;
            }
            if (p.entries.peekFirst() != e) {
                p.doneBehind++;
                return;
            }
            p.entries.pollFirst();
            while (!p.entries.isEmpty() && p.entries.peekFirst().done) {
                p.entries.pollFirst();
                p.doneBehind--;
            }
            p.headSince = nanoTime.getAsLong();
        }
    }

    /** For each partition with a record waiting: the oldest such record. */
    List<Oldest> oldest() {
        List<Oldest> oldest = new ArrayList<>();
        for (Map.Entry<TopicPartition, Partition<T>> e : partitions.entrySet()) {
            Partition<T> p = e.getValue();
            synchronized (p) {
                Entry<T> head = p.entries.peekFirst();
                if (head != null) {
                    oldest.add(new Oldest(e.getKey(), head.sentAtNanos, p.headSince, p.entries.size() - p.doneBehind,
                            p.doneBehind));
                }
            }
        }
        return oldest;
    }

    /** Records not yet done, in all partitions. */
    int waiting() {
        int n = 0;
        for (Partition<T> p : partitions.values()) {
            synchronized (p) {
                n += p.entries.size() - p.doneBehind;
            }
        }
        return n;
    }

    /**
     * Everything held, per partition in the order sent (done records with the payloads they kept, null
     * otherwise). Call once the producer that these records went to can no longer acknowledge anything.
     */
    List<Held<T>> held() {
        List<Held<T>> held = new ArrayList<>();
        for (Map.Entry<TopicPartition, Partition<T>> e : partitions.entrySet()) {
            Partition<T> p = e.getValue();
            synchronized (p) {
                List<T> records = new ArrayList<>(p.entries.size());
                List<Boolean> done = new ArrayList<>(p.entries.size());
                for (Entry<T> entry : p.entries) {
                    records.add(entry.item);
                    done.add(entry.done);
                }
                if (!records.isEmpty()) {
                    held.add(new Held<>(e.getKey(), records, done));
                }
            }
        }
        return held;
    }
}
