package io.twsbridge.bridge.gateway.session;

import io.twsbridge.bridge.gateway.GatewayConfig;
import io.twsbridge.bridge.gateway.IbErrorCategory;
import io.twsbridge.bridge.gateway.IbErrorCodes;
import io.twsbridge.bridge.gateway.UnansweredConnection;
import io.twsbridge.bridge.gateway.transport.GatewayConnector;
import io.twsbridge.bridge.gateway.transport.GatewayLink;
import io.twsbridge.bridge.time.EventLoop;
import io.twsbridge.protocol.ProtocolException;
import io.twsbridge.protocol.codec.ClientMessageCodec;
import io.twsbridge.protocol.codec.ServerMessageCodec;
import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.ExecutionFilter;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.protocol.wire.Handshake;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one Gateway session of the process: handshake, readiness, request ids, desired market-data and real-time
 * bar subscriptions and the reactions to IB's connectivity notices.
 *
 * <p>READY means: server version received, startApi sent, nextValidId and a non-empty managedAccounts
 * received, and the initial sync (positions, open orders, completed orders, executions, account summary)
 * finished, each to its End message, each within its own timeout. Nothing is reported as connected, and no
 * account is reported, before that.
 *
 * <p>The session never reconnects by itself: {@link #connect} is called by the supervisor only.
 *
 * <p>Threading: all state lives on the {@link EventLoop}, which never waits for the network: the
 * {@link GatewayConnector} opens links on a thread of its own and the outcome comes back to the loop as an event,
 * and the link's reader hands frames over the same way. Public methods may be called from any thread; the few
 * fields they read off the loop say so where they are declared.
 */
public final class GatewaySession implements SessionControl {

    private static final Logger log = LoggerFactory.getLogger(GatewaySession.class);

    /** The initial-sync steps, each ended by its own End message. */
    enum SyncStep { POSITIONS, OPEN_ORDERS, COMPLETED_ORDERS, EXECUTIONS, ACCOUNT_SUMMARY }

    private final GatewayConfig config;
    private final EventLoop loop;
    private final GatewayConnector connector;
    private final List<SessionListener> listeners = new CopyOnWriteArrayList<>();
    private final MarketDataSubscriptions subscriptions = new MarketDataSubscriptions();
    /**
     * The keys of {@link #subscriptions}' desired set, for readers on any thread (the command consumer's line
     * limit). Changed by the caller of {@link #subscribeMarketData}/{@link #unsubscribeMarketData} at once, in call
     * order, so a caller's next check counts its own last change; the loop applies the same changes in the same
     * order to the subscriptions themselves.
     */
    private final Set<String> wantedMarketData = ConcurrentHashMap.newKeySet();
    private final RealTimeBarSubscriptions realTimeBars = new RealTimeBarSubscriptions();
    /** The keys of {@link #realTimeBars}' desired set, for readers on any thread, kept as {@link #wantedMarketData}. */
    private final Set<String> wantedRealTimeBars = ConcurrentHashMap.newKeySet();
    private final MarketDataInbox marketDataInbox = new MarketDataInbox();
    /**
     * Request ids start far above any order id: IB reports errors about requests and about orders in the same id
     * field, so the two ranges must never meet.
     */
    private static final int FIRST_REQUEST_ID = 100_000_000;

    /**
     * Message ids the TWS protocol may use for server messages. The ids assigned up to server version 178 end a
     * little above 100; the bound leaves room for what newer Gateways add. An id outside it is not TWS at all.
     */
    static final int MAX_PROTOCOL_MESSAGE_ID = 199;
    /** A repeated IB notice is logged at most this often (with the count of repeats not logged). */
    private static final Duration NOTICE_LOG_INTERVAL = Duration.ofMinutes(1);

    /** Room in the drain bound beyond the pace: the first frame's wait, the hard limit, a busy machine. */
    static final Duration DRAIN_SLACK = Duration.ofSeconds(1);

    /** How often a shutdown looks whether the writer is done: about one frame's pace at the default rate. */
    private static final Duration DRAIN_POLL = Duration.ofMillis(20);

    /** Taken from any thread: the loop's own requests and the command consumer's. */
    private final AtomicInteger requestIds = new AtomicInteger(FIRST_REQUEST_ID);
    /** Messages skipped because the bridge does not model them, by message id; bounded by the id range. */
    private final Map<Integer, Long> skipped = new ConcurrentHashMap<>();
    private final NoticeThrottle notices = new NoticeThrottle(NOTICE_LOG_INTERVAL);
    /** Numbers each link's name ("gateway-N"). Event loop only. */
    private int connectionNumber;

    // Written on the event loop, read from any thread: volatile, and immutable values.
    private volatile SessionState state = SessionState.DISCONNECTED;
    private volatile SessionSnapshot snapshot =
            new SessionSnapshot(SessionState.DISCONNECTED, "not connected yet", List.of(), 0, -1);
    /** Event loop only. */
    private List<String> accounts = List.of();
    /** Event loop only. */
    private int serverVersion;
    /** Raised on the event loop only (never lowered); read by the order service's thread. */
    private volatile long nextOrderId;
    /** Set by {@link #shutdown} on the caller's thread; read on the loop. */
    private volatile boolean shuttingDown;

    /** The attempt in progress, or the link that made it to READY; null without a link. Event loop only. */
    private Link link;

    /**
     * The synced link's writing half; null unless the session is READY or DEGRADED. Read by {@link #send} from any
     * thread (the command consumer's), written on the event loop only, in {@link #setState} before the state that
     * goes with it. Immutable, so a reader sees a link together with the codec of that link's server version.
     */
    private volatile SyncedLink syncedLink;

    /** The open link, for {@link #outboundQueueDepth()} on the metrics thread; written on the event loop only. */
    private volatile GatewayLink openLink;

    /** A synced link and the codec of its server version. */
    private record SyncedLink(GatewayLink link, ClientMessageCodec codec) {
        boolean send(ClientMessage message) {
            return link.send(codec.encode(message));
        }
    }

    /** @param connector opens each link (a TCP connect and the hello) off the event loop */
    public GatewaySession(GatewayConfig config, EventLoop loop, GatewayConnector connector) {
        this.config = config;
        this.loop = loop;
        this.connector = connector;
    }

    // ---- what the rest of the bridge reads ----------------------------------------------------------------

    @Override
    public SessionState state() {
        return state;
    }

    /** State, reason, accounts, server version and client id, consistent with each other. */
    public SessionSnapshot snapshot() {
        return snapshot;
    }

    /** The managed accounts; empty unless the session is synced (READY or DEGRADED). */
    @Override
    public List<String> accounts() {
        return snapshot.accounts();
    }

    /** The negotiated server version of the synced link. */
    public OptionalInt serverVersion() {
        SessionSnapshot s = snapshot;
        return s.state().isSynced() ? OptionalInt.of(s.serverVersion()) : OptionalInt.empty();
    }

    /** The next order id the Gateway said it accepts (0 before the first nextValidId). */
    public long nextOrderId() {
        return nextOrderId;
    }

    /** A fresh request id for market data and other requests (order ids come from {@link #nextOrderId}). */
    public int nextRequestId() {
        return requestIds.getAndIncrement();
    }

    /** The desired and active market-data subscriptions. Read on the event loop only (listener callbacks). */
    public MarketDataSubscriptions subscriptions() {
        return subscriptions;
    }

    /** Whether market data for {@code contract} is wanted (subscribed and not unsubscribed); any thread. */
    public boolean wantsMarketData(Contract contract) {
        return wantedMarketData.contains(MarketDataSubscriptions.keyOf(contract));
    }

    /** How many market-data subscriptions are wanted; any thread. */
    public int wantedMarketDataCount() {
        return wantedMarketData.size();
    }

    /** The desired and active real-time bar subscriptions. Read on the event loop only (listener callbacks). */
    public RealTimeBarSubscriptions realTimeBars() {
        return realTimeBars;
    }

    /** Whether real-time bars of {@code subscription} are wanted (subscribed and not unsubscribed); any thread. */
    public boolean wantsRealTimeBars(BarSubscription subscription) {
        return wantedRealTimeBars.contains(subscription.key());
    }

    /**
     * The market-data lines the wanted subscriptions take, quotes and real-time bars alike (IB counts both against
     * the account's lines): each desired subscription once, however often it has been requested again; any thread.
     */
    public int wantedMarketDataLines() {
        return wantedMarketData.size() + wantedRealTimeBars.size();
    }

    /** How many messages of each id were skipped because the bridge does not model them, since start. */
    public Map<Integer, Long> skippedMessages() {
        return Map.copyOf(skipped);
    }

    /** Frames queued for the Gateway, behind the rate limiter. */
    public int outboundQueueDepth() {
        GatewayLink l = openLink;
        return l == null ? 0 : l.queuedFrames();
    }

    /** Ticks dropped because the event loop was too far behind the Gateway (see {@link MarketDataInbox}). */
    public long ticksDropped() {
        return marketDataInbox.dropped();
    }

    /** Market-data messages read from the Gateway and waiting for the event loop. */
    public int ticksQueued() {
        return marketDataInbox.queued();
    }

    @Override
    public void addListener(SessionListener listener) {
        listeners.add(listener);
    }

    // ---- requests ---------------------------------------------------------------------------------------------

    /**
     * Sends a request on the synced link. True means the link took the frame while open: it is written, or the
     * link closed first and counted it among the frames it dropped (and the link's loss is reported as usual).
     * A link that has closed but whose loss the event loop has not yet handled takes nothing and answers false.
     *
     * @return false when there is no synced link (the caller decides whether to wait or reject)
     */
    public boolean send(ClientMessage message) {
        SyncedLink l = syncedLink;
        return l != null && l.send(message);
    }

    /** Adds a desired subscription; it is requested now if the session is synced, and after every READY. */
    public void subscribeMarketData(Contract contract) {
        String key = MarketDataSubscriptions.keyOf(contract);
        wantedMarketData.add(key);
        loop.execute(() -> {
            if (subscriptions.addDesired(key, contract) && state.isSynced()) {
                request(key, contract);
            }
        });
    }

    public void unsubscribeMarketData(Contract contract) {
        String key = MarketDataSubscriptions.keyOf(contract);
        wantedMarketData.remove(key);
        loop.execute(() -> subscriptions.removeDesired(key)
                .ifPresent(reqId -> send(new ClientMessage.CancelMktData(reqId))));
    }

    /**
     * Adds a desired real-time bar subscription; it is requested now if the session is synced, and after every
     * READY and every 1101, as market data is. A subscription already desired is not requested a second time.
     */
    public void subscribeRealTimeBars(BarSubscription subscription) {
        wantedRealTimeBars.add(subscription.key());
        loop.execute(() -> {
            if (realTimeBars.addDesired(subscription) && state.isSynced()) {
                request(subscription);
            }
        });
    }

    public void unsubscribeRealTimeBars(BarSubscription subscription) {
        String key = subscription.key();
        wantedRealTimeBars.remove(key);
        loop.execute(() -> realTimeBars.removeDesired(key)
                .ifPresent(reqId -> send(new ClientMessage.CancelRealTimeBars(reqId))));
    }

    // ---- connection attempts -----------------------------------------------------------------------------------

    @Override
    public CompletableFuture<AttemptOutcome> connect(int clientIdToUse) {
        CompletableFuture<AttemptOutcome> outcome = new CompletableFuture<>();
        loop.execute(() -> startAttempt(clientIdToUse, outcome));
        return outcome;
    }

    @Override
    public void closeLink(String reason) {
        loop.execute(() -> {
            Link l = link;
            if (l != null && l.transport != null) {
                l.transport.close(reason);
            } else if (l != null) {
                fail(l, AttemptFailure.LINK_DROPPED, "the connect was given up: " + reason);
            }
        });
    }

    /**
     * Cancels market data and account subscriptions, waits until the writer has put every queued frame on the
     * socket (those cancels and anything queued before them), then closes the link, so that neither side is left
     * half-open and no request the bridge meant to send is dropped. Completes when the link is closed.
     *
     * <p>The wait is bounded by the time the outbound pace needs for what is unsent at this point plus
     * {@link #DRAIN_SLACK}, and never more than {@code maxDrain}; hitting the bound is logged at WARN with the
     * count of frames left unsent. Each frame still asks the link's permit: a deposed instance writes nothing
     * more, and its link closes at the first refusal.
     */
    public CompletableFuture<ShutdownReport> shutdown(Duration maxDrain) {
        shuttingDown = true;
        CompletableFuture<ShutdownReport> done = new CompletableFuture<>();
        loop.execute(() -> {
            Link l = link;
            if (l != null && l.transport == null) {
                fail(l, AttemptFailure.SHUT_DOWN, "shutting down while connecting");
                l = null;
            }
            if (l == null) {
                setState(SessionState.CLOSED, "shut down");
                done.complete(ShutdownReport.NO_LINK);
                return;
            }
            int marketData = 0;
            int positions = 0;
            int accountSummary = 0;
            if (state.isSynced() && !l.transport.isClosed()) {
                for (int reqId : subscriptions.activeReqIds()) {
                    l.send(new ClientMessage.CancelMktData(reqId));
                    marketData++;
                }
                for (int reqId : realTimeBars.activeReqIds()) {
                    l.send(new ClientMessage.CancelRealTimeBars(reqId));
                    marketData++;
                }
                l.send(new ClientMessage.CancelPositions());
                positions = 1;
                if (l.accountSummaryReqId > 0) {
                    l.send(new ClientMessage.CancelAccountSummary(l.accountSummaryReqId));
                    accountSummary = 1;
                }
            }
            int unsent = l.transport.unsentFrames();
            Duration bound = drainBound(unsent, maxDrain);
            log.info("shutting down: {} cancel requests queued ({} market data and real-time bars, {} positions, {} "
                            + "account summary); closing the link once all {} unsent frames are written, at most {} ms "
                            + "from now",
                    marketData + positions + accountSummary, marketData, positions, accountSummary, unsent,
                    bound.toMillis());
            Instant started = loop.clock().instant();
            awaitDrainThenClose(l, new ShutdownReport(marketData, positions, accountSummary, 0, bound, Duration.ZERO),
                    started, done);
        });
        return done;
    }

    /** The time the outbound pace needs for {@code frames}, plus {@link #DRAIN_SLACK}, never above {@code max}. */
    Duration drainBound(int frames, Duration max) {
        Duration paced = Duration.ofNanos(1_000_000_000L / config.messagesPerSecond()).multipliedBy(frames)
                .plus(DRAIN_SLACK);
        return paced.compareTo(max) < 0 ? paced : max;
    }

    private void awaitDrainThenClose(Link l, ShutdownReport planned, Instant started,
                                     CompletableFuture<ShutdownReport> done) {
        Duration waited = Duration.between(started, loop.clock().instant());
        boolean linkEnded = l.transport.isClosed();
        int unsent = l.transport.unsentFrames();
        if (!linkEnded && unsent > 0 && waited.compareTo(planned.drainBound()) < 0) {
            loop.schedule(DRAIN_POLL, () -> awaitDrainThenClose(l, planned, started, done));
            return;
        }
        if (linkEnded) {
            log.info("shutdown: the link ended before the writer was done ({} frames unsent)", unsent);
        } else if (unsent > 0) {
            log.warn("shutdown: {} frames to the Gateway still unsent after the drain bound of {} ms; closing the "
                    + "link without them", unsent, planned.drainBound().toMillis());
        } else {
            log.info("shutdown: every queued frame written in {} ms; closing the link", waited.toMillis());
        }
        l.transport.close("bridge shutting down");
        setState(SessionState.CLOSED, "shut down");
        done.complete(new ShutdownReport(planned.marketDataCancels(), planned.positionsCancels(),
                planned.accountSummaryCancels(), unsent, planned.drainBound(), waited));
    }

    private void startAttempt(int id, CompletableFuture<AttemptOutcome> outcome) {
        if (shuttingDown) {
            outcome.complete(new AttemptOutcome.Failed(AttemptFailure.SHUT_DOWN, "shutting down", Duration.ZERO));
            return;
        }
        if (link != null) {
            throw new IllegalStateException("a connection attempt while a link exists: the supervisor allows one");
        }
        Instant started = loop.clock().instant();
        setState(SessionState.CONNECTING, "connecting to " + config.host() + ":" + config.port() + " as client " + id);
        Link l = new Link(id, started, outcome);
        link = l;
        l.attempt = connector.open("gateway-" + ++connectionNumber,
                new Handshake.ClientHello(config.minServerVersion(), config.maxServerVersion(), ""), l);
        // The connector bounds its own connect by the same timeout; this timer is the session's word on it, on
        // the session's clock, whatever the connector does.
        l.timer = loop.schedule(config.connectTimeout(), () -> {
            if (link == l && l.transport == null) {
                fail(l, AttemptFailure.CONNECT_TIMEOUT, "TCP connect did not complete within "
                        + config.connectTimeout().toMillis() + " ms");
            }
        });
        l.attempt.link().whenComplete((opened, error) -> loop.execute(() -> onOpened(l, opened, error)));
    }

    /** The connector's answer, on the loop: a link to start, or why there is none. */
    private void onOpened(Link l, GatewayLink opened, Throwable error) {
        if (link != l || l.outcome.isDone()) {
            if (opened != null) {
                opened.close("the attempt had already ended");
            }
            return;
        }
        if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof SocketTimeoutException) {
                fail(l, AttemptFailure.CONNECT_TIMEOUT, "TCP connect timed out after "
                        + config.connectTimeout().toMillis() + " ms");
            } else {
                fail(l, shuttingDown ? AttemptFailure.SHUT_DOWN : AttemptFailure.REFUSED, "cannot connect: "
                        + cause.getMessage());
            }
            return;
        }
        l.cancelTimers();
        l.transport = opened;
        openLink = opened;
        setState(SessionState.HANDSHAKING, "hello sent; waiting for the server version");
        l.timer = loop.schedule(config.handshakeTimeout(), () -> {
            if (link == l && l.serverCodec == null && l.transport.anyByteReceived()) {
                // Not the silence of a Gateway blocked by zombies: a reply that began and never ended.
                fail(l, AttemptFailure.PROTOCOL_ERROR, "the server-version reply began but did not complete within "
                        + config.handshakeTimeout().toMillis() + " ms");
            } else if (link == l && l.serverCodec == null) {
                unanswered(l, AttemptFailure.HANDSHAKE_STALL, "no server-version reply within "
                        + config.handshakeTimeout().toMillis() + " ms after the TCP connect was accepted; zombie "
                        + "sockets on the Gateway are the usual cause");
            }
        });
        opened.start(); // last: its first frame must find the link recorded and the handshake timer set
    }

    /**
     * The Gateway accepted the connection and has not answered within its timeout. With
     * {@link UnansweredConnection#CLOSE} that ends the attempt. With {@link UnansweredConnection#KEEP} the connection
     * stays open and the attempt goes on: closing it would leave a zombie on a Gateway that keeps them (see
     * {@link UnansweredConnection}); the state stays HANDSHAKING with a reason that says what is awaited and since
     * when, the listeners hear of it once, and the attempt ends when the Gateway answers (and the handshake goes
     * on), closes the connection, or the bridge shuts down.
     */
    private void unanswered(Link l, AttemptFailure kind, String detail) {
        if (config.unansweredConnection() == UnansweredConnection.CLOSE) {
            fail(l, kind, detail);
            return;
        }
        l.keptUnanswered = true;
        String awaited = kind == AttemptFailure.HANDSHAKE_STALL ? "the server-version reply" : "nextValidId and "
                + "managedAccounts";
        setState(SessionState.HANDSHAKING, "the Gateway accepted the connection at " + l.started + " and has not "
                + "answered (" + detail + "): the connection is kept open, waiting for " + awaited + ", since "
                + "closing it would leave a zombie on a Gateway that keeps them (gateway.unanswered-connection=keep)");
        for (SessionListener listener : listeners) {
            listener.onUnanswered(kind, detail);
        }
    }

    /** A kept connection the Gateway has answered after all: said once, and the handshake goes on. */
    private void answeredLate(Link l, String what) {
        if (l.keptUnanswered) {
            l.keptUnanswered = false;
            log.warn("the Gateway answered ({}) {} ms after it accepted the kept connection; the handshake goes on",
                    what, Duration.between(l.started, loop.clock().instant()).toMillis());
        }
    }

    /** Ends an attempt that did not reach READY: closes our socket at once and reports why. */
    private void fail(Link l, AttemptFailure failure, String detail) {
        if (l.outcome.isDone()) {
            return;
        }
        l.cancelTimers();
        if (link == l) {
            link = null;
            openLink = null;
        }
        if (l.transport != null) {
            l.transport.close(failure + ": " + detail);
        } else if (l.attempt != null) {
            l.attempt.abandon(failure + ": " + detail);
        }
        Duration elapsed = Duration.between(l.started, loop.clock().instant());
        setState(SessionState.DISCONNECTED, "attempt failed (" + failure + "): " + detail);
        l.outcome.complete(new AttemptOutcome.Failed(failure, detail, elapsed));
    }

    // ---- inbound ---------------------------------------------------------------------------------------------

    private void onFrame(Link l, byte[] payload) {
        if (link != l) {
            return; // a frame from a link that is already gone
        }
        if (l.serverCodec == null) {
            onServerHello(l, payload);
            return;
        }
        ServerMessage message;
        try {
            message = l.serverCodec.decode(payload);
        } catch (ProtocolException.UnknownMessage e) {
            onUnknownMessage(l, e.messageId());
            return;
        } catch (ProtocolException.UnsupportedFeature e) {
            // A message the bridge models, using a part of the protocol it does not (a combo order, say).
            log.debug("skipped a Gateway message: {}", e.getMessage());
            return;
        } catch (ProtocolException e) {
            protocolFault(l, "malformed message: " + e.getMessage());
            return;
        }
        handle(l, message);
        for (SessionListener listener : listeners) {
            listener.onMessage(message);
        }
    }

    /**
     * An id the codec does not decode. A real Gateway sends many messages the bridge has no use for (tickString
     * and tickGeneric arrive with market data, for instance), so treating those as faults would drop a
     * healthy link at the first quote. They are skipped, counted, and logged once per id. An id outside the
     * protocol's range is no TWS message at all: the peer is broken or hostile, and that is a protocol fault.
     */
    private void onUnknownMessage(Link l, int messageId) {
        if (messageId < 1 || messageId > MAX_PROTOCOL_MESSAGE_ID) {
            protocolFault(l, "message id " + messageId + " is outside the protocol's 1.." + MAX_PROTOCOL_MESSAGE_ID);
            return;
        }
        if (skipped.merge(messageId, 1L, Long::sum) == 1L) {
            log.info("skipping Gateway message id {}, which the bridge does not use (logged once per id)", messageId);
        }
    }

    /**
     * The peer broke the protocol: the attempt fails as PROTOCOL_ERROR, or a synced link is closed and the
     * supervisor told, so that it backs off further each time rather than reconnecting into the same fault.
     */
    private void protocolFault(Link l, String detail) {
        if (!l.outcome.isDone()) {
            fail(l, AttemptFailure.PROTOCOL_ERROR, detail);
            return;
        }
        l.protocolFault = detail;
        l.transport.close("protocol fault: " + detail);
    }

    private void onServerHello(Link l, byte[] payload) {
        Handshake.ServerHello hello;
        try {
            hello = Handshake.decodeServerHello(payload);
        } catch (ProtocolException e) {
            fail(l, AttemptFailure.PROTOCOL_ERROR, "bad server-version reply: " + e.getMessage());
            return;
        }
        if (hello.serverVersion() < config.minServerVersion() || hello.serverVersion() > config.maxServerVersion()) {
            fail(l, AttemptFailure.UNSUPPORTED_VERSION, "the Gateway chose server version " + hello.serverVersion()
                    + ", outside " + config.minServerVersion() + ".." + config.maxServerVersion());
            return;
        }
        l.cancelTimers();
        answeredLate(l, "the server-version reply");
        l.serverCodec = new ServerMessageCodec(hello.serverVersion());
        l.clientCodec = new ClientMessageCodec(hello.serverVersion());
        serverVersion = hello.serverVersion();
        log.info("gateway server version {} (connection time {})", hello.serverVersion(), hello.connectionTime());
        l.sendHandshake(new ClientMessage.StartApi(l.clientId, ""));
        setState(SessionState.HANDSHAKING, "server version " + hello.serverVersion()
                + "; startApi sent, waiting for nextValidId and managedAccounts");
        l.timer = loop.schedule(config.apiReadyTimeout(), () -> {
            if (link == l && state == SessionState.HANDSHAKING) {
                unanswered(l, AttemptFailure.API_TIMEOUT, "nextValidId " + (l.nextValidIdSeen ? "arrived" : "missing")
                        + ", managedAccounts " + (l.accounts.isEmpty() ? "missing or empty" : "arrived")
                        + " after " + config.apiReadyTimeout().toMillis() + " ms");
            }
        });
    }

    private void handle(Link l, ServerMessage message) {
        if (message instanceof ServerMessage.NextValidId m) {
            nextOrderId = Math.max(nextOrderId, m.orderId());
            l.nextValidIdSeen = true;
            maybeStartSync(l);
        } else if (message instanceof ServerMessage.ManagedAccounts m) {
            if (!m.accounts().isEmpty()) {
                l.accounts = m.accounts();
            }
            maybeStartSync(l);
        } else if (message instanceof ServerMessage.ErrorMessage m) {
            onError(l, m);
        } else if (message instanceof ServerMessage.PositionEnd) {
            syncStepDone(l, SyncStep.POSITIONS);
        } else if (message instanceof ServerMessage.OpenOrderEnd) {
            syncStepDone(l, SyncStep.OPEN_ORDERS);
        } else if (message instanceof ServerMessage.CompletedOrdersEnd) {
            syncStepDone(l, SyncStep.COMPLETED_ORDERS);
        } else if (message instanceof ServerMessage.ExecDetailsEnd m && m.reqId() == l.executionsReqId) {
            syncStepDone(l, SyncStep.EXECUTIONS);
        } else if (message instanceof ServerMessage.AccountSummaryEnd m && m.reqId() == l.accountSummaryReqId) {
            syncStepDone(l, SyncStep.ACCOUNT_SUMMARY);
        }
    }

    private void onError(Link l, ServerMessage.ErrorMessage m) {
        if (m.code() == IbErrorCodes.REAL_TIME_BARS_BUST && resubscribeBusted(m)) {
            return;
        }
        IbErrorCodes.Code code = IbErrorCodes.lookup(m.code());
        switch (code.category()) {
            case INFO -> {
                long notLogged = connectionNotice(m);
                if (notLogged == NoticeThrottle.SUPPRESS) {
                    break;
                }
                if (code.name().endsWith("-farm-ok") && !state.isSynced()) {
                    // The Gateway greets every connection with its farms' "OK": routine, unlike a farm's return later.
                    log.debug("gateway notice {} ({}): {}", m.code(), code.name(), m.message());
                } else {
                    log.info("gateway notice {} ({}): {}{}", m.code(), code.name(), m.message(), repeats(notLogged));
                }
            }
            case WARNING -> {
                long notLogged = connectionNotice(m);
                if (notLogged != NoticeThrottle.SUPPRESS) {
                    log.warn("gateway warning {} ({}) for id {}: {}{}", m.code(), code.name(), m.id(), m.message(),
                            repeats(notLogged));
                }
            }
            case REQUEST_FAILED -> log.warn("gateway error {} ({}) for id {}: {}", m.code(), code.name(), m.id(),
                    m.message());
            case PACING_VIOLATION -> log.error("gateway pacing violation (error {}): {}; outbound rate is {} msg/s",
                    m.code(), m.message(), config.messagesPerSecond());
            case CLIENT_ID_IN_USE -> {
                log.error("client id {} is already in use at the Gateway (error {})", l.clientId, m.code());
                if (!l.outcome.isDone()) {
                    fail(l, AttemptFailure.CLIENT_ID_IN_USE, "client id " + l.clientId + " is in use (error 326)");
                }
            }
            case CONNECTIVITY_LOST -> {
                log.error("the Gateway lost connectivity to IB (error {}): {}", m.code(), m.message());
                l.connectivityLost = true;
                if (state == SessionState.READY) {
                    setState(SessionState.DEGRADED, "IB connectivity lost (1100): orders wait until it is back");
                }
            }
            case CONNECTIVITY_RESTORED_DATA_LOST -> {
                log.warn("IB connectivity restored, market data lost (error {}); subscribing again", m.code());
                l.connectivityLost = false;
                if (state.isSynced()) {
                    setState(SessionState.READY, "IB connectivity restored (1101); market data requested again");
                    subscriptions.deactivateAll();
                    realTimeBars.deactivateAll();
                    requestDesiredSubscriptions();
                }
            }
            case CONNECTIVITY_RESTORED -> {
                log.info("IB connectivity restored, data maintained (error {})", m.code());
                l.connectivityLost = false;
                if (state == SessionState.DEGRADED) {
                    setState(SessionState.READY, "IB connectivity restored (1102), data maintained");
                }
            }
            case FATAL -> {
                log.error("fatal gateway error {} ({}): {}", m.code(), code.name(), m.message());
                if (!l.outcome.isDone()) {
                    fail(l, AttemptFailure.PROTOCOL_ERROR, "error " + m.code() + ": " + m.message());
                } else {
                    l.transport.close("fatal gateway error " + m.code());
                }
            }
        }
    }

    /**
     * IB ended a real-time bar subscription after a bust event (10225) and asks for it to be requested again at
     * once: the bridge ends the old request and makes a new one, under a new id, for the same desired subscription
     * (still one line). False when the id is no real-time bar subscription of this link.
     */
    private boolean resubscribeBusted(ServerMessage.ErrorMessage m) {
        Optional<BarSubscription> busted = realTimeBars.forReqId(m.id());
        if (busted.isEmpty() || !state.isSynced()) {
            return false;
        }
        log.warn("IB deactivated the real-time bars {} after a bust event (error {}: {}); requesting them again",
                busted.get().key(), m.code(), m.message());
        realTimeBars.deactivate(m.id());
        send(new ClientMessage.CancelRealTimeBars(m.id()));
        request(busted.get());
        return true;
    }

    /**
     * Whether to log a notice: connection-level ones (id -1: farm status and the like), which a Gateway repeats on
     * every flap and a broken one without end, pass the throttle; those about one of our requests or orders are
     * logged each time, since each says something different.
     */
    private long connectionNotice(ServerMessage.ErrorMessage m) {
        return m.id() < 0 ? notices.admit(m.code(), loop.clock().instant()) : 0;
    }

    private static String repeats(long notLogged) {
        return notLogged == 0 ? "" : " (" + notLogged + " repeats not logged since the last line)";
    }

    private void maybeStartSync(Link l) {
        if (state != SessionState.HANDSHAKING || !l.nextValidIdSeen || l.accounts.isEmpty() || l.syncStarted) {
            return;
        }
        l.cancelTimers();
        answeredLate(l, "nextValidId and managedAccounts");
        l.syncStarted = true;
        l.syncStartedAt = loop.clock().instant();
        accounts = l.accounts;
        setState(SessionState.SYNCING, "API ready (accounts " + l.accounts + ", next order id " + nextOrderId
                + "); initial sync running");
        GatewayConfig.SyncTimeouts t = config.syncTimeouts();
        l.executionsReqId = nextRequestId();
        l.accountSummaryReqId = nextRequestId();
        startStep(l, SyncStep.POSITIONS, t.positions(), new ClientMessage.ReqPositions());
        startStep(l, SyncStep.OPEN_ORDERS, t.openOrders(), new ClientMessage.ReqAllOpenOrders());
        startStep(l, SyncStep.COMPLETED_ORDERS, t.completedOrders(), new ClientMessage.ReqCompletedOrders(false));
        startStep(l, SyncStep.EXECUTIONS, t.executions(),
                new ClientMessage.ReqExecutions(l.executionsReqId, ExecutionFilter.all()));
        startStep(l, SyncStep.ACCOUNT_SUMMARY, t.accountSummary(),
                new ClientMessage.ReqAccountSummary(l.accountSummaryReqId, "All", config.accountSummaryTags()));
    }

    private void startStep(Link l, SyncStep step, Duration timeout, ClientMessage request) {
        l.sendHandshake(request);
        l.syncTimers.put(step, loop.schedule(timeout, () -> {
            if (link == l && l.syncTimers.containsKey(step)) {
                fail(l, AttemptFailure.SYNC_TIMEOUT, "initial sync step " + step + " did not end within "
                        + timeout.toMillis() + " ms");
            }
        }));
    }

    private void syncStepDone(Link l, SyncStep step) {
        EventLoop.Timer timer = l.syncTimers.remove(step);
        if (timer == null) {
            return; // not a sync step of this attempt (a later answer to the same kind of request)
        }
        timer.cancel();
        if (!l.syncTimers.isEmpty() || state != SessionState.SYNCING) {
            return;
        }
        Instant now = loop.clock().instant();
        Duration elapsed = Duration.between(l.started, now);
        // The whole connect, then its two parts: a slow handshake and a slow sync point at different causes.
        setState(l.connectivityLost ? SessionState.DEGRADED : SessionState.READY, "connected as client "
                + l.clientId + " to server version " + serverVersion + ", accounts " + accounts + ", in "
                + elapsed.toMillis() + " ms (handshake " + Duration.between(l.started, l.syncStartedAt).toMillis()
                + " ms, initial sync " + Duration.between(l.syncStartedAt, now).toMillis() + " ms)");
        requestDesiredSubscriptions();
        l.outcome.complete(new AttemptOutcome.Ready(l.clientId, serverVersion, accounts, elapsed));
    }

    /** Every desired subscription, quotes and real-time bars, each once, under a fresh request id. */
    private void requestDesiredSubscriptions() {
        for (Map.Entry<String, Contract> e : subscriptions.desired().entrySet()) {
            request(e.getKey(), e.getValue());
        }
        for (BarSubscription b : realTimeBars.desired().values()) {
            request(b);
        }
    }

    private void request(String key, Contract contract) {
        int reqId = nextRequestId();
        subscriptions.activate(key, reqId);
        send(new ClientMessage.ReqMktData(reqId, contract, "", false, false, ""));
    }

    private void request(BarSubscription b) {
        int reqId = nextRequestId();
        realTimeBars.activate(b.key(), reqId);
        send(new ClientMessage.ReqRealTimeBars(reqId, b.contract(), BarSubscription.BAR_SECONDS, b.whatToShow(),
                b.regularTradingHoursOnly(), ""));
    }

    private void onLinkClosed(Link l, String reason, Throwable cause) {
        if (link != l) {
            return;
        }
        boolean fault = cause instanceof ProtocolException;
        if (!l.outcome.isDone()) {
            AttemptFailure failure = shuttingDown ? AttemptFailure.SHUT_DOWN
                    : fault ? AttemptFailure.PROTOCOL_ERROR : AttemptFailure.LINK_DROPPED;
            fail(l, failure, "the link closed during " + state + ": " + reason);
            return;
        }
        link = null;
        openLink = null;
        l.cancelTimers();
        subscriptions.deactivateAll();
        realTimeBars.deactivateAll();
        if (state == SessionState.CLOSED) {
            return;
        }
        setState(SessionState.DISCONNECTED, "link lost: " + reason);
        String faultDetail = l.protocolFault != null ? l.protocolFault : fault ? cause.getMessage() : null;
        for (SessionListener listener : listeners) {
            if (faultDetail != null) {
                listener.onProtocolFault(faultDetail);
            }
            listener.onLinkLost(reason);
        }
    }

    private void setState(SessionState to, String reason) {
        SessionState from = state;
        if (from == SessionState.CLOSED) {
            return;
        }
        boolean synced = to.isSynced();
        Link l = link;
        syncedLink = synced && l != null && l.transport != null ? new SyncedLink(l.transport, l.clientCodec) : null;
        snapshot = new SessionSnapshot(to, reason, synced ? accounts : List.of(), synced ? serverVersion : 0,
                synced && l != null ? l.clientId : -1);
        state = to;
        SessionStateChange change = new SessionStateChange(from, to, reason, loop.clock().instant());
        // The way to READY is the normal story (INFO); losing the link or IB is what an operator must see. A failed
        // attempt is reported at WARN once, by the supervisor, with its number and what happens next.
        if ((to == SessionState.DISCONNECTED && from.isSynced()) || to == SessionState.DEGRADED) {
            log.warn("session {} -> {}: {}", from, to, reason);
        } else {
            log.info("session {} -> {}: {}", from, to, reason);
        }
        for (SessionListener listener : listeners) {
            listener.onStateChange(change);
        }
    }

    /** One link to the Gateway, from the connect to its close. Its callbacks hop onto the event loop. */
    private final class Link implements GatewayLink.Listener {
        final int clientId;
        final Instant started;
        final CompletableFuture<AttemptOutcome> outcome;
        final Map<SyncStep, EventLoop.Timer> syncTimers = new EnumMap<>(SyncStep.class);
        /** The connector's attempt; its link, once opened, is {@link #transport}. */
        GatewayConnector.Attempt attempt;
        GatewayLink transport;
        ServerMessageCodec serverCodec;
        ClientMessageCodec clientCodec;
        EventLoop.Timer timer;
        boolean nextValidIdSeen;
        /** The Gateway left a step unanswered past its timeout and the connection was kept open for it. */
        boolean keptUnanswered;
        List<String> accounts = List.of();
        boolean syncStarted;
        /** When the handshake ended and the initial sync began; null before. */
        Instant syncStartedAt;
        boolean connectivityLost;
        /** Why the session closed this synced link for a protocol fault; null otherwise. */
        String protocolFault;
        int executionsReqId = -1;
        int accountSummaryReqId = -1;

        Link(int clientId, Instant started, CompletableFuture<AttemptOutcome> outcome) {
            this.clientId = clientId;
            this.started = started;
            this.outcome = outcome;
        }

        void send(ClientMessage message) {
            transport.send(clientCodec.encode(message));
        }

        void sendHandshake(ClientMessage message) {
            transport.sendHandshake(clientCodec.encode(message));
        }

        void cancelTimers() {
            if (timer != null) {
                timer.cancel();
                timer = null;
            }
            new ArrayList<>(syncTimers.values()).forEach(EventLoop.Timer::cancel);
            syncTimers.clear();
        }

        @Override
        public void onFrame(byte[] payload) {
            boolean marketData = MarketDataInbox.isMarketData(payload);
            if (marketData && !marketDataInbox.admit()) {
                return;
            }
            loop.execute(() -> {
                if (marketData) {
                    marketDataInbox.taken();
                }
                GatewaySession.this.onFrame(this, payload);
            });
        }

        @Override
        public void onClosed(String reason, Throwable cause) {
            loop.execute(() -> onLinkClosed(this, reason, cause));
        }
    }
}
