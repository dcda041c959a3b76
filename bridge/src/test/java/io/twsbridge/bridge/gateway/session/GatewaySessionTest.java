package io.twsbridge.bridge.gateway.session;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.twsbridge.bridge.gateway.GatewayConfig;
import io.twsbridge.bridge.gateway.UnansweredConnection;
import io.twsbridge.bridge.gateway.supervisor.ConnectionSupervisor;
import io.twsbridge.bridge.gateway.zombie.ZombieProbe;
import io.twsbridge.bridge.testing.InMemoryGateway;
import io.twsbridge.bridge.time.ManualEventLoop;
import io.twsbridge.protocol.ProtocolException;
import io.twsbridge.protocol.ServerVersion;
import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.protocol.wire.FieldWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the Gateway session does, one behaviour per test, read as its specification.
 *
 * <p>The session runs on a {@link ManualEventLoop} and talks to an {@link InMemoryGateway}: real TWS bytes through
 * the real codec, but no sockets, no threads and no wall-clock time. Timeouts are reached by moving the loop's
 * clock, so a test of a 30-second sync timeout takes microseconds, and a test that passes cannot have passed by
 * luck of timing.
 */
class GatewaySessionTest {

    private static final int SERVER_VERSION = ServerVersion.MAX_SUPPORTED;
    private static final List<String> ACCOUNTS = List.of("DU111111", "DU222222");
    private static final Contract AAPL = Contract.stock("AAPL", "SMART", "USD");

    private final ManualEventLoop loop = new ManualEventLoop();
    private final InMemoryGateway gateway = new InMemoryGateway();
    private final List<SessionStateChange> changes = new ArrayList<>();
    private final List<ServerMessage> messages = new ArrayList<>();
    private final List<String> faults = new ArrayList<>();
    private final List<String> linksLost = new ArrayList<>();
    private GatewayConfig config = GatewayConfig.builder()
            .connectTimeout(Duration.ofSeconds(5))
            .handshakeTimeout(Duration.ofSeconds(10))
            .apiReadyTimeout(Duration.ofSeconds(15))
            .syncTimeouts(new GatewayConfig.SyncTimeouts(Duration.ofSeconds(20), Duration.ofSeconds(21),
                    Duration.ofSeconds(22), Duration.ofSeconds(23), Duration.ofSeconds(24)))
            .build();
    private GatewaySession session;

    private GatewaySession session() {
        if (session == null) {
            session = new GatewaySession(config, loop, gateway);
            session.addListener(new SessionListener() {
                @Override
                public void onStateChange(SessionStateChange change) {
                    changes.add(change);
                }

                @Override
                public void onMessage(ServerMessage message) {
                    messages.add(message);
                }

                @Override
                public void onProtocolFault(String detail) {
                    faults.add(detail);
                }

                @Override
                public void onLinkLost(String reason) {
                    linksLost.add(reason);
                }
            });
        }
        return session;
    }

    // ---- the steps of a connect, as the Gateway takes them ----------------------------------------------------

    private CompletableFuture<AttemptOutcome> connect(int clientId) {
        CompletableFuture<AttemptOutcome> outcome = session().connect(clientId);
        loop.runReady();
        return outcome;
    }

    /** The Gateway answers the hello; the session sends startApi. */
    private InMemoryGateway.Peer serverVersion() {
        InMemoryGateway.Peer peer = gateway.peer();
        peer.replyHello(SERVER_VERSION);
        loop.runReady();
        return peer;
    }

    /** nextValidId and the accounts: the API is ready, and the session starts the initial sync. */
    private void apiReady(InMemoryGateway.Peer peer) {
        peer.send(new ServerMessage.NextValidId(1_001), new ServerMessage.ManagedAccounts(ACCOUNTS));
        loop.runReady();
    }

    /** Ends every sync step except those named, each answered to the request id the session chose. */
    private void endSync(InMemoryGateway.Peer peer, List<ClientMessage> requests, GatewaySession.SyncStep... except) {
        List<GatewaySession.SyncStep> skip = List.of(except);
        for (ClientMessage r : requests) {
            ServerMessage end = r instanceof ClientMessage.ReqPositions ? step(skip, GatewaySession.SyncStep.POSITIONS,
                    new ServerMessage.PositionEnd())
                    : r instanceof ClientMessage.ReqAllOpenOrders ? step(skip, GatewaySession.SyncStep.OPEN_ORDERS,
                    new ServerMessage.OpenOrderEnd())
                    : r instanceof ClientMessage.ReqCompletedOrders ? step(skip,
                    GatewaySession.SyncStep.COMPLETED_ORDERS, new ServerMessage.CompletedOrdersEnd())
                    : r instanceof ClientMessage.ReqExecutions m ? step(skip, GatewaySession.SyncStep.EXECUTIONS,
                    new ServerMessage.ExecDetailsEnd(m.reqId()))
                    : r instanceof ClientMessage.ReqAccountSummary m ? step(skip,
                    GatewaySession.SyncStep.ACCOUNT_SUMMARY, new ServerMessage.AccountSummaryEnd(m.reqId()))
                    : null;
            if (end != null) {
                peer.send(end);
            }
        }
        loop.runReady();
    }

    private static ServerMessage step(List<GatewaySession.SyncStep> skip, GatewaySession.SyncStep step,
                                      ServerMessage end) {
        return skip.contains(step) ? null : end;
    }

    /** A whole connect to READY; returns the Gateway's end of the link, its received messages read. */
    private InMemoryGateway.Peer ready(int clientId) {
        CompletableFuture<AttemptOutcome> outcome = connect(clientId);
        InMemoryGateway.Peer peer = serverVersion();
        apiReady(peer);
        endSync(peer, peer.received());
        assertThat(outcome).isCompletedWithValueMatching(o -> o instanceof AttemptOutcome.Ready);
        return peer;
    }

    private static AttemptOutcome.Failed failed(CompletableFuture<AttemptOutcome> outcome) {
        assertThat(outcome).as("the attempt's outcome").isDone();
        AttemptOutcome o = outcome.join();
        assertThat(o).isInstanceOf(AttemptOutcome.Failed.class);
        return (AttemptOutcome.Failed) o;
    }

    private List<SessionState> path() {
        return changes.stream().map(SessionStateChange::to).toList();
    }

    // ---- readiness ----------------------------------------------------------------------------------------------

    @Nested
    class Readiness {

