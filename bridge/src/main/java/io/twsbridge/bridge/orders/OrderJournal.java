package io.twsbridge.bridge.orders;

import io.twsbridge.schema.state.OrderJournalEntry;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The order journal: the latest entry per commandId, in memory, backed by a compacted topic. A write completes
 * when Kafka acknowledged it: the bridge sends placeOrder only after the PLACING entry is durable, so no crash
 * can leave an order at IB that the journal does not know was about to be placed.
 */
public final class OrderJournal {

    private final Map<String, JournalEntry> entries = new ConcurrentHashMap<>();
    private final Function<JournalEntry, CompletableFuture<?>> persist;

    /**
     * @param restored entries read back from the journal topic at start-up
     * @param persist  writes an entry to the topic, completing on Kafka's acknowledgement
     */
    public OrderJournal(List<JournalEntry> restored, Function<JournalEntry, CompletableFuture<?>> persist) {
        this.persist = persist;
        restored.forEach(e -> entries.put(e.commandId(), e));
    }

    public Optional<JournalEntry> get(String commandId) {
        return Optional.ofNullable(entries.get(commandId));
    }

    /** Records {@code entry} and completes when it is durable. */
    public CompletableFuture<JournalEntry> write(JournalEntry entry) {
        entries.put(entry.commandId(), entry);
        return persist.apply(entry).thenApply(x -> entry);
    }

    /**
     * Changes the entry of {@code commandId} from what it is now, atomically: the session's thread and the command
     * consumer's both change entries, and a change made from a stale copy would undo the other's (a SENT written
     * after IB's acknowledgement was recorded, say). Persisted in the order the changes were made, without waiting
     * for Kafka (use {@link #write} where the change must be durable before anything else happens).
     *
     * @return the entry as it is after the change; empty when there is none
     */
    public Optional<JournalEntry> update(String commandId, UnaryOperator<JournalEntry> change) {
        return Optional.ofNullable(entries.computeIfPresent(commandId, (id, old) -> {
            JournalEntry changed = change.apply(old);
            if (changed != old) {
                persist.apply(changed);
            }
            return changed;
        }));
    }

    public Collection<JournalEntry> all() {
        return List.copyOf(entries.values());
    }

    /** The Avro form of an entry, for the journal topic. */
    public static OrderJournalEntry toRecord(JournalEntry e, String bridgeId) {
        return JournalRecords.toRecord(e, bridgeId);
    }

    /** An entry read back from the journal topic. */
    public static JournalEntry fromRecord(OrderJournalEntry r) {
        return JournalRecords.fromRecord(r);
    }

    /** The highest order id any entry used: ids are never reused across restarts. */
    public long highestOrderId() {
        return entries.values().stream().mapToLong(JournalEntry::orderId).max().orElse(0);
    }
}
