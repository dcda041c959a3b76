package io.twsbridge.sim;

import java.util.List;
import java.util.Map;

/**
 * A snapshot of the simulator, as {@code GET /state} reports it and tests assert on it.
 *
 * @param connectionsAccepted  sockets accepted since start (a reconnect storm shows here)
 * @param placeOrderCountByOrderRef placeOrder messages received per orderRef, modifications included
 * @param requestsReceived     requests decoded since start, by message ({@code "CancelMktData"}, ...), from every
 *                             client after its startApi: what a test compares with what a client meant to send
 * @param historical           historical-data requests, their outcomes and the real-time bar subscriptions
 */
public record SimulatorState(
        int serverVersion,
        int apiPort,
        int adminPort,
        boolean listening,
        boolean connectivityLost,
        long connectionsAccepted,
        List<Connection> connections,
        int zombieCount,
        int stalledCount,
        List<Subscription> subscriptions,
        Map<String, Integer> placeOrderCountByOrderRef,
        Map<String, Long> requestsReceived,
        int openOrders,
        int executions,
        Map<String, Object> faults,
        Historical historical) {

    /**
     * Historical data since start.
     *
     * @param pacing           whether IB's pacing rules are enforced
     * @param requests         reqHistoricalData received
     * @param answered         answered with historicalData
     * @param refused          answered with an error (pacing violations included)
     * @param pacingViolations refused with 162 for breaking a pacing rule
     * @param cancelled        open requests stopped by cancelHistoricalData
     * @param open             requests waiting for their answer now
     * @param headTimestamps   head timestamps answered
     * @param realTimeBars     live reqRealTimeBars subscriptions
     */
    public record Historical(boolean pacing, long requests, long answered, long refused, long pacingViolations,
                             long cancelled, int open, long headTimestamps, List<Subscription> realTimeBars) {
    }

    /** One socket the simulator holds. */
    public record Connection(long id, int clientId, String state, String remoteAddress, int serverVersion,
                             long messagesReceived, long pacingViolations) {
    }

    /** One streaming market-data request. */
    public record Subscription(int clientId, int reqId, String symbol) {
    }

    /** Requests of one kind received since start, by the message's record name ({@code "CancelMktData"}). */
    public long received(String message) {
        return requestsReceived.getOrDefault(message, 0L);
    }

    /** Connections in a given state. */
    public long count(String state) {
        return connections.stream().filter(c -> c.state().equals(state)).count();
    }
}
