package io.twsbridge.sim.cli;

import io.twsbridge.sim.GatewaySimulator;
import io.twsbridge.sim.SimulatorConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code java -jar gateway-sim.jar ...}: runs the simulator until interrupted. */
@Command(name = "gateway-sim", mixinStandardHelpOptions = true, version = "gateway-sim 0.1.0",
        description = "An IB Gateway simulator that speaks the TWS API socket protocol.")
public final class GatewaySimCommand implements Callable<Integer> {

    @Option(names = "--host", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host = "127.0.0.1";

    @Option(names = "--port", description = "TWS API port, 0 for a free one (default: ${DEFAULT-VALUE}).")
    int port = 4002;

    @Option(names = "--admin-port", description = "Admin HTTP port, 0 for a free one, -1 for none (default: ${DEFAULT-VALUE}).")
    int adminPort = 4090;

    @Option(names = "--server-version", description = "Highest server version offered, 157..178 (default: ${DEFAULT-VALUE}).")
    int serverVersion = 176;

    @Option(names = "--accounts", split = ",", description = "Managed accounts (default: DU111111,DU222222).")
    List<String> accounts = List.of("DU111111", "DU222222");

    @Option(names = "--symbols", split = ",", description = "Stocks the market knows (default: AAPL,MSFT).")
    List<String> symbols = List.of("AAPL", "MSFT");

    @Option(names = "--tick-rate", description = "Price updates per second per subscribed instrument; 0 = as fast as possible (default: ${DEFAULT-VALUE}).")
    double tickRate = 5;

    @Option(names = "--seed", description = "Seed of the random walk (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--handshake-delay-ms", description = "Delay before the server-version reply (default: ${DEFAULT-VALUE}).")
    long handshakeDelayMs;

    @Option(names = "--api-delay-ms", description = "Delay between startApi and managedAccounts/nextValidId (default: ${DEFAULT-VALUE}).")
    long apiDelayMs;

    @Option(names = "--zombie-on-disconnect", description = "Never close the simulator's side when a client leaves.")
    boolean zombieOnDisconnect;

    @Option(names = "--zombies-block-handshakes", description = "While zombies exist, accept connections but never answer.")
    boolean zombiesBlockHandshakes;

    @Option(names = "--pacing-limit", description = "Client messages per second before error 100 (default: ${DEFAULT-VALUE}).")
    int pacingLimit = 50;

    @Option(names = "--pacing-disconnect-after", description = "Consecutive seconds of violations that drop the link (default: ${DEFAULT-VALUE}).")
    int pacingDisconnectAfter = 3;

    @Option(names = "--master-client-id", description = "TWS's Master API client id: also receives every client's order events; -1 for none (default: ${DEFAULT-VALUE}).")
    int masterClientId = -1;

    @Option(names = "--ambiguous-symbol", description = "A symbol reqContractDetails finds twice (NASDAQ and AEB, USD), for testing ambiguous descriptions; empty for none (default: ${DEFAULT-VALUE}).")
    String ambiguousSymbol = SimulatorConfig.DEFAULT_AMBIGUOUS_SYMBOL;

    @Option(names = "--no-historical-pacing", negatable = true, description = "Enforce IB's historical-data pacing rules (error 162); --no-historical-pacing turns them off (default: on).")
    boolean historicalPacing = true;

    @Option(names = "--historical-latency-ms", description = "How long a historical-data answer takes (default: ${DEFAULT-VALUE}).")
    long historicalLatencyMs = 20;

    @Override
    public Integer call() throws Exception {
        SimulatorConfig config;
        try {
            config = SimulatorConfig.builder().host(host).port(port).adminPort(adminPort).serverVersion(serverVersion)
                    .accounts(accounts).symbols(symbols).tickRate(tickRate).seed(seed)
                    .handshakeDelay(Duration.ofMillis(handshakeDelayMs)).apiDelay(Duration.ofMillis(apiDelayMs))
                    .zombieOnDisconnect(zombieOnDisconnect).zombiesBlockHandshakes(zombiesBlockHandshakes)
                    .pacingLimit(pacingLimit).pacingViolationsToDisconnect(pacingDisconnectAfter)
                    .masterClientId(masterClientId).ambiguousSymbol(ambiguousSymbol).historicalPacing(historicalPacing)
                    .historicalLatency(Duration.ofMillis(historicalLatencyMs)).build();
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        GatewaySimulator simulator = GatewaySimulator.start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            simulator.close();
            stopped.countDown();
        }, "sim-shutdown"));
        System.out.printf("gateway-sim: API on %s:%d, admin on port %d. Ctrl-C to stop.%n", host,
                simulator.apiPort(), simulator.adminPort());
        stopped.await();
        return 0;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new GatewaySimCommand()).execute(args));
    }
}
