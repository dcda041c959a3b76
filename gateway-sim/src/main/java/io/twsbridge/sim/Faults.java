package io.twsbridge.sim;

import java.time.Duration;

/**
 * The fault settings that can change while the simulator runs (from flags at start, then from the admin
 * endpoint or a test). Each is a volatile value read at the moment it matters, e.g. the handshake delay when a
 * client's hello arrives.
 */
public final class Faults {

    private volatile Duration handshakeDelay;
    private volatile Duration apiDelay;
    private volatile boolean zombieOnDisconnect;
    private volatile boolean zombiesBlockHandshakes;

    Faults(SimulatorConfig config) {
        this.handshakeDelay = config.handshakeDelay();
        this.apiDelay = config.apiDelay();
        this.zombieOnDisconnect = config.zombieOnDisconnect();
        this.zombiesBlockHandshakes = config.zombiesBlockHandshakes();
    }

    public Duration handshakeDelay() {
        return handshakeDelay;
    }

    /** Wait before the server-version reply. */
    public void setHandshakeDelay(Duration delay) {
        this.handshakeDelay = requireNonNegative(delay, "handshake delay");
    }

    public Duration apiDelay() {
        return apiDelay;
    }

    /** Wait between startApi and managedAccounts/nextValidId. */
    public void setApiDelay(Duration delay) {
        this.apiDelay = requireNonNegative(delay, "api delay");
    }

    public boolean zombieOnDisconnect() {
        return zombieOnDisconnect;
    }

    /** When a client leaves, keep the simulator's side open: CLOSE_WAIT, and the clientId stays taken. */
    public void setZombieOnDisconnect(boolean enabled) {
        this.zombieOnDisconnect = enabled;
    }

    public boolean zombiesBlockHandshakes() {
        return zombiesBlockHandshakes;
    }

    /** While any zombie exists, accept new connections but never answer them. */
    public void setZombiesBlockHandshakes(boolean enabled) {
        this.zombiesBlockHandshakes = enabled;
    }

    /** Longer delays are surely typos, and would overflow the nanosecond waits. */
    static final Duration MAX_DELAY = Duration.ofHours(24);

    private static Duration requireNonNegative(Duration d, String what) {
        if (d == null || d.isNegative() || d.compareTo(MAX_DELAY) > 0) {
            throw new IllegalArgumentException(what + " must be 0.." + MAX_DELAY.toMillis() + " ms but was " + d);
        }
        return d;
    }
}
