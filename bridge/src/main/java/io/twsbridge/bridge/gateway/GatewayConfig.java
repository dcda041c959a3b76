package io.twsbridge.bridge.gateway;

import io.twsbridge.bridge.validation.SettingProblems;
import io.twsbridge.protocol.ServerVersion;

import java.time.Duration;
import java.util.List;

/**
 * Everything the Gateway session and its supervisor are configured with. Immutable; {@link Builder#build()}
 * validates every value and reports all problems at once, naming each setting and its bad value.
 *
 * @param host                    the Gateway's host
 * @param port                    the Gateway's API port (4001/4002 for IB Gateway live/paper)
 * @param clientId                the API client id this bridge uses
 * @param fallbackClientIds       ids tried in turn when the current one is in use (error 326); may be empty
 * @param connectTimeout          TCP connect
 * @param handshakeTimeout        from the hello to the server-version reply; a miss is a handshake stall
 * @param apiReadyTimeout         from startApi to nextValidId and a non-empty managedAccounts
 * @param frameTimeout            a frame must arrive whole within this time of its first byte; a frame that stops
 *                                half-way is a protocol fault that closes the link
 * @param syncTimeouts            each initial-sync step, to its End message
 * @param messagesPerSecond       outbound pace, the rate limiter's permits per second
 * @param pacingHardLimit         never more messages than this in any sliding second (IB's limit is 50)
 * @param failuresToOpen          consecutive failed attempts that open the circuit breaker
 * @param retryInitialBackoff     wait after the first failed attempt; doubles per failure, with jitter
 * @param retryMaxBackoff         cap of that wait and of the breaker's open state
 * @param backoffJitter           randomisation factor of the backoff, 0..1
 * @param zombieProbeInterval     how often zombies are counted while they hold the breaker open
 * @param stallHold               how long a handshake stall keeps the breaker open when zombies cannot be seen
 *                                (with {@code unansweredConnection} CLOSE)
 * @param unansweredConnection    keep or close a connection the Gateway accepted and does not answer
 * @param accountSummaryTags      tags of the initial account-summary request
 * @param minServerVersion        lowest server version offered in the hello
 * @param maxServerVersion        highest server version offered in the hello
 * @param brokerClockWarnSkew     a skew between the Gateway's clock and this host's beyond which the bridge warns
 * @param brokerClockCheckInterval how often the Gateway's clock is asked for (reqCurrentTime) while synced
 */
