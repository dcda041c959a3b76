package io.twsbridge.sim;

import io.twsbridge.protocol.ServerVersion;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Start-up settings of the simulator. Immutable and validated: {@link Builder#build()} reports every problem
 * at once.
 *
 * @param host                      address to listen on; loopback by default
 * @param port                      API port, 0 for a free one
 * @param adminPort                 admin HTTP port, 0 for a free one, -1 for none
 * @param serverVersion             the highest server version the simulator offers (157..178)
 * @param accounts                  managed accounts, in the order managedAccounts lists them
 * @param symbols                   the US stocks the market knows
 * @param tickRate                  price updates per second per subscribed instrument; 0 means as fast as possible
 * @param seed                      seed of the random walk, so runs repeat
 * @param handshakeDelay            wait before the server-version reply
 * @param apiDelay                  wait between startApi and managedAccounts/nextValidId
 * @param zombieOnDisconnect        never close the simulator's side when a client leaves
 * @param zombiesBlockHandshakes    while any zombie exists, accept connections but never answer them
 * @param pacingLimit               client messages allowed in any one second before error 100
 * @param pacingViolationsToDisconnect consecutive seconds with violations after which the link is dropped
 * @param masterClientId            the "Master API client id" of TWS: this client also receives the order status,
 *                                  open orders and executions of every other client's orders; -1 for none
 * @param ambiguousSymbol           a symbol reqContractDetails finds twice (primary exchanges NASDAQ and AEB, both
 *                                  in USD), so a client can meet an ambiguous description; "" for none. Not one of
 *                                  {@code symbols}: it is listed for contract details only, without quotes or orders
 * @param historicalPacing          enforce IB's historical-data pacing rules (error 162) and its limit of 60 new
 *                                  real-time bar subscriptions in 10 minutes; on by default
 * @param historicalLatency         how long a historical-data answer takes, during which the request is open (and
 *                                  can be cancelled); 0 answers at once
 */
public record SimulatorConfig(
        String host,
        int port,
        int adminPort,
        int serverVersion,
        List<String> accounts,
        List<String> symbols,
        double tickRate,
        long seed,
        Duration handshakeDelay,
        Duration apiDelay,
        boolean zombieOnDisconnect,
        boolean zombiesBlockHandshakes,
        int pacingLimit,
        int pacingViolationsToDisconnect,
        int masterClientId,
        String ambiguousSymbol,
        boolean historicalPacing,
        Duration historicalLatency) {

    /** The default {@link #ambiguousSymbol}. */
    public static final String DEFAULT_AMBIGUOUS_SYMBOL = "TWIN";

    public SimulatorConfig {
        accounts = List.copyOf(accounts);
        symbols = List.copyOf(symbols);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().host(host).port(port).adminPort(adminPort).serverVersion(serverVersion)
                .accounts(accounts).symbols(symbols).tickRate(tickRate).seed(seed).handshakeDelay(handshakeDelay)
                .apiDelay(apiDelay).zombieOnDisconnect(zombieOnDisconnect)
                .zombiesBlockHandshakes(zombiesBlockHandshakes).pacingLimit(pacingLimit)
                .pacingViolationsToDisconnect(pacingViolationsToDisconnect).masterClientId(masterClientId)
                .ambiguousSymbol(ambiguousSymbol)
                .historicalPacing(historicalPacing).historicalLatency(historicalLatency);
    }

    /** Builder with the defaults of the command line. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 4002;
        private int adminPort = 4090;
        private int serverVersion = 176;
        private List<String> accounts = List.of("DU111111", "DU222222");
        private List<String> symbols = List.of("AAPL", "MSFT");
        private double tickRate = 5;
        private long seed = 1;
        private Duration handshakeDelay = Duration.ZERO;
        private Duration apiDelay = Duration.ZERO;
        private boolean zombieOnDisconnect;
        private boolean zombiesBlockHandshakes;
        private int pacingLimit = 50;
        private int pacingViolationsToDisconnect = 3;
        private int masterClientId = -1;
        private String ambiguousSymbol = DEFAULT_AMBIGUOUS_SYMBOL;
        private boolean historicalPacing = true;
        private Duration historicalLatency = Duration.ofMillis(20);

        public Builder host(String v) { host = v; return this; }
        public Builder port(int v) { port = v; return this; }
        public Builder adminPort(int v) { adminPort = v; return this; }
        public Builder serverVersion(int v) { serverVersion = v; return this; }
        public Builder accounts(List<String> v) { accounts = v; return this; }
        public Builder symbols(List<String> v) { symbols = v; return this; }
        public Builder tickRate(double v) { tickRate = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder handshakeDelay(Duration v) { handshakeDelay = v; return this; }
        public Builder apiDelay(Duration v) { apiDelay = v; return this; }
        public Builder zombieOnDisconnect(boolean v) { zombieOnDisconnect = v; return this; }
        public Builder zombiesBlockHandshakes(boolean v) { zombiesBlockHandshakes = v; return this; }
        public Builder pacingLimit(int v) { pacingLimit = v; return this; }
        public Builder pacingViolationsToDisconnect(int v) { pacingViolationsToDisconnect = v; return this; }
        public Builder masterClientId(int v) { masterClientId = v; return this; }
        public Builder ambiguousSymbol(String v) { ambiguousSymbol = v; return this; }
        public Builder historicalPacing(boolean v) { historicalPacing = v; return this; }
        public Builder historicalLatency(Duration v) { historicalLatency = v; return this; }

        /** Ports 0 (free) for API and admin: what in-process tests want. */
        public Builder ephemeralPorts() {
            return port(0).adminPort(0);
        }

        /**
         * Validates every setting and reports all problems in one exception.
         *
         * @throws IllegalArgumentException naming each bad setting and its value
         */
        public SimulatorConfig build() {
            List<String> problems = new ArrayList<>();
            if (host == null || host.isBlank()) {
                problems.add("host must not be empty");
            }
            if (port < 0 || port > 65535) {
                problems.add("port must be 0..65535 but was " + port);
            }
            if (adminPort < -1 || adminPort > 65535) {
                problems.add("admin port must be -1 (none) or 0..65535 but was " + adminPort);
            }
            if (!ServerVersion.isSupported(serverVersion)) {
                problems.add("server version must be " + ServerVersion.MIN_SUPPORTED + ".." + ServerVersion.MAX_SUPPORTED
                        + " but was " + serverVersion);
            }
            if (accounts == null || accounts.isEmpty() || accounts.stream().anyMatch(a -> a == null || a.isBlank()
                    || a.contains(","))) {
                problems.add("accounts must be a non-empty list of names without commas but was " + accounts);
            }
            if (symbols == null || symbols.isEmpty() || symbols.stream().anyMatch(s -> s == null || s.isBlank())) {
                problems.add("symbols must be a non-empty list but was " + symbols);
            }
            if (!(tickRate >= 0) || Double.isInfinite(tickRate)) {
                problems.add("tick rate must be >= 0 (0 = as fast as possible) but was " + tickRate);
            }
            if (handshakeDelay == null || handshakeDelay.isNegative() || handshakeDelay.compareTo(Faults.MAX_DELAY) > 0) {
                problems.add("handshake delay must be 0.." + Faults.MAX_DELAY.toMillis() + " ms but was " + handshakeDelay);
            }
            if (apiDelay == null || apiDelay.isNegative() || apiDelay.compareTo(Faults.MAX_DELAY) > 0) {
                problems.add("api delay must be 0.." + Faults.MAX_DELAY.toMillis() + " ms but was " + apiDelay);
            }
            if (pacingLimit < 1) {
                problems.add("pacing limit must be >= 1 but was " + pacingLimit);
            }
            if (pacingViolationsToDisconnect < 1) {
                problems.add("pacing violations to disconnect must be >= 1 but was " + pacingViolationsToDisconnect);
            }
            String ambiguous = ambiguousSymbol == null ? null : ambiguousSymbol.trim().toUpperCase(Locale.ROOT);
            if (ambiguous == null || !ambiguous.matches("[A-Z0-9.]*")) {
                problems.add("ambiguous symbol must be a plain ticker (letters, digits, '.') or empty for none but was "
                        + (ambiguousSymbol == null ? null : "'" + ambiguousSymbol + "'"));
            } else if (symbols != null && symbols.stream().anyMatch(
                    s -> s != null && s.trim().toUpperCase(Locale.ROOT).equals(ambiguous) && !ambiguous.isEmpty())) {
                problems.add("ambiguous symbol must not be one of the symbols " + symbols + " but was '"
                        + ambiguousSymbol + "'");
            }
            if (historicalLatency == null || historicalLatency.isNegative()
                    || historicalLatency.compareTo(Faults.MAX_DELAY) > 0) {
                problems.add("historical latency must be 0.." + Faults.MAX_DELAY.toMillis() + " ms but was "
                        + historicalLatency);
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("invalid simulator configuration:\n  - "
                        + String.join("\n  - ", problems));
            }
            return new SimulatorConfig(host, port, adminPort, serverVersion, accounts, symbols, tickRate, seed,
                    handshakeDelay, apiDelay, zombieOnDisconnect, zombiesBlockHandshakes, pacingLimit,
                    pacingViolationsToDisconnect, masterClientId, ambiguous, historicalPacing, historicalLatency);
        }
    }
}