        @Test
        void theReadyReasonTimesTheWholeConnectAndItsHandshakeAndSyncApart() {
            CompletableFuture<AttemptOutcome> outcome = connect(17);
            InMemoryGateway.Peer peer = serverVersion();
            loop.advance(Duration.ofMillis(300));
            apiReady(peer);
            loop.advance(Duration.ofMillis(1_200));
            endSync(peer, peer.received());

            assertThat(outcome.join()).isInstanceOf(AttemptOutcome.Ready.class);
            assertThat(session.snapshot().reason())
                    .endsWith(", in 1500 ms (handshake 300 ms, initial sync 1200 ms)");
        }

        @Test
        void readyComesOnlyAfterNextValidIdNonEmptyAccountsAndEverySyncStepHaveArrived() {
            CompletableFuture<AttemptOutcome> outcome = connect(17);
            InMemoryGateway.Peer peer = serverVersion();
            assertThat(peer.hello().minVersion()).isEqualTo(config.minServerVersion());
            assertThat(peer.receivedOne(ClientMessage.StartApi.class).clientId()).isEqualTo(17);
            assertThat(session.snapshot().accounts()).isEmpty();

            peer.send(new ServerMessage.NextValidId(1_001));
            loop.runReady();
            assertThat(session.state()).as("nextValidId alone").isEqualTo(SessionState.HANDSHAKING);

            peer.send(new ServerMessage.ManagedAccounts(List.of()));
            loop.runReady();
            assertThat(session.state()).as("an empty managedAccounts").isEqualTo(SessionState.HANDSHAKING);

            peer.send(new ServerMessage.ManagedAccounts(ACCOUNTS));
            loop.runReady();
            assertThat(session.state()).isEqualTo(SessionState.SYNCING);
            assertThat(session.snapshot().accounts()).as("accounts while syncing").isEmpty();
            assertThat(session.snapshot().connected()).isFalse();

            List<ClientMessage> sync = peer.received();
            endSync(peer, sync, GatewaySession.SyncStep.ACCOUNT_SUMMARY);
            assertThat(session.state()).as("one step still open").isEqualTo(SessionState.SYNCING);
            assertThat(outcome).isNotDone();

            endSync(peer, sync, GatewaySession.SyncStep.POSITIONS, GatewaySession.SyncStep.OPEN_ORDERS,
                    GatewaySession.SyncStep.COMPLETED_ORDERS, GatewaySession.SyncStep.EXECUTIONS);
            assertThat(session.snapshot()).isEqualTo(new SessionSnapshot(SessionState.READY,
                    session.snapshot().reason(), ACCOUNTS, SERVER_VERSION, 17));
            assertThat(outcome.join()).isEqualTo(new AttemptOutcome.Ready(17, SERVER_VERSION, ACCOUNTS, Duration.ZERO));
            assertThat(path()).containsExactly(SessionState.CONNECTING, SessionState.HANDSHAKING,
                    SessionState.HANDSHAKING, SessionState.SYNCING, SessionState.READY);
            assertThat(session.nextOrderId()).isEqualTo(1_001);
        }

        @Test
        void theInitialSyncAsksForPositionsOrdersExecutionsAndTheAccountSummary() {
            connect(17);
            InMemoryGateway.Peer peer = serverVersion();
            peer.received();
            apiReady(peer);

            assertThat(peer.received()).extracting(m -> m.getClass().getSimpleName()).containsExactlyInAnyOrder(
                    "ReqPositions", "ReqAllOpenOrders", "ReqCompletedOrders", "ReqExecutions", "ReqAccountSummary");
        }

        @Test
        void anEndForAnotherRequestIdDoesNotEndASyncStep() {
            CompletableFuture<AttemptOutcome> outcome = connect(17);
            InMemoryGateway.Peer peer = serverVersion();
            apiReady(peer);
            List<ClientMessage> sync = peer.received();
            endSync(peer, sync, GatewaySession.SyncStep.EXECUTIONS);
            int executions = sync.stream().filter(ClientMessage.ReqExecutions.class::isInstance)
                    .map(m -> ((ClientMessage.ReqExecutions) m).reqId()).findFirst().orElseThrow();

            peer.send(new ServerMessage.ExecDetailsEnd(executions + 1));
            loop.runReady();

            assertThat(session.state()).isEqualTo(SessionState.SYNCING);
            assertThat(outcome).isNotDone();
        }

        @Test
        void marketDataWantedBeforeReadyIsRequestedOnceReadyAndAgainAfterEveryReconnect() {
            session().subscribeMarketData(AAPL);
            loop.runReady();
            InMemoryGateway.Peer first = ready(17);
            ClientMessage.ReqMktData request = first.receivedOne(ClientMessage.ReqMktData.class);
            assertThat(request.contract()).isEqualTo(AAPL);

            first.close();
            loop.runReady();
            assertThat(session.subscriptions().activeReqIds()).as("nothing active without a link").isEmpty();
            InMemoryGateway.Peer second = ready(17);

            ClientMessage.ReqMktData again = second.receivedOne(ClientMessage.ReqMktData.class);
            assertThat(again.contract()).isEqualTo(AAPL);
            assertThat(again.reqId()).as("a fresh request id").isNotEqualTo(request.reqId());
        }

        @Test
        void whatIsWantedCountsTheCallersOwnLastChangeBeforeTheLoopHasRunIt() {
            GatewaySession s = session();
            s.subscribeMarketData(AAPL);
            assertThat(s.wantsMarketData(AAPL)).as("read on the caller's thread, loop not run").isTrue();
            assertThat(s.wantedMarketDataCount()).isEqualTo(1);
            s.unsubscribeMarketData(AAPL);
            assertThat(s.wantsMarketData(AAPL)).isFalse();

            loop.runReady();

            assertThat(s.subscriptions().desired()).as("the loop applied both, in order").isEmpty();
        }

        @Test
        void aSubscriptionAddedWhileReadyIsRequestedAtOnceAndCancelledOnUnsubscribe() {
            InMemoryGateway.Peer peer = ready(17);
            session.subscribeMarketData(AAPL);
            loop.runReady();
            int reqId = peer.receivedOne(ClientMessage.ReqMktData.class).reqId();

            session.unsubscribeMarketData(AAPL);
            loop.runReady();

            assertThat(peer.receivedOne(ClientMessage.CancelMktData.class).reqId()).isEqualTo(reqId);
        }
    }

    // ---- real-time bars -----------------------------------------------------------------------------------------

    @Nested
    class RealTimeBars {

        private final BarSubscription aaplTrades = new BarSubscription(AAPL, "TRADES", true);

        private List<ClientMessage.ReqRealTimeBars> barRequests(List<ClientMessage> received) {
            return received.stream().filter(ClientMessage.ReqRealTimeBars.class::isInstance)
                    .map(ClientMessage.ReqRealTimeBars.class::cast).toList();
        }

