package io.twsbridge.sim;

import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.ExecutionFilter;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.protocol.message.ServerMessage.ErrorMessage;
import io.twsbridge.protocol.message.ServerMessage.TickPrice;
import io.twsbridge.sim.support.TcpStates;
import io.twsbridge.sim.support.TwsTestClient;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assumptions.assumingThat;

/** Each fault of the simulator, as the client on the other end of the socket experiences it. */
class FaultInjectionTest extends SimulatorTestBase {

    private static final Duration DELAY = Duration.ofMillis(800);

    // ---- delays ---------------------------------------------------------------------------------------------

    @Test
    void handshakeDelaySetAtRuntimeHoldsBackTheServerVersion() throws Exception {
        start(config());
        sim.faults().setHandshakeDelay(DELAY);
        assertServerVersionHeldBack();
    }

    @Test
    void handshakeDelayFromTheConfigHoldsBackTheServerVersion() throws Exception {
        start(config().handshakeDelay(DELAY));
        assertServerVersionHeldBack();
    }

    private void assertServerVersionHeldBack() throws Exception {
        TwsTestClient c = open();
        long sent = System.nanoTime();
        c.sendHello(157, 178);

        c.readTimeout(Duration.ofMillis(200));
        assertThatThrownBy(c::readServerHello).isInstanceOf(SocketTimeoutException.class);

        c.readTimeout(TIMEOUT);
        assertThat(c.readServerHello().serverVersion()).isEqualTo(176);
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThanOrEqualTo(DELAY);
    }

    @Test
    void apiDelayHoldsBackAccountsAndNextValidId() throws Exception {
        start(config());
        sim.faults().setApiDelay(DELAY);
        TwsTestClient c = open();
        c.readTimeout(TIMEOUT);
        c.sendHello(157, 178);
        c.readServerHello();
        c.startReader();

        long sent = System.nanoTime();
        c.send(new ClientMessage.StartApi(1, ""));

        assertThatThrownBy(() -> c.await(ServerMessage.ManagedAccounts.class, Duration.ofMillis(200)))
                .isInstanceOf(AssertionError.class).hasMessageStartingWith("no ManagedAccounts");
        c.await(ServerMessage.ManagedAccounts.class, TIMEOUT);
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThanOrEqualTo(DELAY);
        c.await(ServerMessage.NextValidId.class, TIMEOUT);
        assertThat(c.received().get(0)).as("nothing came before the accounts")
                .isInstanceOf(ServerMessage.ManagedAccounts.class);
    }

    // ---- zombies ----------------------------------------------------------------------------------------------

    @Test
    void aZombieKeepsItsSocketInCloseWaitAndHoldsItsClientIdUntilCleared() throws Exception {
        start(config());
        sim.faults().setZombieOnDisconnect(true);
        TwsTestClient leaving = client(5);
        int clientPort = leaving.localPort();
        // Read the whole opening first: closing with unread bytes makes the kernel send RST, not FIN, and a
        // reset socket never enters CLOSE_WAIT.
        leaving.awaitError(2158, TIMEOUT);

        leaving.close();

        eventually().until(() -> sim.state().zombieCount() == 1);
        assumingThat(TcpStates.available(), () -> eventually().until(
                () -> TcpStates.count(sim.apiPort(), clientPort, TcpStates.CLOSE_WAIT) == 1));
        TwsTestClient rejected = connect(5);
        assertThat(rejected.awaitError(326, TIMEOUT).id()).isEqualTo(-1);
        eventually().until(rejected::ended);

        sim.clearZombies();

        assertThat(sim.state().zombieCount()).isZero();
        assumingThat(TcpStates.available(), () -> eventually().until(
                () -> TcpStates.count(sim.apiPort(), clientPort, TcpStates.CLOSE_WAIT) == 0));
        TwsTestClient back = client(5);
        assertThat(back.received(ErrorMessage.class)).extracting(ErrorMessage::code).doesNotContain(326);
    }

    @Test
    void withoutTheFaultALeavingClientIsClosedAndFreesItsClientId() throws Exception {
        start(config());
        TwsTestClient leaving = client(5);
        int clientPort = leaving.localPort();

        leaving.close();

        eventually().until(() -> sim.state().connections().isEmpty());
        assertThat(sim.state().zombieCount()).isZero();
        assumingThat(TcpStates.available(), () ->
                assertThat(TcpStates.count(sim.apiPort(), clientPort, TcpStates.CLOSE_WAIT)).isZero());
        client(5);
    }

