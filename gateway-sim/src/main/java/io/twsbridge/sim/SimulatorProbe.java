package io.twsbridge.sim;

import io.twsbridge.protocol.message.ClientMessage;

/**
 * Timing hooks for benchmarks: when a request arrived and when ticks left the market-data pump. Both methods are
 * called on the simulator's own threads (a connection's reader, the pump), so an implementation must be quick and
 * must not block or throw; times are {@link System#nanoTime()}.
 */
public interface SimulatorProbe {

    /** Hears nothing. */
    SimulatorProbe NONE = new SimulatorProbe() { };

    /**
     * A decoded request of an API-started client, before the simulator acts on it.
     *
     * @param connectionId the simulator's id of the connection it came on
     */
    default void requestReceived(long connectionId, ClientMessage message, long nanoTime) {
    }

    /**
     * The pump queued {@code ticks} tick messages of one subscription for the connection's socket writer, which
     * writes them within microseconds unless the client has stopped reading.
     *
     * @param reqId the client's request id of the subscription
     */
    default void ticksQueued(long connectionId, int reqId, String symbol, int ticks, long nanoTime) {
    }

    /**
     * A historicalData or realtimeBar was queued for the connection's socket writer: what a conformance test
     * compares with the bars an independent client decoded.
     */
    default void barsSent(long connectionId, io.twsbridge.protocol.message.ServerMessage message) {
    }
}