        @Test
        void barsWantedBeforeReadyAreRequestedOnceReadyAndOnceAgainAfterEveryReconnect() {
            session().subscribeRealTimeBars(aaplTrades);
            loop.runReady();
            InMemoryGateway.Peer first = ready(17);
            ClientMessage.ReqRealTimeBars request = first.receivedOne(ClientMessage.ReqRealTimeBars.class);
            assertThat(request).isEqualTo(new ClientMessage.ReqRealTimeBars(request.reqId(), AAPL, 5, "TRADES", true, ""));
            assertThat(session.realTimeBars().forReqId(request.reqId())).contains(aaplTrades);

            first.close();
            loop.runReady();
            assertThat(session.realTimeBars().activeReqIds()).as("nothing active without a link").isEmpty();
            assertThat(session.realTimeBars().forReqId(request.reqId())).isEmpty();
            InMemoryGateway.Peer second = ready(17);

            List<ClientMessage.ReqRealTimeBars> again = barRequests(second.received());
            assertThat(again).as("exactly one request per reconnect").hasSize(1);
            assertThat(again.get(0).contract()).isEqualTo(AAPL);
            assertThat(again.get(0).reqId()).as("a fresh request id").isNotEqualTo(request.reqId());
            assertThat(session.realTimeBars().activeReqIds()).containsExactly(again.get(0).reqId());
        }

        @Test
        void aBustEventEndsTheRequestAndTheBarsAreRequestedAgainAtOnceUnderANewId() {
            InMemoryGateway.Peer peer = ready(17);
            session.subscribeRealTimeBars(aaplTrades);
            loop.runReady();
            int busted = peer.receivedOne(ClientMessage.ReqRealTimeBars.class).reqId();

            peer.send(new ServerMessage.ErrorMessage(busted, 10225, "Bust event occurred, current subscription is "
                    + "deactivated. Please resubscribe real-time bars immediately."));
            loop.runReady();

            List<ClientMessage> sent = peer.received();
            assertThat(sent).as("the busted request ended, then a new one").hasSize(2);
            assertThat(sent.get(0)).isEqualTo(new ClientMessage.CancelRealTimeBars(busted));
            ClientMessage.ReqRealTimeBars again = (ClientMessage.ReqRealTimeBars) sent.get(1);
            assertThat(again).isEqualTo(new ClientMessage.ReqRealTimeBars(again.reqId(), AAPL, 5, "TRADES", true, ""));
            assertThat(again.reqId()).isNotEqualTo(busted);
            assertThat(session.realTimeBars().activeReqIds()).as("still one subscription").containsExactly(again.reqId());
            assertThat(session.realTimeBars().forReqId(busted)).isEmpty();

            // A 10225 under an id that is no bar subscription (an old one) requests nothing.
            peer.send(new ServerMessage.ErrorMessage(busted, 10225, "Bust event occurred"));
            loop.runReady();
            assertThat(barRequests(peer.received())).isEmpty();
        }

        @Test
        void aSecondSubscribeOfTheSameBarsSendsNothingAndUnsubscribeCancelsTheRequest() {
            InMemoryGateway.Peer peer = ready(17);
            session.subscribeRealTimeBars(aaplTrades);
            session.subscribeRealTimeBars(new BarSubscription(AAPL, "TRADES", true));
            loop.runReady();
            int reqId = peer.receivedOne(ClientMessage.ReqRealTimeBars.class).reqId();

            session.unsubscribeRealTimeBars(aaplTrades);
            loop.runReady();

            assertThat(peer.receivedOne(ClientMessage.CancelRealTimeBars.class).reqId()).isEqualTo(reqId);
            assertThat(session.realTimeBars().desired()).isEmpty();
        }

        @Test
        void otherKindsOrHoursOfTheSameInstrumentAreSubscriptionsOfTheirOwn() {
            InMemoryGateway.Peer peer = ready(17);
            session.subscribeRealTimeBars(aaplTrades);
            session.subscribeRealTimeBars(new BarSubscription(AAPL, "MIDPOINT", true));
            session.subscribeRealTimeBars(new BarSubscription(AAPL, "TRADES", false));
            loop.runReady();

            assertThat(barRequests(peer.received())).extracting(r -> r.whatToShow() + " " + r.useRth())
                    .containsExactly("TRADES true", "MIDPOINT true", "TRADES false");
        }

        @Test
        void theLinesWantedCountQuotesAndBarsEachOnceOnTheCallersThread() {
            GatewaySession s = session();
            s.subscribeMarketData(AAPL);
            s.subscribeRealTimeBars(aaplTrades);
            s.subscribeRealTimeBars(aaplTrades);
            assertThat(s.wantsRealTimeBars(aaplTrades)).as("read before the loop ran").isTrue();
            assertThat(s.wantedMarketDataLines()).isEqualTo(2);

            InMemoryGateway.Peer peer = ready(17);
            peer.send(new ServerMessage.ErrorMessage(-1, 1101, "Connectivity restored - data lost.", ""));
            loop.runReady();
            assertThat(s.wantedMarketDataLines()).as("restoring takes no new line").isEqualTo(2);

            s.unsubscribeRealTimeBars(aaplTrades);
            assertThat(s.wantsRealTimeBars(aaplTrades)).isFalse();
            assertThat(s.wantedMarketDataLines()).isEqualTo(1);
        }

        @Test
        void error1101RequestsBarsAgainUnderAFreshIdAndTheOldIdNoLongerNamesThem() {
            session().subscribeRealTimeBars(aaplTrades);
            session().subscribeMarketData(AAPL);
            InMemoryGateway.Peer peer = ready(17);
            int before = peer.receivedOne(ClientMessage.ReqRealTimeBars.class).reqId();
            peer.send(new ServerMessage.ErrorMessage(-1, 1100, "lost", ""));
            loop.runReady();

            peer.send(new ServerMessage.ErrorMessage(-1, 1101, "Connectivity restored - data lost.", ""));
            loop.runReady();

            List<ClientMessage> received = peer.received();
            List<ClientMessage.ReqRealTimeBars> again = barRequests(received);
            assertThat(again).hasSize(1);
            assertThat(received).as("quotes too").hasAtLeastOneElementOfType(ClientMessage.ReqMktData.class);
            assertThat(session.realTimeBars().activeReqIds()).containsExactly(again.get(0).reqId())
                    .doesNotContain(before);
            assertThat(session.realTimeBars().forReqId(before)).isEmpty();
        }