    @Test
    void zombiesStallNewHandshakesUntilTheyAreCleared() throws Exception {
        start(config().zombieOnDisconnect(true).zombiesBlockHandshakes(true));
        client(5).close();
        eventually().until(() -> sim.state().zombieCount() == 1);

        TwsTestClient stalled = open();
        stalled.sendHello(157, 178);

        eventually().until(() -> sim.state().stalledCount() == 1);
        stalled.readTimeout(Duration.ofMillis(300));
        assertThatThrownBy(stalled::readServerHello).isInstanceOf(SocketTimeoutException.class);
        assertThat(sim.state().connectionsAccepted()).isEqualTo(2);

        sim.clearZombies();

        stalled.readTimeout(TIMEOUT);
        assertThat(stalled.readsEndOfStream()).as("the stalled socket is closed").isTrue();
        assertThat(sim.state().stalledCount()).isZero();
        assertThat(sim.state().zombieCount()).isZero();
        TwsTestClient fresh = connect(6);
        assertThat(fresh.serverHello().serverVersion()).isEqualTo(176);
        fresh.await(ServerMessage.NextValidId.class, TIMEOUT);
    }

    @Test
    void aZombieItsClientResetStillCountsAndBlocksHandshakesThoughTheKernelDroppedItsCloseWait() throws Exception {
        // As the seed's Gateway showed them: the Gateway counts the connection it never closed whatever became of
        // the TCP socket, so a probe of CLOSE_WAIT sockets sees nothing while the Gateway answers no handshake.
        start(config().zombieOnDisconnect(true).zombiesBlockHandshakes(true));
        TwsTestClient leaving = client(5);
        int clientPort = leaving.localPort();
        leaving.reset();

        eventually().until(() -> sim.state().zombieCount() == 1);
        assumingThat(TcpStates.available(), () -> assertThat(TcpStates.count(sim.apiPort(), clientPort,
                TcpStates.CLOSE_WAIT)).as("a reset socket never enters CLOSE_WAIT").isZero());
        TwsTestClient stalled = open();
        stalled.sendHello(157, 178);
        eventually().until(() -> sim.state().stalledCount() == 1);
        stalled.readTimeout(Duration.ofMillis(300));
        assertThatThrownBy(stalled::readServerHello).isInstanceOf(SocketTimeoutException.class);

        sim.restart(Duration.ZERO); // only a Gateway restart (or clear-zombies) ends it

        assertThat(sim.state().zombieCount()).isZero();
        TwsTestClient fresh = connect(6);
        assertThat(fresh.serverHello().serverVersion()).isEqualTo(176);
    }

    @Test
    void aStalledConnectionItsClientClosesStaysInCloseWaitUntilCleared() throws Exception {
        assumingThat(TcpStates.available(), () -> {
            start(config().zombieOnDisconnect(true).zombiesBlockHandshakes(true));
            client(5).close();
            eventually().until(() -> sim.state().zombieCount() == 1);
            TwsTestClient stalled = open();
            int clientPort = stalled.localPort();
            stalled.sendHello(157, 178);
            eventually().until(() -> sim.state().stalledCount() == 1);

            stalled.close(); // what a client's handshake timeout does: one more zombie

            eventually().until(() -> TcpStates.count(sim.apiPort(), clientPort, TcpStates.CLOSE_WAIT) == 1);
            sim.clearZombies();
            eventually().until(() -> TcpStates.count(sim.apiPort(), clientPort, TcpStates.CLOSE_WAIT) == 0);
        });
    }

    // ---- dropped links ----------------------------------------------------------------------------------------

    @Test
    void dropAllClosesEveryClientAndKeepsListening() throws Exception {
        start(config());
        TwsTestClient a = client(1);
        TwsTestClient b = client(2);

        sim.dropAllConnections();

        eventually().until(() -> a.ended() && b.ended());
        assertThat(a.failure()).isNull();
        assertThat(b.failure()).isNull();
        eventually().until(() -> sim.state().connections().isEmpty());
        assertThat(sim.state().listening()).isTrue();
        client(1);
    }

    @Test
    void flappingDropsEveryConnectionItsTimeAfterAcceptUntilItEnds() throws Exception {
        start(config());
        TwsTestClient before = client(1);

        Flapping flapping = sim.startFlapping(Duration.ofMillis(300));
        eventually().until(before::ended);
        TwsTestClient during = client(1);
        long acceptedAt = System.nanoTime();
        eventually().until(during::ended);
        assertThat(Duration.ofNanos(System.nanoTime() - acceptedAt)).as("up for about its time, not dropped at once")
                .isGreaterThanOrEqualTo(Duration.ofMillis(200));
        try (Flapping instant = sim.startFlapping(Duration.ZERO)) {
            assertThatThrownBy(() -> connect(2)).isInstanceOf(java.io.IOException.class)
                    .hasMessageContaining("closed before the server-version reply");
            assertThat(instant.accepted()).isEqualTo(1);
            assertThat(instant.dropped()).isEqualTo(1);
        }

        assertThat(flapping.accepted()).isEqualTo(1);
        assertThat(flapping.dropped()).as("the adopted connection and the one accepted while flapping").isEqualTo(2);
        assertThat(flapping.maxLiveAtAccept()).isEqualTo(1);
        TwsTestClient after = client(1);
        eventually().during(Duration.ofMillis(600)).until(() -> !after.ended());
    }

    // ---- connectivity between the Gateway and IB ------------------------------------------------------------

