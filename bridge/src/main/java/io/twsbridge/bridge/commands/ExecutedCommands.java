package io.twsbridge.bridge.commands;

import io.twsbridge.bridge.results.CommandOutcome;
import io.twsbridge.schema.CommandStatus;
import io.twsbridge.schema.catalogue.ReasonCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The commandIds the bridge has carried out within {@code commands.duplicate-window}, each with its first outcome:
 * what makes every command idempotent by commandId, not only PlaceOrder (whose journal guards the order itself).
 * Restored at start from {@code ib.command-results}, so that a restart does not forget.
 *
 * <p>What counts as carried out: every outcome but a refusal for a passing condition or for the record itself,
 * where nothing was done and the same commandId may come again — the Gateway not connected, the breaker open, a
 * timeout, the bridge's own failure, the kill switch, order placement off, a command that failed validation or is of
 * an unknown type — and DUPLICATE itself.
 *
 * <p>Bounded: entries older than the window go, and beyond {@link #CAPACITY} the oldest go early (WARN once).
 * Used by the command consumer's thread and, at start, the restore: synchronized.
 */
public final class ExecutedCommands {

    private static final Logger log = LoggerFactory.getLogger(ExecutedCommands.class);
    /** A day of a busy strategy's commands, in a few MB of heap (messages are cut, see {@link #MESSAGE_CHARS}). */
    public static final int CAPACITY = 20_000;
    private static final int MESSAGE_CHARS = 200;
    private static final Set<String> NOT_CARRIED_OUT = Set.of(ReasonCodes.NOT_CONNECTED, ReasonCodes.CIRCUIT_OPEN,
            ReasonCodes.TIMEOUT, ReasonCodes.INTERNAL_ERROR, ReasonCodes.KILL_SWITCH, ReasonCodes.ORDERS_DISABLED,
            ReasonCodes.VALIDATION_FAILED, ReasonCodes.UNSUPPORTED_COMMAND, ReasonCodes.PACING_WAIT_EXPIRED,
            ReasonCodes.PACING_QUEUE_FULL, ReasonCodes.PACING_VIOLATION);

    /** A command's first outcome, as its DUPLICATE answer repeats it. */
    public record First(CommandStatus status, String reasonCode, String message, Instant at, Integer ibErrorCode,
                        Long orderId, Long permId) {
    }

    private final Duration window;
    /** Insertion order is time order: the live path records as it goes, the restore sorts first. */
    private final LinkedHashMap<String, First> byId = new LinkedHashMap<>();
    private boolean warnedFull;

    public ExecutedCommands(Duration window) {
        this.window = window;
    }

    /** Whether an outcome means the command was carried out (or finally refused), so that its commandId is spent. */
    public static boolean carriedOut(CommandStatus status, String reasonCode) {
        return status != CommandStatus.DUPLICATE && !NOT_CARRIED_OUT.contains(reasonCode);
    }

    /** The first outcome of {@code commandId} within the window, if it was carried out. */
    public synchronized Optional<First> first(String commandId, Instant now) {
        evict(now);
        return Optional.ofNullable(byId.get(commandId));
    }

    /** Records {@code outcome} as {@code commandId}'s first, unless one is known or it does not spend the id. */
    public synchronized void record(String commandId, CommandOutcome outcome, Instant at) {
        remember(commandId, new First(outcome.status(), outcome.reasonCode(), cut(outcome.message()), at,
                outcome.ibErrorCode(), outcome.orderId(), outcome.permId()), at);
    }

    /** Restores one earlier result; call in time order. */
    public synchronized void restore(String commandId, First first, Instant now) {
        remember(commandId, new First(first.status(), first.reasonCode(), cut(first.message()), first.at(),
                first.ibErrorCode(), first.orderId(), first.permId()), now);
    }

    public synchronized int size() {
        return byId.size();
    }

    /** The DUPLICATE answer: the first outcome repeated, with its ids, and nothing executed. */
    public static CommandOutcome duplicateOf(String commandId, First first) {
        return new CommandOutcome(CommandStatus.DUPLICATE, ReasonCodes.DUPLICATE_COMMAND, "commandId " + commandId
                + " was already carried out at " + first.at() + ": " + first.status() + " " + first.reasonCode()
                + (first.message() == null || first.message().isEmpty() ? "" : " (" + first.message() + ")")
                + "; not executed again", first.ibErrorCode(), first.orderId(), first.permId());
    }

    private void remember(String commandId, First first, Instant now) {
        if (commandId == null || !carriedOut(first.status(), first.reasonCode()) || byId.containsKey(commandId)) {
            return;
        }
        byId.put(commandId, first);
        evict(now);
    }

    private void evict(Instant now) {
        Instant oldest = now.minus(window);
        Iterator<Map.Entry<String, First>> it = byId.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, First> e = it.next();
            boolean expired = e.getValue().at().isBefore(oldest);
            if (!expired && byId.size() <= CAPACITY) {
                return;
            }
            if (!expired && !warnedFull) {
                warnedFull = true;
                log.warn("more than {} commandIds within commands.duplicate-window ({}): the oldest are forgotten "
                        + "early, and a repeat of one of them would run again", CAPACITY, window);
            }
            it.remove();
        }
    }

    private static String cut(String message) {
        return message == null || message.length() <= MESSAGE_CHARS ? message : message.substring(0, MESSAGE_CHARS) + "…";
    }
}