        @Test
        void error1102KeepsTheBarsAsTheyAre() {
            session().subscribeRealTimeBars(aaplTrades);
            InMemoryGateway.Peer peer = ready(17);
            int reqId = peer.receivedOne(ClientMessage.ReqRealTimeBars.class).reqId();
            peer.send(new ServerMessage.ErrorMessage(-1, 1100, "lost", ""));
            peer.send(new ServerMessage.ErrorMessage(-1, 1102, "Connectivity restored - data maintained.", ""));
            loop.runReady();

            assertThat(peer.received()).isEmpty();
            assertThat(session.realTimeBars().activeReqIds()).containsExactly(reqId);
        }

        @Test
        void shutdownCancelsTheBarsWithTheMarketData() {
            session().subscribeRealTimeBars(aaplTrades);
            InMemoryGateway.Peer peer = ready(17);
            int reqId = peer.receivedOne(ClientMessage.ReqRealTimeBars.class).reqId();

            CompletableFuture<ShutdownReport> done = session.shutdown(Duration.ofSeconds(5));
            loop.runReady();

            assertThat(done.join().marketDataCancels()).isEqualTo(1);
            assertThat(peer.received()).contains(new ClientMessage.CancelRealTimeBars(reqId));
        }
    }

    // ---- connect and handshake ----------------------------------------------------------------------------------

    @Nested
    class ConnectAndHandshake {

        @Test
        void theEventLoopKeepsRunningWhileTheTcpConnectIsUnderWay() {
            gateway.holdConnects();
            CompletableFuture<AttemptOutcome> outcome = connect(17);
            List<String> ticks = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                loop.schedule(Duration.ofSeconds(1), () -> ticks.add("tick in " + session.state()));
                loop.advance(Duration.ofSeconds(1));
            }

            assertThat(ticks).as("a heartbeat's worth of timers, each run on time").containsExactly(
                    "tick in CONNECTING", "tick in CONNECTING", "tick in CONNECTING", "tick in CONNECTING");
            assertThat(outcome).isNotDone();

            gateway.acceptPending();
            loop.runReady();
            assertThat(session.state()).isEqualTo(SessionState.HANDSHAKING);
        }

        @Test
        void aConnectThatNeitherSucceedsNorFailsIsGivenUpAtTheConnectTimeout() {
            gateway.holdConnects();
            CompletableFuture<AttemptOutcome> outcome = connect(17);

            loop.advance(config.connectTimeout().minusMillis(1));
            assertThat(outcome).isNotDone();
            loop.advance(Duration.ofMillis(1));

            assertThat(failed(outcome).failure()).isEqualTo(AttemptFailure.CONNECT_TIMEOUT);
            assertThat(gateway.lastAttemptAbandoned()).as("the connect is aborted, not left to finish")
                    .startsWith("CONNECT_TIMEOUT");
            assertThat(session.state()).isEqualTo(SessionState.DISCONNECTED);
        }

        @Test
        void aLinkThatOpensWhileTheAttemptIsBeingGivenUpIsClosedAtOnce() {
            gateway.holdConnects();
            CompletableFuture<AttemptOutcome> outcome = connect(17);
            CompletableFuture<ShutdownReport> done = session.shutdown(Duration.ofSeconds(5));
            gateway.acceptPending(); // the connect completes while the shutdown waits for the loop

            loop.runReady();

            assertThat(failed(outcome).failure()).isEqualTo(AttemptFailure.SHUT_DOWN);
            assertThat(gateway.peer().isClosed()).as("the late link, closed").isTrue();
            assertThat(done).isCompletedWithValue(ShutdownReport.NO_LINK);
            assertThat(session.state()).isEqualTo(SessionState.CLOSED);
        }

        @Test
        void aRefusedConnectFailsAsRefusedWithTheReason() {
            gateway.failNextConnect(new ConnectException("Connection refused"));

            AttemptOutcome.Failed f = failed(connect(17));

            assertThat(f.failure()).isEqualTo(AttemptFailure.REFUSED);
            assertThat(f.detail()).contains("Connection refused");
        }

        @Test
        void aConnectorTimeoutCountsAsAConnectTimeout() {
            gateway.failNextConnect(new SocketTimeoutException("connect timed out"));

            assertThat(failed(connect(17)).failure()).isEqualTo(AttemptFailure.CONNECT_TIMEOUT);
        }

        @Test
        void anAcceptedConnectWithNoServerVersionReplyIsAHandshakeStallThatClosesWhenTheConfigurationSaysClose() {
            config = config.toBuilder().unansweredConnection(UnansweredConnection.CLOSE).build();
            CompletableFuture<AttemptOutcome> outcome = connect(17);
            InMemoryGateway.Peer peer = gateway.peer();

            loop.advance(config.handshakeTimeout().minusMillis(1));
            assertThat(outcome).isNotDone();
            loop.advance(Duration.ofMillis(1));

            AttemptOutcome.Failed f = failed(outcome);
            assertThat(f.failure()).isEqualTo(AttemptFailure.HANDSHAKE_STALL);
            assertThat(f.detail()).contains("zombie");
            assertThat(f.elapsed()).isEqualTo(config.handshakeTimeout());
            assertThat(peer.isClosed()).as("our socket is closed at once").isTrue();
        }

        @Test
        void aServerVersionReplyThatBeginsAndNeverEndsIsAProtocolErrorNotAStall() {
            CompletableFuture<AttemptOutcome> outcome = connect(17);
            byte[] reply = new FieldWriter(32).int32(SERVER_VERSION).string("20261207 14:30:00 UTC").toFrame();
            gateway.peer().sendBytes(java.util.Arrays.copyOf(reply, 6));

            loop.advance(config.handshakeTimeout());

            assertThat(failed(outcome).failure()).isEqualTo(AttemptFailure.PROTOCOL_ERROR);
        }

        @Test
        void aServerVersionOutsideTheSupportedRangeIsRefused() {
            CompletableFuture<AttemptOutcome> outcome = connect(17);
            InMemoryGateway.Peer peer = gateway.peer();
            peer.sendBytes(new FieldWriter(32).int32(config.maxServerVersion() + 1).string("now").toFrame());
            loop.runReady();

            AttemptOutcome.Failed f = failed(outcome);
            assertThat(f.failure()).isEqualTo(AttemptFailure.UNSUPPORTED_VERSION);
            assertThat(f.detail()).contains(String.valueOf(config.maxServerVersion() + 1));
            assertThat(peer.isClosed()).isTrue();
        }

        @Test
        void aMessageInPlaceOfTheServerVersionReplyIsAProtocolErrorNotAVersion() {
            CompletableFuture<AttemptOutcome> outcome = connect(17);
            gateway.peer().useVersion(SERVER_VERSION);
            gateway.peer().send(new ServerMessage.NextValidId(1)); // a message, where the reply must come

            loop.runReady();

            AttemptOutcome.Failed f = failed(outcome);
            assertThat(f.failure()).isEqualTo(AttemptFailure.PROTOCOL_ERROR);
            assertThat(f.detail()).contains("the first frame has 3 fields");
        }

