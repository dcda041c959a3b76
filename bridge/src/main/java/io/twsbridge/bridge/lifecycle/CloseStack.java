package io.twsbridge.bridge.lifecycle;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What was opened, to be closed the other way round: each resource is pushed as it opens, and {@link #close()}
 * closes the last pushed first. A close that throws is logged and the rest still close, so that one part that
 * fails to stop leaves no other part running.
 *
 * <p>Safe to push from any thread, also while another closes the stack; no lock is held while a resource
 * closes, so a slow close holds up no push.
 */
public final class CloseStack implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CloseStack.class);

    private record Entry(String name, AutoCloseable resource) {
    }

    private final Deque<Entry> entries = new ArrayDeque<>();

    /**
     * Puts {@code resource} on top: it closes before everything already on the stack.
     *
     * @param name what the resource is, for the log line should its close fail
     * @return {@code resource}, so that opening and pushing can be one expression
     */
    public synchronized <T extends AutoCloseable> T push(String name, T resource) {
        entries.push(new Entry(name, resource));
        return resource;
    }

    /** Closes and removes every resource, the last pushed first; the stack can be filled again afterwards. */
    @Override
    public void close() {
        Entry e;
        while ((e = pop()) != null) {
            try {
                e.resource().close();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                log.warn("closing {} was interrupted; closing the rest", e.name(), ex);
            } catch (Exception ex) {
                log.warn("closing {} failed; closing the rest", e.name(), ex);
            }
        }
    }

    private synchronized Entry pop() {
        return entries.poll();
    }
}
