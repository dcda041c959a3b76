package io.twsbridge.bridge.app;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.function.Consumer;

/**
 * Runs one bridge for the life of the process. A bridge that runs alone is prepared, started and left to run
 * until {@link #close()}. A standby bridge's instance that is deposed is closed whole and replaced by a fresh
 * standby in the same process: nothing of the old one (session, journal view, consumer, producer) outlives its
 * leadership, and the fresh one follows the state topics from the start.
 */
public final class BridgeRunner implements AutoCloseable {

    /** Called with each bridge after {@link BridgeApp#prepare()} and before {@link BridgeApp#start()}. */
    @FunctionalInterface
    public interface OnPrepared {
        void accept(BridgeApp app) throws Exception;
    }

    private static final Logger log = LoggerFactory.getLogger(BridgeRunner.class);

    private final BridgeConfig config;
    private final Clock clock;
    private final OnPrepared onPrepared;
    private BridgeApp current;
    private volatile boolean closed;
    private volatile Consumer<String> onStoppedByItself = reason -> { };

    public BridgeRunner(BridgeConfig config, Clock clock, OnPrepared onPrepared) {
        this.config = config;
        this.clock = clock;
        this.onPrepared = onPrepared;
    }

    /**
     * Prepares and starts the bridge, and returns once it runs: a bridge alone, or a standby instance (which
     * keeps running, and replacing itself when deposed, on a thread of its own).
     */
    public void start() throws Exception {
        BridgeApp app = next(false);
        if (app == null) {
            return;
        }
        app.start();
        if (config.failover().enabled()) {
            Thread generations = new Thread(() -> replaceWhenDeposed(app), "standby-generations");
            generations.setDaemon(true);
            generations.start();
        }
    }

    /**
     * Told, once, when the bridge cannot go on and its policy is to stop ({@link BridgeApp#onStoppedByItself});
     * call before {@link #start()}.
     */
    public void onStoppedByItself(Consumer<String> listener) {
        this.onStoppedByItself = listener;
    }

    /** The bridge running now; null once closed. */
    public synchronized BridgeApp current() {
        return current;
    }

    private synchronized BridgeApp next(boolean replacing) throws Exception {
        if (closed) {
            return null;
        }
        BridgeApp app = new BridgeApp(config, clock);
        if (replacing) {
            // The deposed instance stands again only after a session timeout: another instance gets its turn, and
            // a takeover that keeps failing here cannot keep winning the election back.
            app.standAfter(config.failover().sessionTimeout());
        }
        current = app;
        app.onStoppedByItself(onStoppedByItself);
        app.prepare();
        onPrepared.accept(app);
        return app;
    }

    private void replaceWhenDeposed(BridgeApp first) {
        BridgeApp app = first;
        try {
            while (true) {
                String reason = app.awaitDeposed();
                synchronized (this) {
                    if (closed || current != app) {
                        return;
                    }
                    log.warn("standby: closing the deposed bridge ({}) and starting a fresh standby in its place", reason);
                    app.close();
                }
                app = next(true);
                if (app == null) {
                    return;
                }
                app.start();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            if (!closed) {
                log.error("standby: a fresh standby could not start; this process no longer takes part", e);
            }
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (current != null) {
            current.close();
        }
    }
}
