package io.twsbridge.bridge.app.http;

import io.twsbridge.bridge.failover.FailoverStatus;
import io.twsbridge.bridge.gateway.brokertime.BrokerClock;
import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.history.HistoricalBarsService;
import io.twsbridge.bridge.kafka.publish.PublisherHealth;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One consistent-enough picture of the bridge for {@code GET /status}. Each part is read from its owner's own
 * snapshot (session, supervisor, Kafka health, publisher, guardrails); the parts are not read atomically together.
 *
 * @param version              the bridge's version, "unknown" when the jar carries none
 * @param sessionReason        why the session is in its state
 * @param since                when the session entered its state
 * @param clientId             the API client id of the current (or next) connection attempt
 * @param accounts             managed accounts; empty unless the session is synced
 * @param desiredSubscriptions the keys of the desired market-data subscriptions as {@code ib.subscriptions} keys
 *                             them: quotes (conId or instrument description), then real-time bars
 *                             ({@code bars|TRADES|RTH|...}); null when the session's loop did not answer in time
 * @param breakerState         CLOSED, OPEN, HALF_OPEN or FORCED_OPEN (zombies)
 * @param zombieCount          CLOSE_WAIT sockets on the Gateway's port at the last probe
 * @param zombieProbeAvailable false when this host cannot be inspected for zombies
 * @param connectAttempts      connection attempts since start
 * @param nextAttemptAt        when the next connection attempt is made; null when connected, stopped, attempting
 *                             or held by zombies
 * @param lastError            the last connection failure or link loss, empty when none
 * @param advice               what the operator should do, empty when nothing
 * @param kafkaReachable       whether the Kafka cluster answers the health check
 * @param quotesShed           quotes dropped because the producer buffer was nearly full
 * @param ordersEnabled        whether order placement is switched on at all
 * @param killSwitchEngaged    whether every new order is refused
 * @param failover             this instance's part in the election of a standby bridge; null when it runs alone
 * @param publisher            the publisher's watchdog: unacknowledged records, stuck partitions, heals; null
 *                             before the publisher exists
 * @param commandConsumer      why the command consumer stopped by itself (fenced by another consumer with this
 *                             bridge's group.instance.id, say); null while it runs or before it starts
 * @param brokerClock          the Gateway's clock against this host's: the latest skew, when it was measured, the
 *                             bound; null before the active part of the bridge starts
 * @param history              historical requests and their pacing queue; null before the active part starts
 */
public record BridgeStatus(
        String bridgeId,
        String version,
        SessionState sessionState,
        String sessionReason,
        Instant since,
        int clientId,
        List<String> accounts,
        List<String> desiredSubscriptions,
        String breakerState,
        int zombieCount,
        boolean zombieProbeAvailable,
        long connectAttempts,
        Instant nextAttemptAt,
        String lastError,
        String advice,
        boolean kafkaReachable,
        long quotesShed,
        boolean ordersEnabled,
        boolean killSwitchEngaged,
        FailoverStatus failover,
        PublisherHealth publisher,
        String commandConsumer,
        BrokerClock.Status brokerClock,
        HistoricalBarsService.Status history) {

    public BridgeStatus {
        accounts = List.copyOf(accounts);
        desiredSubscriptions = desiredSubscriptions == null ? null : List.copyOf(desiredSubscriptions);
        version = version == null || version.isBlank() ? "unknown" : version;
        sessionReason = sessionReason == null ? "" : sessionReason;
        lastError = lastError == null ? "" : lastError;
        advice = advice == null ? "" : advice;
    }

    /** This status with the kill switch as given. */
    public BridgeStatus withKillSwitchEngaged(boolean engaged) {
        return new BridgeStatus(bridgeId, version, sessionState, sessionReason, since, clientId, accounts,
                desiredSubscriptions, breakerState, zombieCount, zombieProbeAvailable, connectAttempts, nextAttemptAt,
                lastError, advice, kafkaReachable, quotesShed, ordersEnabled, engaged, failover, publisher,
                commandConsumer, brokerClock, history);
    }

    /** This status with the broker clock's part as given. */
    public BridgeStatus withBrokerClock(BrokerClock.Status clock) {
        return new BridgeStatus(bridgeId, version, sessionState, sessionReason, since, clientId, accounts,
                desiredSubscriptions, breakerState, zombieCount, zombieProbeAvailable, connectAttempts, nextAttemptAt,
                lastError, advice, kafkaReachable, quotesShed, ordersEnabled, killSwitchEngaged, failover, publisher,
                commandConsumer, clock, history);
    }

    /** The readiness this status implies, by the rule of {@link Readiness#of}. */
    public Readiness readiness() {
        return Readiness.of(sessionState, sessionReason, kafkaReachable, commandConsumer);
    }

    /** The JSON body of {@code GET /status}, keys in a fixed order. */
    public Map<String, Object> toJson() {
        Readiness readiness = readiness();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("bridgeId", bridgeId);
        json.put("version", version);
        json.put("ready", readiness.ready());
        json.put("notReadyReasons", readiness.reasons());
        json.put("sessionState", sessionState.name());
        json.put("sessionReason", sessionReason);
        json.put("since", since == null ? null : since.toString());
        json.put("clientId", clientId);
        json.put("accounts", accounts);
        json.put("desiredSubscriptions", desiredSubscriptions);
        json.put("breakerState", breakerState);
        json.put("zombieCount", zombieCount);
        json.put("zombieProbeAvailable", zombieProbeAvailable);
        json.put("connectAttempts", connectAttempts);
        json.put("nextAttemptAt", nextAttemptAt == null ? null : nextAttemptAt.toString());
        json.put("lastError", lastError);
        json.put("advice", advice);
        json.put("kafkaReachable", kafkaReachable);
        json.put("quotesShed", quotesShed);
        json.put("ordersEnabled", ordersEnabled);
        json.put("killSwitchEngaged", killSwitchEngaged);
        json.put("commandConsumerStopped", commandConsumer);
        if (failover != null) {
            json.put("failover", failover.toJson());
        }
        if (publisher != null) {
            json.put("publisher", publisher.toJson());
        }
        if (brokerClock != null) {
            json.put("brokerClock", brokerClock.toJson());
        }
        if (history != null) {
            json.put("history", history.toJson());
        }
        return json;
    }

    /** The implementation version in {@code type}'s jar manifest, "unknown" without one. */
    public static String versionOf(Class<?> type) {
        Package p = type.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return v == null || v.isBlank() ? "unknown" : v;
    }
}