        @Test
        void aNoticeInPlaceOfTheServerVersionReplyIsAProtocolError() {
            CompletableFuture<AttemptOutcome> outcome = connect(17);
            gateway.peer().useVersion(SERVER_VERSION);
            gateway.peer().send(new ServerMessage.ErrorMessage(-1, 2104, "Market data farm connection is OK:usfarm",
                    ""));

            loop.runReady();

            assertThat(failed(outcome).detail()).contains("the first frame has 6 fields"); // id, version, reqId, code, text, reject JSON
        }

        @Test
        void aServerVersionThatIsNoNumberIsAProtocolErrorNamingTheField() {
            CompletableFuture<AttemptOutcome> outcome = connect(17);
            gateway.peer().sendBytes(new FieldWriter(32).string("abc").string("20260101 12:00:00 UTC").toFrame());

            loop.runReady();

            AttemptOutcome.Failed f = failed(outcome);
            assertThat(f.failure()).isEqualTo(AttemptFailure.PROTOCOL_ERROR);
            assertThat(f.detail()).isEqualTo("bad server-version reply: field 0 is not an integer: 'abc'");
        }

        @Test
        void withoutNextValidIdTheApiReadyTimeoutEndsTheAttemptAndSaysWhatWasMissingWhenTheConfigurationSaysClose() {
            config = config.toBuilder().unansweredConnection(UnansweredConnection.CLOSE).build();
            CompletableFuture<AttemptOutcome> outcome = connect(17);
            InMemoryGateway.Peer peer = serverVersion();
            peer.send(new ServerMessage.ManagedAccounts(ACCOUNTS));
            loop.runReady();

            loop.advance(config.apiReadyTimeout().minusMillis(1));
            assertThat(outcome).isNotDone();
            loop.advance(Duration.ofMillis(1));

            AttemptOutcome.Failed f = failed(outcome);
            assertThat(f.failure()).isEqualTo(AttemptFailure.API_TIMEOUT);
            assertThat(f.detail()).contains("nextValidId missing").contains("managedAccounts arrived");
            assertThat(session.snapshot().accounts()).isEmpty();
        }

        @Test
        void withoutManagedAccountsTheApiReadyTimeoutEndsTheAttemptWhenTheConfigurationSaysClose() {
            config = config.toBuilder().unansweredConnection(UnansweredConnection.CLOSE).build();
            CompletableFuture<AttemptOutcome> outcome = connect(17);
            InMemoryGateway.Peer peer = serverVersion();
            peer.send(new ServerMessage.NextValidId(1));
            loop.runReady();

            loop.advance(config.apiReadyTimeout());

            assertThat(failed(outcome).detail()).contains("nextValidId arrived")
                    .contains("managedAccounts missing or empty");
        }

        @Test
        void byDefaultAConnectionWithNoServerVersionReplyIsKeptOpenAndALateAnswerStillReachesReady() {
            List<String> unanswered = new ArrayList<>();
            session().addListener(new SessionListener() {
                @Override
                public void onUnanswered(AttemptFailure kind, String detail) {
                    unanswered.add(kind + ": " + detail);
                }
            });
            CompletableFuture<AttemptOutcome> outcome = connect(17);
            InMemoryGateway.Peer peer = gateway.peer();

            loop.advance(config.handshakeTimeout());
            assertThat(unanswered).singleElement().asString().startsWith("HANDSHAKE_STALL: no server-version reply");
            assertThat(session.state()).isEqualTo(SessionState.HANDSHAKING);
            assertThat(session.snapshot().reason()).contains("has not answered")
                    .contains("the connection is kept open, waiting for the server-version reply")
                    .contains("gateway.unanswered-connection=keep");
            loop.advance(Duration.ofHours(1));
            assertThat(outcome).as("still the same attempt an hour on").isNotDone();
            assertThat(peer.isClosed()).as("our socket stays open: closing it would make a zombie").isFalse();
            assertThat(unanswered).as("said once").hasSize(1);

            // The Gateway was only slow: it answers on the kept connection, and the handshake goes on to READY.
            peer.replyHello(SERVER_VERSION);
            loop.runReady();
            apiReady(peer);
            endSync(peer, peer.received());
            assertThat(outcome).isCompletedWithValueMatching(o -> o instanceof AttemptOutcome.Ready);
            assertThat(gateway.attempts()).as("one connection all along").isEqualTo(1);
        }

        @Test
        void byDefaultAnUnansweredApiStartIsKeptOpenUntilTheGatewayClosesIt() {
            CompletableFuture<AttemptOutcome> outcome = connect(17);
            InMemoryGateway.Peer peer = serverVersion();
            peer.send(new ServerMessage.NextValidId(1));
            loop.runReady();

            loop.advance(config.apiReadyTimeout().plus(Duration.ofMinutes(30)));
            assertThat(outcome).isNotDone();
            assertThat(session.snapshot().reason()).contains("waiting for nextValidId and managedAccounts")
                    .contains("managedAccounts missing or empty");
            assertThat(peer.isClosed()).isFalse();

            peer.close(); // a Gateway restart closes it from its side: no zombie
            loop.runReady();
            AttemptOutcome.Failed f = failed(outcome);
            assertThat(f.failure()).isEqualTo(AttemptFailure.LINK_DROPPED);
            assertThat(session.state()).isEqualTo(SessionState.DISCONNECTED);
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(GatewaySession.SyncStep.class)
        void eachSyncStepHasItsOwnTimeoutAndNamesItselfWhenItExpires(GatewaySession.SyncStep step) {
            Duration timeout = switch (step) {
                case POSITIONS -> config.syncTimeouts().positions();
                case OPEN_ORDERS -> config.syncTimeouts().openOrders();
                case COMPLETED_ORDERS -> config.syncTimeouts().completedOrders();
                case EXECUTIONS -> config.syncTimeouts().executions();
                case ACCOUNT_SUMMARY -> config.syncTimeouts().accountSummary();
            };
            CompletableFuture<AttemptOutcome> outcome = connect(17);
            InMemoryGateway.Peer peer = serverVersion();
            apiReady(peer);
            endSync(peer, peer.received(), step);

            loop.advance(timeout.minusMillis(1));
            assertThat(outcome).as("just before the step's own timeout").isNotDone();
            loop.advance(Duration.ofMillis(1));

            AttemptOutcome.Failed f = failed(outcome);
            assertThat(f.failure()).isEqualTo(AttemptFailure.SYNC_TIMEOUT);
            assertThat(f.detail()).contains(step.name()).contains(String.valueOf(timeout.toMillis()));
            assertThat(peer.isClosed()).isTrue();
            assertThat(loop.pendingTimers()).as("the other steps' timers are cancelled").isZero();
        }

        @Test
        void aLinkThatDropsDuringTheHandshakeFailsTheAttemptAsDropped() {
            CompletableFuture<AttemptOutcome> outcome = connect(17);
            serverVersion().close();
            loop.runReady();

            AttemptOutcome.Failed f = failed(outcome);
            assertThat(f.failure()).isEqualTo(AttemptFailure.LINK_DROPPED);
            assertThat(linksLost).as("a failed attempt is not a lost link").isEmpty();
        }
    }

