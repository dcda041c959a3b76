package io.twsbridge.client;

import io.twsbridge.schema.CommandResult;
import io.twsbridge.schema.CommandStatus;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each result read from the results topic to the sends waiting for it, and to every listener.
 *
 * <p><b>One commandId sent more than once.</b> The sends of one id wait in send order. A DUPLICATE result is the
 * answer to a repeat, so it goes to the newest send still waiting; any other result goes to the oldest. So a command
 * sent again while its first send waits for a final result (a resting order) gets DUPLICATE, and the first send
 * still gets its own ACCEPTED and final result, whichever comes first.
 *
 * <p><b>Threading.</b> {@link #route} runs on the consumer thread, the others on any; the map is guarded by
 * {@code this}, futures are completed outside the lock.
 */
final class ResultRouter {

    private static final Logger log = LoggerFactory.getLogger(ResultRouter.class);

    /** One send's futures, the router's own (the caller gets copies). */
    static final class Pending {
        final String commandId;
        final CompletableFuture<CommandResult> accepted = new CompletableFuture<>();
        final CompletableFuture<CommandResult> result = new CompletableFuture<>();

        Pending(String commandId) {
            this.commandId = commandId;
        }
    }

    private final Map<String, Deque<Pending>> waiting = new HashMap<>();
    private final List<Consumer<CommandResult>> listeners = new CopyOnWriteArrayList<>();

    /** Starts waiting for {@code commandId}'s results; before the command is sent, so none can be missed. */
    synchronized Pending register(String commandId) {
        Pending p = new Pending(commandId);
        waiting.computeIfAbsent(commandId, id -> new ArrayDeque<>()).addLast(p);
        return p;
    }

    /** Stops waiting for {@code p}: it failed, timed out or ended. */
    synchronized void forget(Pending p) {
        Deque<Pending> queue = waiting.get(p.commandId);
        if (queue != null && queue.remove(p) && queue.isEmpty()) {
            waiting.remove(p.commandId);
        }
    }

    /** How many sends still wait for a final result. */
    synchronized int waitingCount() {
        return waiting.values().stream().mapToInt(Deque::size).sum();
    }

    Runnable addListener(Consumer<CommandResult> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    void route(CommandResult result) {
        Pending target;
        boolean isFinal = CommandResults.isFinal(result);
        synchronized (this) {
            Deque<Pending> queue = waiting.get(result.getCommandId());
            target = queue == null ? null : pick(queue, result.getStatus() == CommandStatus.DUPLICATE);
            if (target != null && isFinal) {
                queue.remove(target);
                if (queue.isEmpty()) {
                    waiting.remove(result.getCommandId());
                }
            }
        }
        if (target != null) {
            // The first ACCEPTED completes accepted(); a final result completes it too when nothing came before.
            target.accepted.complete(result);
            if (isFinal) {
                target.result.complete(result);
            }
        }
        for (Consumer<CommandResult> listener : listeners) {
            try {
                listener.accept(result);
            } catch (RuntimeException e) {
                log.warn("A result listener failed on the result of command {}: {}", result.getCommandId(), e.toString(),
                        e);
            }
        }
    }

    /** Fails every send still waiting (the client closes). */
    void failAll(Throwable cause) {
        List<Pending> all;
        synchronized (this) {
            all = waiting.values().stream().flatMap(Deque::stream).toList();
            waiting.clear();
        }
        for (Pending p : all) {
            p.accepted.completeExceptionally(cause);
            p.result.completeExceptionally(cause);
        }
    }

    private static Pending pick(Deque<Pending> queue, boolean duplicate) {
        Iterator<Pending> it = duplicate ? queue.descendingIterator() : queue.iterator();
        return it.hasNext() ? it.next() : null;
    }
}
