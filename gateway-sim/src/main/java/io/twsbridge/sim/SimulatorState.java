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
        Map<String, Object> faults) {

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
