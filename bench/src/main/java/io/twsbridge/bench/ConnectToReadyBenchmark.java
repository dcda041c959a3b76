package io.twsbridge.bench;

import io.twsbridge.bench.support.BenchMode;
import io.twsbridge.bench.support.Report;
import io.twsbridge.bridge.gateway.GatewayConfig;
import io.twsbridge.bridge.gateway.GatewayService;
import io.twsbridge.bridge.gateway.session.SessionListener;
import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.gateway.session.SessionStateChange;
import io.twsbridge.bridge.gateway.zombie.ZombieProbe;
import io.twsbridge.protocol.codec.ClientMessageCodec;
import io.twsbridge.protocol.codec.ServerMessageCodec;
import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.ExecutionFilter;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.protocol.wire.Frames;
import io.twsbridge.protocol.wire.Handshake;
import io.twsbridge.sim.GatewaySimulator;
import io.twsbridge.sim.SimulatorConfig;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Connect-to-READY time of the bridge against the simulator, next to a baseline measured in the same run: a bare
 * client built straight on the codec that performs exactly the same exchange (hello, startApi, nextValidId and
 * managedAccounts, then the five initial-sync requests to their End messages) with no session, supervisor,
 * pacing or event loop. The difference of the medians is the bridge's own overhead.
 */
public final class ConnectToReadyBenchmark {

    /** The same bound as the bridge's wait for READY. */
    private static final int READ_TIMEOUT_MILLIS = 30_000;

    private ConnectToReadyBenchmark() {
    }

    /** 40 measured connects per scenario after 10 warm-up ones (smoke: 3 after 1); writes nothing itself. */
    public static Report run(BenchMode mode) throws Exception {
        int warmup = mode.pick(10, 1);
        int runs = mode.pick(40, 3);
        Report report = new Report("connect-to-ready", "Connect-to-READY").smoke(mode.smoke())
                .note(runs + " connects per scenario after " + warmup + " warm-up connects, bridge and baseline "
                        + "interleaved. Baseline: a bare client on the codec doing the same exchange (hello, startApi, "
                        + "nextValidId + managedAccounts, the five initial-sync requests to their End messages) with no "
                        + "session, supervisor, pacing or event loop. The difference of the medians is the bridge's "
                        + "own overhead.")
                .columns("scenario", "baseline median ms", "bridge median ms", "baseline p90 ms", "bridge p90 ms",
                        "bridge overhead (median) ms", "ratio");
        double worstOverhead = 0;
        for (Scenario scenario : List.of(new Scenario("no delay", 0, 0), new Scenario("api delay 300 ms", 0, 300),
                new Scenario("handshake delay 300 ms", 300, 0))) {
            SimulatorConfig config = SimulatorConfig.builder().ephemeralPorts().adminPort(-1)
                    .handshakeDelay(Duration.ofMillis(scenario.handshakeDelayMs))
                    .apiDelay(Duration.ofMillis(scenario.apiDelayMs)).build();
            try (GatewaySimulator sim = GatewaySimulator.start(config)) {
                for (int i = 0; i < warmup; i++) {
                    bridgeConnect(sim);
                    baselineConnect(sim);
                }
                double[] bridge = new double[runs];
                double[] baseline = new double[runs];
                for (int i = 0; i < runs; i++) {
                    // interleaved, so drift on this shared machine hits both alike
                    bridge[i] = bridgeConnect(sim);
                    baseline[i] = baselineConnect(sim);
                }
                double bridgeMedian = percentile(bridge, 50);
                double baselineMedian = percentile(baseline, 50);
                double overhead = bridgeMedian - baselineMedian;
                worstOverhead = Math.max(worstOverhead, overhead);
                report.row(scenario.name, baselineMedian, bridgeMedian, percentile(baseline, 90), percentile(bridge, 90),
                        overhead, bridgeMedian / baselineMedian);
            }
        }
        return report.verdict("bridge overhead on connect-to-READY < 20 ms (median, worst scenario)",
                String.format(Locale.ROOT, "%.1f ms", worstOverhead), worstOverhead < 20);
    }

    private record Scenario(String name, int handshakeDelayMs, int apiDelayMs) {
    }

    /** Milliseconds from start() to READY. */
    private static double bridgeConnect(GatewaySimulator sim) throws Exception {
        GatewayConfig config = GatewayConfig.builder().port(sim.apiPort()).clientId(17).build();
        CountDownLatch ready = new CountDownLatch(1);
        GatewayService service = new GatewayService(config, ZombieProbe.disabled(), Clock.systemUTC());
        service.session().addListener(new SessionListener() {
            @Override
            public void onStateChange(SessionStateChange change) {
                if (change.to() == SessionState.READY) {
                    ready.countDown();
                }
            }
        });
        long start = System.nanoTime();
        service.start();
        if (!ready.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("bridge did not reach READY: " + service.session().snapshot());
        }
        long elapsed = System.nanoTime() - start;
        service.close();
        awaitNoConnections(sim);
        return elapsed / 1e6;
    }

    /** Milliseconds for the same exchange done by a bare client on the codec. */
    private static double baselineConnect(GatewaySimulator sim) throws Exception {
        long start = System.nanoTime();
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), sim.apiPort())) {
            socket.setTcpNoDelay(true);
            // A simulator that stops answering ends the benchmark (SocketTimeoutException) instead of hanging it.
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            out.write(Handshake.encodeClientHello(new Handshake.ClientHello(157, 178, "")));
            out.flush();
            Handshake.ServerHello hello = Handshake.decodeServerHello(Frames.readFrame(in));
            ClientMessageCodec client = new ClientMessageCodec(hello.serverVersion());
            ServerMessageCodec server = new ServerMessageCodec(hello.serverVersion());
            out.write(client.encode(new ClientMessage.StartApi(18, "")));
            out.flush();
            boolean nextId = false;
            boolean accounts = false;
            while (!(nextId && accounts)) {
                ServerMessage m = server.decode(Frames.readFrame(in));
                nextId |= m instanceof ServerMessage.NextValidId;
                accounts |= m instanceof ServerMessage.ManagedAccounts a && !a.accounts().isEmpty();
            }
            for (ClientMessage request : List.of(new ClientMessage.ReqPositions(), new ClientMessage.ReqAllOpenOrders(),
                    new ClientMessage.ReqCompletedOrders(false), new ClientMessage.ReqExecutions(1, ExecutionFilter.all()),
                    new ClientMessage.ReqAccountSummary(2, "All", GatewayConfig.DEFAULT_ACCOUNT_SUMMARY_TAGS))) {
                out.write(client.encode(request));
            }
            out.flush();
            int ends = 0;
            while (ends < 5) {
                ServerMessage m = server.decode(Frames.readFrame(in));
                if (m instanceof ServerMessage.PositionEnd || m instanceof ServerMessage.OpenOrderEnd
                        || m instanceof ServerMessage.CompletedOrdersEnd || m instanceof ServerMessage.ExecDetailsEnd
                        || m instanceof ServerMessage.AccountSummaryEnd) {
                    ends++;
                }
            }
        }
        long elapsed = System.nanoTime() - start;
        awaitNoConnections(sim);
        return elapsed / 1e6;
    }

    private static void awaitNoConnections(GatewaySimulator sim) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!sim.state().connections().isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IOException("the simulator still holds connections: " + sim.state().connections());
            }
            Thread.onSpinWait();
        }
    }

    private static double percentile(double[] values, int p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