    // ---- client ids -------------------------------------------------------------------------------------------

    @Nested
    class ClientIds {

        @Test
        void error326FailsTheAttemptAsClientIdInUse() {
            CompletableFuture<AttemptOutcome> outcome = connect(17);
            InMemoryGateway.Peer peer = serverVersion();
            peer.send(new ServerMessage.ErrorMessage(-1, 326, "Unable to connect as the client id is already in use.",
                    ""));
            loop.runReady();

            AttemptOutcome.Failed f = failed(outcome);
            assertThat(f.failure()).isEqualTo(AttemptFailure.CLIENT_ID_IN_USE);
            assertThat(f.detail()).contains("17");
            assertThat(peer.isClosed()).isTrue();
        }

        @Test
        void theSupervisorMovesToTheFallbackIdAfter326AndTheSessionReportsTheIdInUse() {
            config = config.toBuilder().clientId(17).fallbackClientIds(List.of(18, 19)).backoffJitter(0.0).build();
            ZombieProbe noZombies = port -> new ZombieProbe.Result(0, true, "in memory");
            ConnectionSupervisor supervisor = new ConnectionSupervisor(config, session(), noZombies, loop);
            session.addListener(supervisor);
            supervisor.start();
            loop.runReady();

            InMemoryGateway.Peer first = serverVersion();
            assertThat(first.receivedOne(ClientMessage.StartApi.class).clientId()).isEqualTo(17);
            first.send(new ServerMessage.ErrorMessage(-1, 326, "client id is already in use", ""));
            loop.runReady();
            assertThat(gateway.attempts()).as("no retry before the backoff").isEqualTo(1);
            loop.advance(config.retryInitialBackoff());

            assertThat(gateway.attempts()).as("one more attempt after the backoff, not a storm").isEqualTo(2);
            InMemoryGateway.Peer second = gateway.peer();
            second.replyHello(SERVER_VERSION);
            loop.runReady();
            assertThat(second.receivedOne(ClientMessage.StartApi.class).clientId()).isEqualTo(18);
            apiReady(second);
            endSync(second, second.received());

            assertThat(session.snapshot().clientId()).isEqualTo(18);
            assertThat(supervisor.status().attempts()).isEqualTo(2);
            supervisor.stop();
        }
    }

    // ---- IB connectivity ----------------------------------------------------------------------------------------

    @Nested
    class Connectivity {

        @Test
        void error1100DegradesTheSessionAnd1102RestoresItWithMarketDataKept() {
            session().subscribeMarketData(AAPL);
            InMemoryGateway.Peer peer = ready(17);
            int reqId = peer.receivedOne(ClientMessage.ReqMktData.class).reqId();

            peer.send(new ServerMessage.ErrorMessage(-1, 1100, "Connectivity between IB and TWS has been lost.", ""));
            loop.runReady();
            assertThat(session.state()).isEqualTo(SessionState.DEGRADED);
            assertThat(session.snapshot().accounts()).as("still synced: the accounts stay").isEqualTo(ACCOUNTS);
            assertThat(session.send(new ClientMessage.ReqCurrentTime())).as("a degraded link still takes requests")
                    .isTrue();
            peer.received();

            peer.send(new ServerMessage.ErrorMessage(-1, 1102, "Connectivity restored - data maintained.", ""));
            loop.runReady();

            assertThat(session.state()).isEqualTo(SessionState.READY);
            assertThat(peer.received()).as("data maintained: nothing requested again").isEmpty();
            assertThat(session.subscriptions().activeReqIds()).containsExactly(reqId);
        }

        @Test
        void error1101RestoresTheSessionAndRequestsMarketDataAgain() {
            session().subscribeMarketData(AAPL);
            InMemoryGateway.Peer peer = ready(17);
            int before = peer.receivedOne(ClientMessage.ReqMktData.class).reqId();
            peer.send(new ServerMessage.ErrorMessage(-1, 1100, "lost", ""));
            loop.runReady();

            peer.send(new ServerMessage.ErrorMessage(-1, 1101, "Connectivity restored - data lost.", ""));
            loop.runReady();

            assertThat(session.state()).isEqualTo(SessionState.READY);
            ClientMessage.ReqMktData again = peer.receivedOne(ClientMessage.ReqMktData.class);
            assertThat(again.contract()).isEqualTo(AAPL);
            assertThat(session.subscriptions().activeReqIds()).containsExactly(again.reqId()).doesNotContain(before);
        }

        @Test
        void error1100DuringTheSyncMakesTheSessionDegradedRatherThanReady() {
            CompletableFuture<AttemptOutcome> outcome = connect(17);
            InMemoryGateway.Peer peer = serverVersion();
            apiReady(peer);
            List<ClientMessage> sync = peer.received();
            peer.send(new ServerMessage.ErrorMessage(-1, 1100, "lost", ""));
            endSync(peer, sync);

            assertThat(outcome.join()).isInstanceOf(AttemptOutcome.Ready.class);
            assertThat(session.state()).isEqualTo(SessionState.DEGRADED);
        }

        @Test
        void aFloodOfFarmNoticesChangesNothingAndIsLoggedOncePerInterval() {
            InMemoryGateway.Peer peer = ready(17);
            int changesBefore = changes.size();
            try (Captured log = Captured.from(GatewaySession.class)) {
                for (int i = 0; i < 10_000; i++) {
                    peer.send(new ServerMessage.ErrorMessage(-1, 2104, "Market data farm connection is OK:usfarm", ""));
                }
                loop.runReady();
                loop.advance(Duration.ofMinutes(1));
                peer.send(new ServerMessage.ErrorMessage(-1, 2104, "Market data farm connection is OK:usfarm", ""));
                loop.runReady();

                assertThat(log.lines("2104")).hasSize(2);
                assertThat(log.lines("2104").get(1)).contains("9999 repeats not logged");
            }
            assertThat(changes).hasSize(changesBefore);
            assertThat(session.state()).isEqualTo(SessionState.READY);
            assertThat(messages).filteredOn(ServerMessage.ErrorMessage.class::isInstance).hasSize(10_001);
        }
    }