    @Test
    void connectivityLostThenRestoredWithDataLostDropsSubscriptions() throws Exception {
        start(config().tickRate(50));
        TwsTestClient c = client(1);
        subscribe(c, 1, 1, "AAPL");

        sim.connectivityLost();

        assertThat(c.awaitError(1100, TIMEOUT).id()).isEqualTo(-1);
        assertThat(sim.state().connectivityLost()).isTrue();
        // a client connecting meanwhile is told at once
        TwsTestClient late = client(2);
        assertThat(late.awaitError(1100, TIMEOUT).id()).isEqualTo(-1);

        sim.connectivityRestored(true);

        assertThat(c.awaitError(1101, TIMEOUT).id()).isEqualTo(-1);
        assertThat(sim.state().connectivityLost()).isFalse();
        assertThat(sim.state().subscriptions()).isEmpty();
    }

    @Test
    void connectivityRestoredWithDataMaintainedKeepsTheSubscriptionStreaming() throws Exception {
        start(config().tickRate(50));
        TwsTestClient c = client(1);
        subscribe(c, 1, 1, "AAPL");
        sim.connectivityLost();
        c.awaitError(1100, TIMEOUT);

        sim.connectivityRestored(false);

        assertThat(c.awaitError(1102, TIMEOUT).id()).isEqualTo(-1);
        assertThat(sim.state().subscriptions()).containsExactly(new SimulatorState.Subscription(1, 1, "AAPL"));
        int restoredAt = indexOf(c, ErrorMessage.class, e -> e.code() == 1102);
        eventually().until(() -> only(c.received().subList(restoredAt, c.received().size()), TickPrice.class)
                .stream().filter(t -> t.reqId() == 1).count() >= 3);
    }

    // ---- Gateway restart --------------------------------------------------------------------------------------

    @Test
    void restartRefusesConnectionsForAWhileAndKeepsOrdersAndExecutions() throws Exception {
        start(config());
        TwsTestClient c = client(1);
        c.send(place(1, "AAPL", market("BUY", 10, "before-restart-fill")));
        c.send(place(2, "AAPL", limit("BUY", 10, 1.00, "before-restart-cancel")));
        c.send(place(3, "AAPL", limit("BUY", 10, 1.00, "before-restart-rest")));
        ServerMessage.ExecDetails fill = c.await(ServerMessage.ExecDetails.class, e -> e.orderId() == 1, TIMEOUT);
        c.await(ServerMessage.OrderStatus.class, s -> s.orderId() == 3 && s.status().equals("Submitted"), TIMEOUT);
        c.send(new ClientMessage.CancelOrder(2));
        c.await(ServerMessage.OrderStatus.class, s -> s.orderId() == 2 && s.status().equals("Cancelled"), TIMEOUT);
        int port = sim.apiPort();

        sim.restart(Duration.ofMillis(2_000));

        eventually().until(c::ended);
        assertThat(c.failure()).isNull();
        assertThatThrownBy(() -> TwsTestClient.open(port)).isInstanceOf(ConnectException.class);
        TwsTestClient again = await10s().ignoreExceptionsInstanceOf(ConnectException.class)
                .until(() -> track(TwsTestClient.connect(port, 1)), Objects::nonNull);
        assertThat(sim.apiPort()).isEqualTo(port);
        assertThat(again.await(ServerMessage.NextValidId.class, TIMEOUT).orderId())
                .as("order ids used before the restart stay used").isEqualTo(4);

        List<ServerMessage> executions = reply(again, new ClientMessage.ReqExecutions(9, ExecutionFilter.all()),
                ServerMessage.ExecDetailsEnd.class);
        assertThat(only(executions, ServerMessage.ExecDetails.class))
                .singleElement()
                .satisfies(e -> {
                    assertThat(e.reqId()).isEqualTo(9);
                    assertThat(e.orderId()).isEqualTo(1);
                    assertThat(e.execution()).isEqualTo(fill.execution());
                });
        assertThat(only(executions, ServerMessage.CommissionReport.class))
                .extracting(ServerMessage.CommissionReport::execId).containsExactly(fill.execution().execId());

        List<ServerMessage> completed = reply(again, new ClientMessage.ReqCompletedOrders(false),
                ServerMessage.CompletedOrdersEnd.class);
        assertThat(only(completed, ServerMessage.CompletedOrder.class))
                .extracting(o -> o.order().orderRef(), o -> o.orderState().status())
                .containsExactlyInAnyOrder(
                        tuple("before-restart-fill", "Filled"),
                        tuple("before-restart-cancel", "Cancelled"));

        List<ServerMessage> open = reply(again, new ClientMessage.ReqOpenOrders(), ServerMessage.OpenOrderEnd.class);
        assertThat(only(open, ServerMessage.OpenOrder.class))
                .extracting(ServerMessage.OpenOrder::orderId).containsExactly(3L);
    }

    private static ConditionFactory await10s() {
        return eventually().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50));
    }
}
