package io.twsbridge.sim;

import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.protocol.message.ServerMessage.TickPrice;
import io.twsbridge.protocol.message.ServerMessage.TickSize;
import io.twsbridge.sim.support.TwsTestClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** reqMktData as a client sees it: the opening messages, the stream, errors, cancel and snapshots. */
class MarketDataTest extends SimulatorTestBase {

    private static final int BID = 1;
    private static final int ASK = 2;
    private static final int LAST = 4;
    private static final int VOLUME = 8;
    private static final int CLOSE = 9;

    private TwsTestClient c;

    @BeforeEach
    void connect() throws Exception {
        start(config().tickRate(50));
        c = client(1);
    }

    @Test
    void aSubscriptionOpensWithParamsAndTypeThenStreamsBidAskLastAndVolume() throws Exception {
        c.send(marketData(11, "AAPL", false));

        eventually().until(() -> count(11, BID) >= 4 && count(11, ASK) >= 4 && count(11, LAST) >= 4
                && c.received(TickSize.class).stream().filter(t -> t.reqId() == 11 && t.tickType() == VOLUME)
                .count() >= 4);

        List<ServerMessage> mine = forRequest(11);
        assertThat(mine.get(0)).isInstanceOfSatisfying(ServerMessage.TickReqParams.class,
                p -> assertThat(p.minTick()).isEqualTo(0.01));
        assertThat(mine.get(1)).isEqualTo(new ServerMessage.MarketDataType(11, 1));
        List<TickPrice> prices = only(mine, TickPrice.class);
        assertThat(prices).allSatisfy(t -> assertThat(t.price()).isPositive());
        assertThat(prices).filteredOn(t -> t.tickType() != CLOSE)
                .allSatisfy(t -> assertThat(t.size()).isPositive());
        // the walk keeps bid below ask in every update
        List<TickPrice> bids = prices.stream().filter(t -> t.tickType() == BID).toList();
        List<TickPrice> asks = prices.stream().filter(t -> t.tickType() == ASK).toList();
        for (int i = 0; i < Math.min(bids.size(), asks.size()); i++) {
            assertThat(bids.get(i).price()).isLessThan(asks.get(i).price());
        }
        List<BigDecimal> volumes = only(mine, TickSize.class).stream().map(TickSize::size).toList();
        assertThat(volumes).isSorted();
        assertThat(sim.state().subscriptions()).containsExactly(new SimulatorState.Subscription(1, 11, "AAPL"));
    }

    @Test
    void theProbeHearsTheRequestAndEveryQueuedTickOfTheSubscription() throws Exception {
        List<ClientMessage> requests = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicLong ticks = new java.util.concurrent.atomic.AtomicLong();
        sim.setProbe(new SimulatorProbe() {
            @Override
            public void requestReceived(long connectionId, ClientMessage message, long nanoTime) {
                requests.add(message);
            }

            @Override
            public void ticksQueued(long connectionId, int reqId, String symbol, int count, long nanoTime) {
                if (reqId == 11 && symbol.equals("AAPL")) {
                    ticks.addAndGet(count);
                }
            }
        });
        c.send(marketData(11, "AAPL", false));

        eventually().until(() -> c.received(TickPrice.class).size() + c.received(TickSize.class).size() >= 21);
        sim.setProbe(SimulatorProbe.NONE);
        c.send(new ClientMessage.CancelMktData(11));
        eventually().until(() -> sim.state().subscriptions().isEmpty());

        assertThat(requests).anySatisfy(m -> assertThat(m).isInstanceOfSatisfying(ClientMessage.ReqMktData.class,
                r -> assertThat(r.reqId()).isEqualTo(11)));
        assertThat(ticks.get()).isGreaterThanOrEqualTo(21);
        assertThat((ticks.get() - 5) % 4).as("5 opening ticks, then 4 per move").isZero();
    }

    @Test
    void aContractIsAlsoFoundByConId() throws Exception {
        Contract byConId = new Contract(265598, "", "STK", "", null, "", "", "SMART", "", "USD", "", "");
        c.send(new ClientMessage.ReqMktData(12, byConId, "", false, false, ""));

        c.await(ServerMessage.TickReqParams.class, p -> p.reqId() == 12, TIMEOUT);

        eventually().untilAsserted(() -> assertThat(sim.state().subscriptions())
                .containsExactly(new SimulatorState.Subscription(1, 12, "AAPL")));
    }

