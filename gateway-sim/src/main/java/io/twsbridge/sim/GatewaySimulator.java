package io.twsbridge.sim;

import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.Order;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.sim.admin.AdminServer;
import io.twsbridge.sim.broker.Broker;
import io.twsbridge.sim.market.ContractCatalog;
import io.twsbridge.sim.market.HistoricalBars;
import io.twsbridge.sim.market.Market;
import io.twsbridge.sim.market.RealTimeBars;
import io.twsbridge.sim.market.MarketDataFeed;
import io.twsbridge.sim.net.ClientConnection;
import io.twsbridge.sim.net.ConnectionHost;
import io.twsbridge.sim.net.ConnectionState;
import io.twsbridge.sim.net.PacingMonitor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An IB Gateway stand-in that speaks the TWS API socket protocol: handshake, accounts, positions, market data,
 * orders and executions, with pacing and fault injection.
 *
 * <p>Start it with {@link #start}, use {@link #apiPort()}, change faults through {@link #faults()} or the
 * actions below (or the admin HTTP endpoint), and {@link #close()} it: closing ends every thread and socket it
 * made.
 */
public final class GatewaySimulator implements AutoCloseable, ConnectionHost {

    private static final Logger log = LoggerFactory.getLogger(GatewaySimulator.class);

    private final SimulatorConfig config;
    private final Faults faults;
    private final Clock clock;
    private final Market market;
    private final Broker broker;
    private final MarketDataFeed feed;
    private final ApiRequestHandler requests;
    private final HistoricalRequests historical;
    private final RealTimeBars realTimeBars;
    private final Map<Long, ClientConnection> connections = new ConcurrentHashMap<>();
    private final Map<Integer, ClientConnection> clientIds = new ConcurrentHashMap<>();
    private final AtomicLong connectionIds = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final Map<String, Long> requestsReceived = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;
    private final AdminServer admin;
    private volatile ServerSocket serverSocket;
    private volatile Thread acceptor;
    private volatile int apiPort;
    private volatile boolean connectivityLost;
    private volatile boolean closed;
    private volatile SimulatorProbe probe = SimulatorProbe.NONE;
    private volatile Flapping flapping;

    private GatewaySimulator(SimulatorConfig config, Clock clock) throws IOException {
        this.config = config;
        this.clock = clock;
        this.faults = new Faults(config);
        this.market = new Market(config.symbols(), config.seed());
        this.broker = new Broker(market, config.accounts(), this::activeClient, clock, config.seed(),
                config.masterClientId());
        this.feed = new MarketDataFeed(market, config.tickRate(), broker::onQuote,
                (c, reqId, symbol, ticks, at) -> probe.ticksQueued(c.id(), reqId, symbol, ticks, at));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sim-scheduler");
            t.setDaemon(true);
            return t;
        });
        HistoricalBars history = new HistoricalBars(config.seed());
        this.historical = new HistoricalRequests(market, history,
                config.historicalPacing() ? new HistoricalPacing(clock) : null, clock, config.historicalLatency(),
                scheduler, () -> probe);
        this.realTimeBars = new RealTimeBars(market, history, clock, config.historicalPacing(),
                (c, bar) -> probe.barsSent(c.id(), bar));
        this.requests = new ApiRequestHandler(market, feed, broker, clock, faults,
                new ContractCatalog(market.instruments(), config.ambiguousSymbol(), clock), historical, realTimeBars);
        this.apiPort = config.port();
        listen();
        this.admin = config.adminPort() >= 0 ? AdminServer.start(this, config.host(), config.adminPort()) : null;
        log.info("gateway simulator listening on {}:{} (server version {}, accounts {}, symbols {}){}",
                config.host(), apiPort, config.serverVersion(), config.accounts(), config.symbols(),
                admin == null ? "" : ", admin on port " + admin.port());
    }

    /** Starts a simulator with the system clock. */
    public static GatewaySimulator start(SimulatorConfig config) throws IOException {
        return new GatewaySimulator(config, Clock.systemUTC());
    }

    /** Starts a simulator whose reported times (currentTime, executions) come from {@code clock}. */
    public static GatewaySimulator start(SimulatorConfig config, Clock clock) throws IOException {
        return new GatewaySimulator(config, clock);
    }

    public SimulatorConfig config() {
        return config;
    }

    public Faults faults() {
        return faults;
    }

    public int apiPort() {
        return apiPort;
    }

    /** The admin HTTP port, or -1 when the admin endpoint is off. */
    public int adminPort() {
        return admin == null ? -1 : admin.port();
    }

    /** Installs timing hooks (benchmarks); {@link SimulatorProbe#NONE} removes them. */
    public void setProbe(SimulatorProbe probe) {
        this.probe = java.util.Objects.requireNonNull(probe, "probe");
    }

    // ---- faults and actions ---------------------------------------------------------------------------------

    /** Closes every live connection now (zombies and stalled ones stay: they are held on purpose). */
    public void dropAllConnections() {
        for (ClientConnection c : List.copyOf(connections.values())) {
            ConnectionState s = c.state();
            if (s != ConnectionState.ZOMBIE && s != ConnectionState.STALLED) {
                c.close("dropped by the simulator");
            }
        }
    }

    /** Error 1100 to every client; market data stops until connectivity is restored. */
    public void connectivityLost() {
        connectivityLost = true;
        feed.setPaused(true);
        realTimeBars.setPaused(true);
        broadcast(new ServerMessage.ErrorMessage(-1, 1100,
                "Connectivity between IB and Trader Workstation has been lost."));
    }

    /**
     * Error 1101 (data lost: every market-data subscription is gone and must be requested again) or 1102 (data
     * maintained: streaming resumes).
     */
    public void connectivityRestored(boolean dataLost) {
        if (dataLost) {
            feed.clear();
            realTimeBars.clear();
        }
        connectivityLost = false;
        feed.setPaused(false);
        realTimeBars.setPaused(false);
        broadcast(dataLost
                ? new ServerMessage.ErrorMessage(-1, 1101,
                        "Connectivity between IB and Trader Workstation has been restored - data lost.")
                : new ServerMessage.ErrorMessage(-1, 1102,
                        "Connectivity between IB and Trader Workstation has been restored - data maintained."));
    }

    /**
     * A bust event at IB: every real-time bar subscription gets error 10225 and stops, until it is requested again.
     * Returns how many ended.
     */
    public int bustRealTimeBars() {
        return realTimeBars.bust();
    }

    /**
     * A Gateway restart: every socket closes (zombies too), nothing listens for {@code refuseFor}, then the
     * simulator listens again on the same port. Orders, executions and holdings survive, as they do at IB.
     */
    public synchronized void restart(Duration refuseFor) throws IOException {
        stopListening();
        for (ClientConnection c : List.copyOf(connections.values())) {
            c.close("gateway restart");
        }
        feed.clear();
        realTimeBars.clear();
        broker.forgetAllSubscriptions();
        connectivityLost = false;
        feed.setPaused(false);
        realTimeBars.setPaused(false);
        if (refuseFor.isZero()) {
            listen();
        } else {
            scheduler.schedule(() -> {
                try {
                    listenAgain();
                } catch (IOException e) {
                    log.error("could not listen again on port {} after the restart", apiPort, e);
                }
            }, refuseFor.toMillis(), TimeUnit.MILLISECONDS);
        }
        log.info("gateway restart: refusing connections for {} ms", refuseFor.toMillis());
    }

    /**
     * Starts flapping: from now on every connection is closed {@code upFor} after it was accepted (zero: at once),
     * and those already open {@code upFor} from now, until the returned {@link Flapping} is closed. Starting again
     * replaces the current flapping. Zombies and stalled connections are left alone, as by
     * {@link #dropAllConnections()}.
     */
    public synchronized Flapping startFlapping(Duration upFor) {
        Flapping previous = flapping;
        if (previous != null) {
            previous.close();
        }
        Flapping f = new Flapping(upFor, scheduler, this::flappingEnded);
        flapping = f;
        for (ClientConnection c : List.copyOf(connections.values())) {
            ConnectionState s = c.state();
            if (s != ConnectionState.ZOMBIE && s != ConnectionState.STALLED) {
                f.adopt(c);
            }
        }
        log.info("flapping: every connection is dropped {} ms after it was accepted", upFor.toMillis());
        return f;
    }

    private synchronized void flappingEnded(Flapping ended) {
        if (flapping == ended) {
            flapping = null;
            log.info("flapping ended: {} connections accepted, {} dropped", ended.accepted(), ended.dropped());
        }
    }

    /** Closes every zombie and stalled socket, freeing their clientIds. */
    public void clearZombies() {
        for (ClientConnection c : List.copyOf(connections.values())) {
            ConnectionState s = c.state();
            if (s == ConnectionState.ZOMBIE || s == ConnectionState.STALLED) {
                c.close("zombies cleared");
            }
        }
    }

    public SimulatorState state() {
        List<SimulatorState.Connection> list = new ArrayList<>();
        int zombies = 0;
        int stalled = 0;
        for (ClientConnection c : connections.values()) {
            list.add(new SimulatorState.Connection(c.id(), c.clientId(), c.state().name(), c.remoteAddress(),
                    c.serverVersion(), c.messagesReceived(), c.pacingViolations()));
            zombies += c.state() == ConnectionState.ZOMBIE ? 1 : 0;
            stalled += c.state() == ConnectionState.STALLED ? 1 : 0;
        }
        list.sort(java.util.Comparator.comparingLong(SimulatorState.Connection::id));
        List<SimulatorState.Subscription> subs = feed.subscriptions().stream()
                .map(s -> new SimulatorState.Subscription(s.connection().clientId(), s.reqId(), s.instrument().symbol()))
                .toList();
        Map<String, Object> faultView = new LinkedHashMap<>();
        faultView.put("handshakeDelayMs", faults.handshakeDelay().toMillis());
        faultView.put("apiDelayMs", faults.apiDelay().toMillis());
        faultView.put("zombieOnDisconnect", faults.zombieOnDisconnect());
        faultView.put("zombiesBlockHandshakes", faults.zombiesBlockHandshakes());
        return new SimulatorState(config.serverVersion(), apiPort, adminPort(), serverSocket != null,
                connectivityLost, accepted.get(), list, zombies, stalled, subs, broker.placeOrderCounts(),
                new java.util.TreeMap<>(requestsReceived),
                broker.openOrderCount(), broker.executionCount(), faultView, historicalState());
    }

    private SimulatorState.Historical historicalState() {
        HistoricalRequests.Stats h = historical.stats();
        List<SimulatorState.Subscription> bars = realTimeBars.subscriptions().stream()
                .map(s -> new SimulatorState.Subscription(s.connection().clientId(), s.reqId(), s.instrument().symbol()))
                .toList();
        return new SimulatorState.Historical(config.historicalPacing(), h.requests(), h.answered(), h.refused(),
                h.pacingViolations(), h.cancelled(), h.open(), h.headTimestamps(), bars);
    }

    /**
     * Enters an order as a trader would in TWS (clientId 0, orderId 0), for instance a conditional order, which
     * API clients cannot place in the simulator. See {@link Broker#enterOrderInTws}.
     *
     * @return the order's permId
     */
    public long enterOrderInTws(Contract contract, Order order) {
        return broker.enterOrderInTws(contract, order);
    }

    /** Rejects a working order after acceptance (error 201, then Inactive). See {@link Broker#rejectWorkingOrder}. */
    public void rejectWorkingOrder(String orderRef, String reason) {
        broker.rejectWorkingOrder(orderRef, reason);
    }

    /** Cancels an order {@link #enterOrderInTws entered in TWS}. See {@link Broker#cancelOrderInTws}. */
    public void cancelOrderInTws(long permId) {
        broker.cancelOrderInTws(permId);
    }

    /**
     * The id of every execution so far, in the order they happened: what a test compares with the fills a client
     * published. Executions survive reconnects and restarts, as the rest of the broker does.
     */
    public List<String> executionIds() {
        return broker.executionIds();
    }

    // ---- ConnectionHost -------------------------------------------------------------------------------------

    @Override
    public int maxServerVersion() {
        return config.serverVersion();
    }

    @Override
    public Duration handshakeDelay() {
        return faults.handshakeDelay();
    }

    @Override
    public Duration apiDelay() {
        return faults.apiDelay();
    }

    @Override
    public boolean handshakesBlocked() {
        return faults.zombiesBlockHandshakes()
                && connections.values().stream().anyMatch(c -> c.state() == ConnectionState.ZOMBIE);
    }

    @Override
    public boolean zombieOnDisconnect() {
        return faults.zombieOnDisconnect();
    }

    @Override
    public boolean claimClientId(int clientId, ClientConnection connection) {
        return clientIds.putIfAbsent(clientId, connection) == null;
    }

    @Override
    public void onApiStarted(ClientConnection c) {
        c.send(new ServerMessage.ManagedAccounts(broker.accountNames()));
        c.send(new ServerMessage.NextValidId(broker.nextValidId(c.clientId())));
        c.send(new ServerMessage.ErrorMessage(-1, 2104, "Market data farm connection is OK:usfarm"));
        c.send(new ServerMessage.ErrorMessage(-1, 2106, "HMDS data farm connection is OK:ushmds"));
        c.send(new ServerMessage.ErrorMessage(-1, 2158, "Sec-def data farm connection is OK:secdefnj"));
        if (connectivityLost) {
            c.send(new ServerMessage.ErrorMessage(-1, 1100,
                    "Connectivity between IB and Trader Workstation has been lost."));
        }
        log.info("client {} started the API on connection {} (server version {})", c.clientId(), c.id(),
                c.serverVersion());
    }

    @Override
    public void onMessage(ClientConnection connection, ClientMessage message) {
        probe.requestReceived(connection.id(), message, System.nanoTime());
        requestsReceived.merge(message.getClass().getSimpleName(), 1L, Long::sum);
        requests.handle(connection, message);
    }

    @Override
    public void onZombie(ClientConnection connection) {
        feed.forget(connection);
        historical.forget(connection);
        realTimeBars.forget(connection);
        broker.forget(connection);
    }

    @Override
    public void onClosed(ClientConnection connection) {
        connections.remove(connection.id());
        clientIds.remove(connection.clientId(), connection);
        feed.forget(connection);
        historical.forget(connection);
        realTimeBars.forget(connection);
        broker.forget(connection);
    }

    private Optional<ClientConnection> activeClient(int clientId) {
        ClientConnection c = clientIds.get(clientId);
        return c != null && c.state() == ConnectionState.ACTIVE ? Optional.of(c) : Optional.empty();
    }

    private void broadcast(ServerMessage message) {
        connections.values().forEach(c -> c.send(message));
    }

    // ---- listening ------------------------------------------------------------------------------------------

    private synchronized void listen() throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getByName(config.host()), apiPort), 50);
        apiPort = socket.getLocalPort();
        serverSocket = socket;
        Thread t = new Thread(() -> acceptLoop(socket), "sim-acceptor");
        t.setDaemon(true);
        acceptor = t;
        t.start();
    }

    private synchronized void listenAgain() throws IOException {
        if (!closed && serverSocket == null) {
            listen();
            log.info("gateway restart finished: listening again on port {}", apiPort);
        }
    }

    private synchronized void stopListening() {
        ServerSocket socket = serverSocket;
        serverSocket = null;
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                log.debug("closing the listening socket", e);
            }
        }
        Thread t = acceptor;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void acceptLoop(ServerSocket socket) {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                s.setTcpNoDelay(true);
                accepted.incrementAndGet();
                long id = connectionIds.incrementAndGet();
                ClientConnection c = new ClientConnection(id, s, this,
                        new PacingMonitor(config.pacingLimit(), config.pacingViolationsToDisconnect(), System::nanoTime));
                connections.put(id, c);
                Flapping f = flapping;
                if (f != null && !f.accepted(c, connections.size())) {
                    continue; // dropped at accept, never started
                }
                c.start();
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    log.warn("accept failed: {}", e.toString());
                }
            }
        }
    }

    /** Stops listening, closes every socket and ends every thread the simulator started. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        scheduler.shutdownNow();
        stopListening();
        if (admin != null) {
            admin.close();
        }
        List<ClientConnection> all = List.copyOf(connections.values());
        for (ClientConnection c : all) {
            c.close("simulator stopped");
        }
        try {
            for (ClientConnection c : all) {
                c.awaitThreads(Duration.ofSeconds(5));
            }
            feed.close();
            realTimeBars.close();
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("gateway simulator stopped");
    }
}
