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
    private final java.util.concurrent.atomic.AtomicBoolean dropAfterNextPlaceOrder = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicBoolean refuseNextAsDuplicate = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicReference<String> rejectNextWithReason =
            new java.util.concurrent.atomic.AtomicReference<>();

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

    /**
     * Once: the next placeOrder is taken (the order is at "IB") but the link drops before a single answer goes
     * out, as when a connection dies between a client's request and the Gateway's acknowledgement.
     */
    public void dropLinkAfterNextPlaceOrder() {
        dropAfterNextPlaceOrder.set(true);
    }

    /** True once, for the placeOrder that should drop the link. */
    boolean takeDropAfterPlaceOrder() {
        return dropAfterNextPlaceOrder.compareAndSet(true, false);
    }

    /** Once: the next placeOrder is refused with error 103 (duplicate order id), as IB does for a reused id. */
    public void refuseNextPlaceOrderAsDuplicateId() {
        refuseNextAsDuplicate.set(true);
    }

    /** True once, for the placeOrder to refuse with 103. */
    boolean takeRefuseAsDuplicate() {
        return refuseNextAsDuplicate.compareAndSet(true, false);
    }

    /**
     * Once: the next placeOrder is rejected with error 201 and this reason, as IB rejects an order it will not take
     * (margin, permissions, a closed market). The reason may be any text: the Gateway spells characters beyond ASCII
     * as IB's escapes, which is how a client's un-escaping is put to the test against a real frame.
     */
    public void rejectNextPlaceOrder(String reason) {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("reason must be some text but was " + (reason == null ? "missing" : "blank"));
        }
        rejectNextWithReason.set(reason);
    }

    /** The reason once, for the placeOrder to reject; null when no rejection is armed. */
    String takeRejection() {
        return rejectNextWithReason.getAndSet(null);
    }

    public boolean dropAfterNextPlaceOrderArmed() {
        return dropAfterNextPlaceOrder.get();
    }

    private static Duration requireNonNegative(Duration d, String what) {
        if (d == null || d.isNegative() || d.compareTo(MAX_DELAY) > 0) {
            throw new IllegalArgumentException(what + " must be 0.." + MAX_DELAY.toMillis() + " ms but was " + d);
        }
        return d;
    }
}