    @Test
    void anUnknownContractGetsError200WithTheReqId() throws Exception {
        c.send(marketData(13, "NOSUCH", false));
        c.send(new ClientMessage.ReqMktData(14, Contract.stock("AAPL", "SMART", "EUR"), "", false, false, ""));

        assertThat(c.await(ServerMessage.ErrorMessage.class, e -> e.id() == 13, TIMEOUT).code()).isEqualTo(200);
        assertThat(c.await(ServerMessage.ErrorMessage.class, e -> e.id() == 14, TIMEOUT).code()).isEqualTo(200);
        assertThat(forRequest(13)).hasSize(1);
        assertThat(sim.state().subscriptions()).isEmpty();
    }

    @Test
    void cancelEndsTheSubscriptionAndItsTicks() throws Exception {
        c.send(marketData(21, "AAPL", false));
        eventually().until(() -> count(21, BID) >= 2);

        c.send(new ClientMessage.CancelMktData(21));
        eventually().until(() -> sim.state().subscriptions().isEmpty());
        assertThat(sim.state().received("CancelMktData")).as("the cancel is counted").isEqualTo(1);

        // A second subscription to the same stock proves the stream goes on: every update the pump sends to 22
        // was computed after 21 was gone, so once 22 streams, no tick for 21 may follow.
        c.send(marketData(22, "AAPL", false));
        int streamingFrom = awaitStreaming(22);
        assertThat(forRequest(21, c.received().subList(streamingFrom, c.received().size()))).isEmpty();
        assertThat(sim.state().subscriptions()).containsExactly(new SimulatorState.Subscription(1, 22, "AAPL"));
    }

    @Test
    void aSnapshotEndsWithTickSnapshotEndAndLeavesNoSubscription() throws Exception {
        c.send(marketData(31, "MSFT", true));

        c.await(ServerMessage.TickSnapshotEnd.class, e -> e.reqId() == 31, TIMEOUT);

        List<ServerMessage> snapshot = forRequest(31);
        assertThat(snapshot.get(0)).isInstanceOf(ServerMessage.TickReqParams.class);
        assertThat(snapshot.get(snapshot.size() - 1)).isEqualTo(new ServerMessage.TickSnapshotEnd(31));
        assertThat(only(snapshot, TickPrice.class)).extracting(TickPrice::tickType).contains(BID, ASK, LAST);
        assertThat(sim.state().subscriptions()).isEmpty();
        // nothing more arrives for the snapshot while another request on the same stock streams
        c.send(marketData(32, "MSFT", false));
        awaitStreaming(32);
        assertThat(forRequest(31)).isEqualTo(snapshot);
    }

    @Test
    void theRequestedMarketDataTypeIsReported() throws Exception {
        c.send(new ClientMessage.ReqMarketDataType(3));
        c.send(marketData(41, "AAPL", true));

        c.await(ServerMessage.TickSnapshotEnd.class, e -> e.reqId() == 41, TIMEOUT);

        assertThat(only(forRequest(41), ServerMessage.MarketDataType.class))
                .containsExactly(new ServerMessage.MarketDataType(41, 3));
    }

    /**
     * Waits until {@code reqId} has had two streamed updates after its opening ticks (which end with CLOSE) and
     * returns the index in {@code received()} of the first streamed one.
     */
    private int awaitStreaming(int reqId) {
        return eventually().until(() -> {
            List<ServerMessage> all = c.received();
            int close = -1;
            for (int i = 0; i < all.size(); i++) {
                if (all.get(i) instanceof TickPrice t && t.reqId() == reqId && t.tickType() == CLOSE) {
                    close = i;
                    break;
                }
            }
            if (close < 0) {
                return null;
            }
            List<TickPrice> streamed = only(all.subList(close + 1, all.size()), TickPrice.class).stream()
                    .filter(t -> t.reqId() == reqId && t.tickType() == BID).toList();
            return streamed.size() >= 2 ? close + 1 : null;
        }, i -> i != null);
    }

    private long count(int reqId, int tickType) {
        return c.received(TickPrice.class).stream().filter(t -> t.reqId() == reqId && t.tickType() == tickType)
                .count();
    }

    private List<ServerMessage> forRequest(int reqId) {
        return forRequest(reqId, c.received());
    }

    private static List<ServerMessage> forRequest(int reqId, List<ServerMessage> messages) {
        return messages.stream().filter(m -> reqIdOf(m) == reqId).toList();
    }

    private static int reqIdOf(ServerMessage m) {
        if (m instanceof TickPrice t) {
            return t.reqId();
        } else if (m instanceof TickSize t) {
            return t.reqId();
        } else if (m instanceof ServerMessage.TickReqParams t) {
            return t.reqId();
        } else if (m instanceof ServerMessage.MarketDataType t) {
            return t.reqId();
        } else if (m instanceof ServerMessage.TickSnapshotEnd t) {
            return t.reqId();
        } else if (m instanceof ServerMessage.ErrorMessage e) {
            return e.id();
        }
        return Integer.MIN_VALUE;
    }
}