public record GatewayConfig(
        String host,
        int port,
        int clientId,
        List<Integer> fallbackClientIds,
        Duration connectTimeout,
        Duration handshakeTimeout,
        Duration apiReadyTimeout,
        Duration frameTimeout,
        SyncTimeouts syncTimeouts,
        int messagesPerSecond,
        int pacingHardLimit,
        int failuresToOpen,
        Duration retryInitialBackoff,
        Duration retryMaxBackoff,
        double backoffJitter,
        Duration zombieProbeInterval,
        Duration stallHold,
        UnansweredConnection unansweredConnection,
        String accountSummaryTags,
        int minServerVersion,
        int maxServerVersion,
        Duration brokerClockWarnSkew,
        Duration brokerClockCheckInterval) {

    /**
     * Default tags of the account summary (the session's and RequestAccountSnapshot's). {@code $LEDGER:ALL} adds
     * IB's ledger rows of every currency (CashBalance, RealizedPnL, UnrealizedPnL, NetLiquidationByCurrency ...),
     * each with its currency, which a risk process needs beside the account-wide values.
     */
    public static final String DEFAULT_ACCOUNT_SUMMARY_TAGS = "AccountType,NetLiquidation,TotalCashValue,SettledCash,"
            + "AccruedCash,BuyingPower,EquityWithLoanValue,GrossPositionValue,AvailableFunds,ExcessLiquidity,"
            + "$LEDGER:ALL";

    public GatewayConfig {
        fallbackClientIds = List.copyOf(fallbackClientIds);
    }

    /** Per-step timeouts of the initial sync after the API handshake. */
    public record SyncTimeouts(Duration positions, Duration openOrders, Duration completedOrders,
                               Duration executions, Duration accountSummary) {

        public static SyncTimeouts all(Duration each) {
            return new SyncTimeouts(each, each, each, each, each);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().host(host).port(port).clientId(clientId).fallbackClientIds(fallbackClientIds)
                .connectTimeout(connectTimeout).handshakeTimeout(handshakeTimeout).apiReadyTimeout(apiReadyTimeout)
                .frameTimeout(frameTimeout).syncTimeouts(syncTimeouts).messagesPerSecond(messagesPerSecond).pacingHardLimit(pacingHardLimit)
                .failuresToOpen(failuresToOpen)
                .retryInitialBackoff(retryInitialBackoff).retryMaxBackoff(retryMaxBackoff)
                .backoffJitter(backoffJitter).zombieProbeInterval(zombieProbeInterval).stallHold(stallHold)
                .unansweredConnection(unansweredConnection).accountSummaryTags(accountSummaryTags).serverVersions(minServerVersion, maxServerVersion)
                .brokerClockWarnSkew(brokerClockWarnSkew).brokerClockCheckInterval(brokerClockCheckInterval);
    }

    /** Builder with production defaults. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 4002;
        private int clientId = 17;
        private List<Integer> fallbackClientIds = List.of();
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private Duration apiReadyTimeout = Duration.ofSeconds(15);
        /** The Gateway writes each message at once; ten seconds covers retransmissions on a poor network. */
        private Duration frameTimeout = Duration.ofSeconds(10);
        private SyncTimeouts syncTimeouts = SyncTimeouts.all(Duration.ofSeconds(30));
        private int messagesPerSecond = 45;
        /** Two below IB's 50: the Gateway times messages on arrival, and arrival jitter can bunch them. */
        private int pacingHardLimit = 48;
        private int failuresToOpen = 3;
        private Duration retryInitialBackoff = Duration.ofSeconds(2);
        private Duration retryMaxBackoff = Duration.ofMinutes(10);
        private double backoffJitter = 0.5;
        private Duration zombieProbeInterval = Duration.ofSeconds(5);
        private Duration stallHold = Duration.ofMinutes(10);
        private UnansweredConnection unansweredConnection = UnansweredConnection.KEEP;
        private String accountSummaryTags = DEFAULT_ACCOUNT_SUMMARY_TAGS;
        private int minServerVersion = ServerVersion.MIN_SUPPORTED;
        private int maxServerVersion = ServerVersion.MAX_SUPPORTED;
        /** IB's time comes in whole seconds, so a measure is good to about a second: two leaves room for that. */
        private Duration brokerClockWarnSkew = Duration.ofSeconds(2);
        private Duration brokerClockCheckInterval = Duration.ofMinutes(1);

        public Builder host(String v) { host = v; return this; }
        public Builder port(int v) { port = v; return this; }
        public Builder clientId(int v) { clientId = v; return this; }
        public Builder fallbackClientIds(List<Integer> v) { fallbackClientIds = v; return this; }
        public Builder connectTimeout(Duration v) { connectTimeout = v; return this; }
        public Builder handshakeTimeout(Duration v) { handshakeTimeout = v; return this; }
        public Builder apiReadyTimeout(Duration v) { apiReadyTimeout = v; return this; }
        public Builder frameTimeout(Duration v) { frameTimeout = v; return this; }
        public Builder syncTimeouts(SyncTimeouts v) { syncTimeouts = v; return this; }
        public Builder messagesPerSecond(int v) { messagesPerSecond = v; return this; }
        public Builder pacingHardLimit(int v) { pacingHardLimit = v; return this; }
        public Builder failuresToOpen(int v) { failuresToOpen = v; return this; }
        public Builder retryInitialBackoff(Duration v) { retryInitialBackoff = v; return this; }
        public Builder retryMaxBackoff(Duration v) { retryMaxBackoff = v; return this; }
        public Builder backoffJitter(double v) { backoffJitter = v; return this; }
        public Builder zombieProbeInterval(Duration v) { zombieProbeInterval = v; return this; }
        public Builder stallHold(Duration v) { stallHold = v; return this; }
        public Builder unansweredConnection(UnansweredConnection v) { unansweredConnection = v; return this; }
        public Builder accountSummaryTags(String v) { accountSummaryTags = v; return this; }
        public Builder brokerClockWarnSkew(Duration v) { brokerClockWarnSkew = v; return this; }
        public Builder brokerClockCheckInterval(Duration v) { brokerClockCheckInterval = v; return this; }

        public Builder serverVersions(int min, int max) {
            minServerVersion = min;
            maxServerVersion = max;
            return this;
        }

        /** @throws IllegalArgumentException listing every invalid setting with its value */
        public GatewayConfig build() {
            SettingProblems problems = new SettingProblems("gateway");
            problems.notBlank("gateway.host", host);
            problems.inRange("gateway.port", port, 1, 65535);
            if (clientId < 0) {
                problems.add("gateway.client-id", "must be >= 0 but was " + clientId);
            }
            if (fallbackClientIds == null || fallbackClientIds.stream().anyMatch(id -> id == null || id < 0)) {
                problems.add("gateway.fallback-client-ids", "must be ids >= 0 but was " + fallbackClientIds);
            } else if (fallbackClientIds.contains(clientId)) {
                problems.add("gateway.fallback-client-ids", "must not repeat gateway.client-id " + clientId);
            }
            problems.positive("gateway.connect-timeout", connectTimeout);
            problems.positive("gateway.handshake-timeout", handshakeTimeout);
            problems.positive("gateway.api-ready-timeout", apiReadyTimeout);
            problems.positive("gateway.frame-timeout", frameTimeout);
            if (frameTimeout != null && frameTimeout.toMillis() > Integer.MAX_VALUE) {
                problems.add("gateway.frame-timeout", "must be at most " + Integer.MAX_VALUE + " ms but was " + frameTimeout);
            }
            if (syncTimeouts == null) {
                problems.add("gateway.sync-timeouts", "must be set");
            } else {
                problems.positive("gateway.sync-timeout.positions", syncTimeouts.positions());
                problems.positive("gateway.sync-timeout.open-orders", syncTimeouts.openOrders());
                problems.positive("gateway.sync-timeout.completed-orders", syncTimeouts.completedOrders());
                problems.positive("gateway.sync-timeout.executions", syncTimeouts.executions());
                problems.positive("gateway.sync-timeout.account-summary", syncTimeouts.accountSummary());
            }
            if (pacingHardLimit < 1 || pacingHardLimit > 50) {
                problems.add("gateway.pacing-hard-limit", "must be 1..50 (IB allows 50 a second) but was " + pacingHardLimit);
            }
            if (messagesPerSecond < 1 || messagesPerSecond > pacingHardLimit) {
                problems.add("gateway.messages-per-second", "must be 1..gateway.pacing-hard-limit (" + pacingHardLimit
                        + ") but was " + messagesPerSecond);
            }
            if (failuresToOpen < 1) {
                problems.add("gateway.failures-to-open", "must be >= 1 but was " + failuresToOpen);
            }
            problems.positive("gateway.retry-initial-backoff", retryInitialBackoff);
            problems.positive("gateway.retry-max-backoff", retryMaxBackoff);
            if (retryInitialBackoff != null && retryMaxBackoff != null && retryMaxBackoff.compareTo(retryInitialBackoff) < 0) {
                problems.add("gateway.retry-max-backoff", "(" + retryMaxBackoff + ") must be >= gateway.retry-initial-backoff ("
                        + retryInitialBackoff + ")");
            }
            if (!(backoffJitter >= 0 && backoffJitter < 1)) {
                problems.add("gateway.backoff-jitter", "must be in [0, 1) but was " + backoffJitter);
            }
            problems.positive("gateway.zombie-probe-interval", zombieProbeInterval);
            problems.positive("gateway.stall-hold", stallHold);
            if (unansweredConnection == null) {
                problems.add("gateway.unanswered-connection", "must be keep or close");
            }
            problems.notBlank("gateway.account-summary-tags", accountSummaryTags);
            if (minServerVersion < ServerVersion.MIN_SUPPORTED || maxServerVersion > ServerVersion.MAX_SUPPORTED
                    || minServerVersion > maxServerVersion) {
                problems.add("gateway.server-versions", "must lie within " + ServerVersion.MIN_SUPPORTED + ".."
                        + ServerVersion.MAX_SUPPORTED + " but was " + minServerVersion + ".." + maxServerVersion);
            }
            problems.positive("gateway.broker-clock-warn-skew", brokerClockWarnSkew);
            // Each check is one message against IB's pace; more often than a second measures nothing new at IB's
            // one-second resolution.
            problems.atLeast("gateway.broker-clock-check-interval", brokerClockCheckInterval, Duration.ofSeconds(1));
            problems.throwIfAny();
            return new GatewayConfig(host, port, clientId, fallbackClientIds, connectTimeout, handshakeTimeout,
                    apiReadyTimeout, frameTimeout, syncTimeouts, messagesPerSecond, pacingHardLimit, failuresToOpen, retryInitialBackoff,
                    retryMaxBackoff, backoffJitter, zombieProbeInterval, stallHold, unansweredConnection,
                    accountSummaryTags, minServerVersion, maxServerVersion, brokerClockWarnSkew,
                    brokerClockCheckInterval);
        }
    }
}