    // ---- protocol faults ------------------------------------------------------------------------------------------

    @Nested
    class ProtocolFaults {

        @Test
        void aMalformedMessageOnASyncedLinkClosesItAndReportsTheFault() {
            InMemoryGateway.Peer peer = ready(17);
            // nextValidId (9) whose order id is not a number
            peer.sendBytes(new FieldWriter(16).int32(9).int32(1).string("not-a-number").toFrame());
            loop.runReady();

            assertThat(peer.isClosed()).isTrue();
            assertThat(faults).singleElement().asString()
                    .isEqualTo("malformed message: field 2 is not an integer: 'not-a-number'");
            assertThat(linksLost).hasSize(1);
            assertThat(session.state()).isEqualTo(SessionState.DISCONNECTED);
            assertThat(session.snapshot().accounts()).isEmpty();
        }

        @Test
        void aConditionalOrderIsDeliveredButAnUnknownConditionTypeClosesTheLinkAsAFault() {
            InMemoryGateway.Peer peer = ready(17);
            io.twsbridge.protocol.message.OrderConditions margin = io.twsbridge.protocol.message.OrderConditions.of(
                    false, false, new io.twsbridge.protocol.message.OrderCondition.Margin(
                            io.twsbridge.protocol.message.OrderCondition.Conjunction.AND, false, 30));
            ServerMessage.OpenOrder conditional = new ServerMessage.OpenOrder(0, Contract.stock("AAPL", "SMART", "USD"),
                    io.twsbridge.protocol.message.Order.builder("BUY", java.math.BigDecimal.ONE, "MKT").permId(99L)
                            .conditions(margin).build(),
                    io.twsbridge.protocol.message.OrderState.of("PreSubmitted"));
            peer.send(conditional);
            loop.runReady();

            assertThat(messages).contains(conditional);
            assertThat(session.state()).isEqualTo(SessionState.READY);

            // The margin condition's type 4, conjunction, isMore and percent, with type 9 in place of 4.
            String frame = new String(new io.twsbridge.protocol.codec.ServerMessageCodec(SERVER_VERSION)
                    .encode(conditional), java.nio.charset.StandardCharsets.ISO_8859_1);
            String broken = frame.replace("\u00004\u0000a\u00000\u000030\u0000", "\u00009\u0000a\u00000\u000030\u0000");
            assertThat(broken).isNotEqualTo(frame);
            peer.sendBytes(broken.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            loop.runReady();

            assertThat(peer.isClosed()).isTrue();
            assertThat(faults).singleElement().asString().startsWith("malformed message: order condition 1 has type 9");
            assertThat(session.state()).isEqualTo(SessionState.DISCONNECTED);
        }

        @Test
        void aMessageIdOutsideTheProtocolIsAFaultButAnUnmodelledOneIsSkippedAndCounted() {
            InMemoryGateway.Peer peer = ready(17);
            try (Captured log = Captured.from(GatewaySession.class)) {
                for (int i = 0; i < 1_000; i++) {
                    peer.sendBytes(new FieldWriter(16).int32(46).int32(6).int32(100_000_000).int32(45).string("x")
                            .toFrame());
                }
                loop.runReady();
                assertThat(log.lines("skipping Gateway message id 46")).as("logged once per id").hasSize(1);
            }
            assertThat(session.state()).as("tickString (46) is TWS, only not used").isEqualTo(SessionState.READY);
            assertThat(session.skippedMessages()).containsEntry(46, 1_000L);

            peer.sendBytes(new FieldWriter(16).int32(GatewaySession.MAX_PROTOCOL_MESSAGE_ID + 1).toFrame());
            loop.runReady();

            assertThat(faults).singleElement().asString()
                    .isEqualTo("message id " + (GatewaySession.MAX_PROTOCOL_MESSAGE_ID + 1) + " is outside the protocol's 1.."
                            + GatewaySession.MAX_PROTOCOL_MESSAGE_ID);
            assertThat(session.state()).isEqualTo(SessionState.DISCONNECTED);
        }

        @Test
        void aMalformedMessageDuringTheHandshakeFailsTheAttemptAsAProtocolError() {
            CompletableFuture<AttemptOutcome> outcome = connect(17);
            InMemoryGateway.Peer peer = serverVersion();
            peer.sendBytes(new FieldWriter(16).int32(9).int32(1).string("not-a-number").toFrame());
            loop.runReady();

            assertThat(failed(outcome).failure()).isEqualTo(AttemptFailure.PROTOCOL_ERROR);
            assertThat(faults).as("a fault before READY is a failed attempt, not a lost link").isEmpty();
        }

        @Test
        void aFaultTheTransportDetectsDuringTheHandshakeFailsTheAttemptAsAProtocolError() {
            CompletableFuture<AttemptOutcome> outcome = connect(17);
            InMemoryGateway.Peer peer = serverVersion();
            peer.send(new ServerMessage.ManagedAccounts(ACCOUNTS));
            peer.closeWithFault(new ProtocolException.TruncatedMessage("frame incomplete: 4 of 20 bytes"));
            loop.runReady();

            AttemptOutcome.Failed f = failed(outcome);
            assertThat(f.failure()).as("not an API timeout").isEqualTo(AttemptFailure.PROTOCOL_ERROR);
            assertThat(f.detail()).contains("frame incomplete: 4 of 20 bytes");
        }

        @Test
        void aFrameLongerThanTheProtocolAllowsEndsTheLinkAsAFault() {
            InMemoryGateway.Peer peer = ready(17);
            peer.sendBytes(new byte[]{0x7F, 0x00, 0x00, 0x00});
            loop.runReady();

            assertThat(faults).singleElement().asString().contains("exceeds the maximum");
            assertThat(session.state()).isEqualTo(SessionState.DISCONNECTED);
        }

        @Test
        void aFaultTheTransportDetectsIsReportedAsAProtocolFault() {
            InMemoryGateway.Peer peer = ready(17);
            peer.closeWithFault(new ProtocolException.TruncatedMessage("frame incomplete: 3 of 40 bytes"));
            loop.runReady();

            assertThat(faults).singleElement().asString().contains("frame incomplete");
            assertThat(linksLost).hasSize(1);
        }

        @Test
        void aFatalGatewayErrorClosesASyncedLink() {
            InMemoryGateway.Peer peer = ready(17);
            peer.send(new ServerMessage.ErrorMessage(-1, 505, "Fatal Error: Unknown message id.", ""));
            loop.runReady();

            assertThat(peer.closeReason()).contains("505");
            assertThat(session.state()).isEqualTo(SessionState.DISCONNECTED);
        }

        @Test
        void aPlainDropOfASyncedLinkIsALostLinkAndNoFault() {
            InMemoryGateway.Peer peer = ready(17);
            peer.close();
            loop.runReady();

            assertThat(linksLost).singleElement().asString().contains("the Gateway closed the connection");
            assertThat(faults).isEmpty();
            assertThat(session.send(new ClientMessage.ReqCurrentTime())).isFalse();
        }
    }

