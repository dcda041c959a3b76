package io.twsbridge.bridge.gateway;

import io.twsbridge.bridge.gateway.session.SessionListener;
import io.twsbridge.bridge.gateway.session.SessionSnapshot;
import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.gateway.session.SessionStateChange;
import io.twsbridge.bridge.gateway.supervisor.SupervisorStatus;
import io.twsbridge.bridge.gateway.zombie.ZombieProbe;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.sim.GatewaySimulator;
import io.twsbridge.sim.SimulatorConfig;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;

/**
 * A simulator and a bridge Gateway service against it, over real sockets, with timeouts short enough for tests.
 * Records every state change, status and Gateway message the bridge reports.
 */
final class GatewayHarness implements AutoCloseable {

    final GatewaySimulator simulator;
    final GatewayService service;
    final List<SessionStateChange> changes = new CopyOnWriteArrayList<>();
    /**
     * The session's snapshot after each state change. The snapshot is replaced only on a state change, so this is
     * every answer any caller on any thread could have read.
     */
    final List<SessionSnapshot> snapshots = new CopyOnWriteArrayList<>();
    final List<SupervisorStatus> statuses = new CopyOnWriteArrayList<>();
    final List<ServerMessage> messages = new CopyOnWriteArrayList<>();

    private GatewayHarness(GatewaySimulator simulator, GatewayService service) {
        this.simulator = simulator;
        this.service = service;
        service.session().addListener(new SessionListener() {
            @Override
            public void onStateChange(SessionStateChange change) {
                changes.add(change);
                snapshots.add(service.session().snapshot());
            }

            @Override
            public void onMessage(ServerMessage message) {
                messages.add(message);
            }
        });
        service.supervisor().addStatusListener(statuses::add);
    }

    /** Configuration for tests: short timeouts and backoffs, so failures show in seconds. */
    static GatewayConfig.Builder fastConfig(int port) {
        return GatewayConfig.builder().host("127.0.0.1").port(port).clientId(17)
                .connectTimeout(Duration.ofSeconds(2)).handshakeTimeout(Duration.ofSeconds(1))
                .apiReadyTimeout(Duration.ofSeconds(3)).syncTimeouts(GatewayConfig.SyncTimeouts.all(Duration.ofSeconds(3)))
                .retryInitialBackoff(Duration.ofMillis(200)).retryMaxBackoff(Duration.ofSeconds(2)).backoffJitter(0.2)
                .zombieProbeInterval(Duration.ofMillis(200)).stallHold(Duration.ofMinutes(5));
    }

    static GatewayHarness start(SimulatorConfig.Builder sim, java.util.function.UnaryOperator<GatewayConfig.Builder> bridge,
                                ZombieProbe probe) throws IOException {
        GatewaySimulator simulator = GatewaySimulator.start(sim.ephemeralPorts().adminPort(-1).build());
        GatewayConfig config = bridge.apply(fastConfig(simulator.apiPort())).build();
        GatewayHarness h = new GatewayHarness(simulator, new GatewayService(config, probe, Clock.systemUTC()));
        h.service.start();
        return h;
    }

    /** A bridge's session against a simulator already running (and perhaps already holding zombies). */
    static GatewayHarness startAgainst(GatewaySimulator simulator, GatewayConfig config, ZombieProbe probe) {
        GatewayHarness h = new GatewayHarness(simulator, new GatewayService(config, probe, Clock.systemUTC()));
        h.service.start();
        return h;
    }

    static GatewayHarness start(SimulatorConfig.Builder sim) throws IOException {
        return start(sim, b -> b, ZombieProbe.forThisHost());
    }

    SessionState state() {
        return service.session().state();
    }

    void awaitState(SessionState state, Duration timeout) {
        await().atMost(timeout).until(() -> service.session().state() == state);
    }

    long accepted() {
        return simulator.state().connectionsAccepted();
    }

    @Override
    public void close() {
        service.close();
        simulator.close();
    }
}
