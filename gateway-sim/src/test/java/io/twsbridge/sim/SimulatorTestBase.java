package io.twsbridge.sim;

import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.Order;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.sim.support.TwsTestClient;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;

/**
 * Starts one in-process simulator per test and closes it, with every client the test opened, afterwards.
 *
 * <p>Tests assert what a client sees over a real socket; {@link GatewaySimulator#state()} is only used where the
 * brief of a fault is about the simulator's own side (zombies, stalled sockets, subscriptions).
 */
abstract class SimulatorTestBase {

    /** Upper bound for anything that should happen "soon"; generous so a loaded machine does not flake. */
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    GatewaySimulator sim;
    private final List<TwsTestClient> clients = new ArrayList<>();

    /** Defaults for tests: free ports, the command line's other defaults (server version 176, AAPL and MSFT). */
    static SimulatorConfig.Builder config() {
        return SimulatorConfig.builder().ephemeralPorts();
    }

    GatewaySimulator start(SimulatorConfig.Builder config) throws IOException {
        sim = GatewaySimulator.start(config.build());
        return sim;
    }

    /** A simulator on a clock the test drives. */
    GatewaySimulator start(SimulatorConfig.Builder config, java.time.Clock clock) throws IOException {
        sim = GatewaySimulator.start(config.build(), clock);
        return sim;
    }

    @AfterEach
    void closeSimulatorAndClients() throws IOException {
        for (TwsTestClient c : clients) {
            c.close();
        }
        clients.clear();
        if (sim != null) {
            sim.close();
        }
    }

    /** A TCP connection to the API port, nothing sent yet. */
    TwsTestClient open() throws IOException {
        return track(TwsTestClient.open(sim.apiPort()));
    }

    /** Handshake and startApi, without waiting for the answer. */
    TwsTestClient connect(int clientId) throws IOException {
        return track(TwsTestClient.connect(sim.apiPort(), clientId));
    }

    /** A client whose API session is up: nextValidId has arrived. */
    TwsTestClient client(int clientId) throws IOException, InterruptedException {
        TwsTestClient c = connect(clientId);
        c.await(ServerMessage.NextValidId.class, TIMEOUT);
        return c;
    }

    /**
     * Subscribes and waits until the simulator holds the subscription: the opening ticks are sent before the
     * subscription is registered, so a first tick alone does not prove it.
     */
    void subscribe(TwsTestClient c, int clientId, int reqId, String symbol) throws IOException {
        c.send(marketData(reqId, symbol, false));
        SimulatorState.Subscription wanted = new SimulatorState.Subscription(clientId, reqId, symbol);
        eventually().until(() -> sim.state().subscriptions().contains(wanted));
    }

    TwsTestClient track(TwsTestClient c) {
        clients.add(c);
        return c;
    }

    /** Awaitility with the suite's timeout and a short poll, so passing tests are not slowed down. */
    static ConditionFactory eventually() {
        return await().atMost(TIMEOUT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10));
    }

    /**
     * Sends {@code request} and returns every message that arrived from then on up to and including the first
     * {@code end} message after it. Independent of what earlier {@code await}s consumed.
     */
    static List<ServerMessage> reply(TwsTestClient c, ClientMessage request, Class<? extends ServerMessage> end)
            throws IOException {
        int from = c.received().size();
        c.send(request);
        return eventually().until(() -> upToFirst(c.received(), from, end::isInstance), r -> r != null);
    }

    private static List<ServerMessage> upToFirst(List<ServerMessage> all, int from, Predicate<ServerMessage> end) {
        for (int i = from; i < all.size(); i++) {
            if (end.test(all.get(i))) {
                return all.subList(from, i + 1);
            }
        }
        return null;
    }

    /** Index in {@code c.received()} of the first message matching, or -1. */
    static <T extends ServerMessage> int indexOf(TwsTestClient c, Class<T> type, Predicate<T> match) {
        List<ServerMessage> all = c.received();
        for (int i = 0; i < all.size(); i++) {
            if (type.isInstance(all.get(i)) && match.test(type.cast(all.get(i)))) {
                return i;
            }
        }
        return -1;
    }

    static <T extends ServerMessage> List<T> only(List<ServerMessage> messages, Class<T> type) {
        return messages.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static Contract stock(String symbol) {
        return Contract.stock(symbol, "SMART", "USD");
    }

    static ClientMessage.ReqMktData marketData(int reqId, String symbol, boolean snapshot) {
        return new ClientMessage.ReqMktData(reqId, stock(symbol), "", snapshot, false, "");
    }

    static Order limit(String action, int quantity, double price, String orderRef) {
        return Order.builder(action, BigDecimal.valueOf(quantity), "LMT").lmtPrice(price).orderRef(orderRef).build();
    }

    static Order market(String action, int quantity, String orderRef) {
        return Order.builder(action, BigDecimal.valueOf(quantity), "MKT").orderRef(orderRef).build();
    }

    static ClientMessage.PlaceOrder place(long orderId, String symbol, Order order) {
        return new ClientMessage.PlaceOrder(orderId, stock(symbol), order);
    }
}