    // ---- shutdown and races -------------------------------------------------------------------------------------

    @Nested
    class ShutdownAndRaces {

        @Test
        void shutdownWhileConnectingAbandonsTheConnectAndClosesTheSession() {
            gateway.holdConnects();
            CompletableFuture<AttemptOutcome> outcome = connect(17);

            CompletableFuture<ShutdownReport> done = session.shutdown(Duration.ofSeconds(5));
            loop.runReady();

            assertThat(done).isCompletedWithValue(ShutdownReport.NO_LINK);
            assertThat(failed(outcome).failure()).isEqualTo(AttemptFailure.SHUT_DOWN);
            assertThat(gateway.lastAttemptAbandoned()).isNotNull();
            assertThat(session.state()).isEqualTo(SessionState.CLOSED);

            gateway.acceptPending();
            loop.runReady();
            assertThat(gateway.peers()).as("an abandoned connect never becomes a link").isEmpty();
            assertThat(failed(connect(17)).failure()).as("no attempt after shutdown").isEqualTo(AttemptFailure.SHUT_DOWN);
        }

        @Test
        void shutdownOfAReadySessionCancelsItsSubscriptionsBeforeClosingTheLink() {
            session().subscribeMarketData(AAPL);
            InMemoryGateway.Peer peer = ready(17);
            int reqId = peer.receivedOne(ClientMessage.ReqMktData.class).reqId();

            CompletableFuture<ShutdownReport> done = session.shutdown(Duration.ofSeconds(5));
            loop.runReady();

            assertThat(done.join().cancels()).isEqualTo(3);
            List<ClientMessage> last = peer.received();
            assertThat(last).contains(new ClientMessage.CancelMktData(reqId), new ClientMessage.CancelPositions());
            assertThat(last).hasAtLeastOneElementOfType(ClientMessage.CancelAccountSummary.class);
            assertThat(peer.isClosed()).isTrue();
            assertThat(session.state()).isEqualTo(SessionState.CLOSED);
            assertThat(linksLost).as("a shutdown is no lost link").isEmpty();
        }

        @Test
        void aFrameThatArrivesAfterItsLinkClosedChangesNothing() {
            InMemoryGateway.Peer old = ready(17);
            old.close();
            loop.runReady();
            connect(18);
            InMemoryGateway.Peer current = serverVersion();
            int messagesBefore = messages.size();

            old.sendLate(new ServerMessage.NextValidId(9_999));
            old.sendLate(new ServerMessage.ManagedAccounts(List.of("DU999999")));
            loop.runReady();

            assertThat(messages).hasSize(messagesBefore);
            assertThat(session.state()).isEqualTo(SessionState.HANDSHAKING);
            assertThat(session.nextOrderId()).isEqualTo(1_001);
            apiReady(current);
            endSync(current, current.received());
            assertThat(session.accounts()).isEqualTo(ACCOUNTS);
        }

        @Test
        void aSendAfterTheLinkClosedButBeforeTheLoopHeardOfItIsRefusedNotLost() {
            InMemoryGateway.Peer peer = ready(17);
            peer.received();
            peer.close(); // the loss is queued on the loop, not yet handled
            assertThat(session.state()).as("the loop has not run yet").isEqualTo(SessionState.READY);

            boolean taken = session.send(new ClientMessage.ReqCurrentTime());

            assertThat(taken).as("a closed link takes nothing").isFalse();
            loop.runReady();
            assertThat(session.state()).isEqualTo(SessionState.DISCONNECTED);
        }

        @Test
        void sendIsRefusedUntilTheSessionIsSynced() {
            connect(17);
            InMemoryGateway.Peer peer = serverVersion();
            peer.received();
            assertThat(session.send(new ClientMessage.ReqCurrentTime())).isFalse();
            apiReady(peer);
            assertThat(session.send(new ClientMessage.ReqCurrentTime())).as("while syncing").isFalse();
            endSync(peer, peer.received());

            assertThat(session.send(new ClientMessage.ReqCurrentTime())).isTrue();
            assertThat(peer.received()).containsExactly(new ClientMessage.ReqCurrentTime());
        }

        @Test
        void theOperatorsReconnectClosesTheLinkAndIsReportedAsALostLink() {
            InMemoryGateway.Peer peer = ready(17);
            session.closeLink("operator asked to reconnect");
            loop.runReady();

            assertThat(peer.closeReason()).isEqualTo("operator asked to reconnect");
            assertThat(linksLost).singleElement().asString().contains("operator asked to reconnect");
        }

        @Test
        void closingTheLinkWhileConnectingGivesTheConnectUp() {
            gateway.holdConnects();
            CompletableFuture<AttemptOutcome> outcome = connect(17);
            session.closeLink("this instance no longer leads");
            loop.runReady();

            assertThat(failed(outcome).failure()).isEqualTo(AttemptFailure.LINK_DROPPED);
            assertThat(gateway.lastAttemptAbandoned()).isNotNull();
        }
    }

    /** Log lines of one class at INFO and above, while open. */
    private static final class Captured implements AutoCloseable {
        private final Logger logger;
        private final Level level;
        private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

        private Captured(Class<?> type) {
            logger = (Logger) LoggerFactory.getLogger(type);
            level = logger.getLevel();
            logger.setLevel(Level.INFO);
            appender.start();
            logger.addAppender(appender);
        }

        static Captured from(Class<?> type) {
            return new Captured(type);
        }

        List<String> lines(String containing) {
            return appender.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains(containing))
                    .toList();
        }

        @Override
        public void close() {
            logger.detachAppender(appender);
            logger.setLevel(level);
        }
    }

    @AfterEach
    void nothingIsLeftOpenByAnEndedAttempt() {
        if (session != null && !session.state().isSynced() && session.state() != SessionState.CLOSED) {
            assertThat(gateway.peers()).as("links of attempts that ended").allMatch(p -> p.isClosed()
                    || p == gateway.peer());
        }
    }
}
