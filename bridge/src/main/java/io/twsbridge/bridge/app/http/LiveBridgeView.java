package io.twsbridge.bridge.app.http;

import io.twsbridge.bridge.commands.SubscriptionStore;
import io.twsbridge.bridge.events.Instruments;
import io.twsbridge.bridge.failover.FailoverStatus;
import io.twsbridge.bridge.gateway.GatewayService;
import io.twsbridge.bridge.gateway.brokertime.BrokerClock;
import io.twsbridge.bridge.gateway.session.BarSubscription;
import io.twsbridge.bridge.gateway.session.GatewaySession;
import io.twsbridge.bridge.history.HistoricalBarsService;
import io.twsbridge.bridge.gateway.session.SessionSnapshot;
import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.gateway.supervisor.ConnectionSupervisor;
import io.twsbridge.bridge.gateway.supervisor.SessionReason;
import io.twsbridge.bridge.gateway.supervisor.SupervisorStatus;
import io.twsbridge.bridge.kafka.publish.PublisherHealth;
import io.twsbridge.bridge.orders.Guardrails;
import io.twsbridge.bridge.time.EventLoop;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.schema.WhatToShow;
import io.twsbridge.schema.catalogue.RecordKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The running bridge as the management server sees it: the session's snapshot, the supervisor's status, Kafka's
 * health, the publisher's shed-quote count and the guardrails' kill switch.
 *
 * <p>Threading: everything read here is published for other threads (volatile snapshots, atomics) except the
 * desired subscriptions, which live on the session's event loop; they are read there, with a short timeout.
 */
public final class LiveBridgeView implements BridgeView {

    private static final Logger log = LoggerFactory.getLogger(LiveBridgeView.class);
    private static final Duration LOOP_TIMEOUT = Duration.ofSeconds(1);

    private final String bridgeId;
    private final String version;
    private final GatewayService gateway;
    private final BooleanSupplier kafkaReachable;
    private final LongSupplier quotesShed;
    private final Guardrails guardrails;
    private final Supplier<Optional<String>> startupWait;
    private final Supplier<FailoverStatus> failover;
    private final Supplier<PublisherHealth> publisher;
    private final Supplier<Optional<String>> commandConsumerStopped;
    private final Supplier<BrokerClock.Status> brokerClock;
    private final Supplier<HistoricalBarsService.Status> history;

    /**
     * @param kafkaReachable {@code KafkaHealth::reachable}
     * @param quotesShed     {@code EventPublisher::quotesShed}
     * @param guardrails     the order service's guardrails ({@code OrderService.guardrails()}): the same instance
     *                       that checks orders, or the kill switch would change nothing
     * @param startupWait    what start-up still waits for ({@code RegistryStartup::waitingFor}); while there is
     *                       something, the Gateway session has not been started and this is its reason
     */
    public LiveBridgeView(String bridgeId, GatewayService gateway, BooleanSupplier kafkaReachable,
                          LongSupplier quotesShed, Guardrails guardrails, Supplier<Optional<String>> startupWait) {
        this(bridgeId, gateway, kafkaReachable, quotesShed, guardrails, startupWait, () -> null);
    }

    /**
     * @param failover this instance's part in a standby bridge's election; null (from the supplier) when it runs
     *                 alone. While the instance is not active, the session's state is reported as STANDBY.
     */
    public LiveBridgeView(String bridgeId, GatewayService gateway, BooleanSupplier kafkaReachable,
                          LongSupplier quotesShed, Guardrails guardrails, Supplier<Optional<String>> startupWait,
                          Supplier<FailoverStatus> failover) {
        this(bridgeId, gateway, kafkaReachable, quotesShed, guardrails, startupWait, failover, () -> null);
    }

    /** @param publisher the publisher's watchdog ({@code EventPublisher::health}); null before there is one */
    public LiveBridgeView(String bridgeId, GatewayService gateway, BooleanSupplier kafkaReachable,
                          LongSupplier quotesShed, Guardrails guardrails, Supplier<Optional<String>> startupWait,
                          Supplier<FailoverStatus> failover,
                          Supplier<PublisherHealth> publisher) {
        this(bridgeId, gateway, kafkaReachable, quotesShed, guardrails, startupWait, failover, publisher,
                Optional::empty);
    }

    /**
     * @param commandConsumerStopped why the command consumer stopped by itself ({@code CommandConsumer::stoppedBecause});
     *                               empty while it runs or before it starts
     */
    public LiveBridgeView(String bridgeId, GatewayService gateway, BooleanSupplier kafkaReachable,
                          LongSupplier quotesShed, Guardrails guardrails, Supplier<Optional<String>> startupWait,
                          Supplier<FailoverStatus> failover,
                          Supplier<PublisherHealth> publisher, Supplier<Optional<String>> commandConsumerStopped) {
        this(bridgeId, gateway, kafkaReachable, quotesShed, guardrails, startupWait, failover, publisher,
                commandConsumerStopped, () -> null);
    }

    /**
     * @param brokerClock the Gateway's clock against this host's ({@code BrokerClock::status}); null (from the
     *                    supplier) before the active part of the bridge starts
     */
    public LiveBridgeView(String bridgeId, GatewayService gateway, BooleanSupplier kafkaReachable,
                          LongSupplier quotesShed, Guardrails guardrails, Supplier<Optional<String>> startupWait,
                          Supplier<FailoverStatus> failover,
                          Supplier<PublisherHealth> publisher, Supplier<Optional<String>> commandConsumerStopped,
                          Supplier<BrokerClock.Status> brokerClock) {
        this(bridgeId, gateway, kafkaReachable, quotesShed, guardrails, startupWait, failover, publisher,
                commandConsumerStopped, brokerClock, () -> null);
    }

    /**
     * @param history historical requests and their pacing ({@code HistoricalBarsService::status}); null (from the
     *                supplier) before the active part of the bridge starts
     */
    public LiveBridgeView(String bridgeId, GatewayService gateway, BooleanSupplier kafkaReachable,
                          LongSupplier quotesShed, Guardrails guardrails, Supplier<Optional<String>> startupWait,
                          Supplier<FailoverStatus> failover,
                          Supplier<PublisherHealth> publisher, Supplier<Optional<String>> commandConsumerStopped,
                          Supplier<BrokerClock.Status> brokerClock, Supplier<HistoricalBarsService.Status> history) {
        this.history = history;
        this.brokerClock = brokerClock;
        this.commandConsumerStopped = commandConsumerStopped;
        this.failover = failover;
        this.publisher = publisher;
        this.bridgeId = bridgeId;
        this.version = BridgeStatus.versionOf(LiveBridgeView.class);
        this.gateway = gateway;
        this.kafkaReachable = kafkaReachable;
        this.quotesShed = quotesShed;
        this.guardrails = guardrails;
        this.startupWait = startupWait;
    }

    @Override
    public Readiness readiness() {
        SessionSnapshot s = gateway.session().snapshot();
        FailoverStatus f = failover.get();
        if (standingBy(f)) {
            return Readiness.of(SessionState.STANDBY, startupWait.get().orElse(standbyReason(f)),
                    kafkaReachable.getAsBoolean());
        }
        return Readiness.of(s.state(),
                startupWait.get().orElse(SessionReason.of(s, gateway.supervisor().status())),
                kafkaReachable.getAsBoolean(), commandConsumerStopped.get().orElse(null));
    }

    @Override
    public BridgeStatus status() {
        SessionSnapshot session = gateway.session().snapshot();
        SupervisorStatus supervisor = gateway.supervisor().status();
        int clientId = session.clientId() >= 0 ? session.clientId() : supervisor.clientId();
        FailoverStatus f = failover.get();
        boolean standby = standingBy(f);
        return new BridgeStatus(bridgeId, version, standby ? SessionState.STANDBY : session.state(),
                startupWait.get().orElse(standby ? standbyReason(f) : SessionReason.of(session, supervisor)),
                standby ? f.roleSince() : supervisor.since(), clientId,
                session.accounts(), desiredSubscriptionKeys(), supervisor.breakerState(), supervisor.zombieCount(),
                supervisor.zombieProbeAvailable(), supervisor.attempts(), supervisor.nextAttemptAt(),
                supervisor.lastError(), supervisor.advice(), kafkaReachable.getAsBoolean(), quotesShed.getAsLong(),
                guardrails.ordersEnabled(), guardrails.killSwitchEngaged(), f, publisher.get(),
                commandConsumerStopped.get().orElse(null), brokerClock.get(), history.get());
    }

    /** A standby bridge's instance that runs no session: waiting, or deposed and on its way out. */
    private static boolean standingBy(FailoverStatus f) {
        return f != null && (f.role() == FailoverStatus.Role.STANDBY
                || f.role() == FailoverStatus.Role.DEPOSED);
    }

    private static String standbyReason(FailoverStatus f) {
        return f.role() == FailoverStatus.Role.DEPOSED
                ? "deposed (" + f.lastChange() + "); restarting as a standby"
                : "standby instance " + f.instanceId() + ": another instance is active, or the election is under way";
    }

    @Override
    public boolean setKillSwitch(boolean engaged) {
        if (engaged) {
            guardrails.engageKillSwitch();
        } else {
            guardrails.releaseKillSwitch();
        }
        return guardrails.killSwitchEngaged();
    }

    @Override
    public ConnectionSupervisor.AttemptRequest requestAttempt() {
        if (standingBy(failover.get())) {
            return new ConnectionSupervisor.AttemptRequest(false, "a standby instance holds no Gateway session");
        }
        try {
            return gateway.supervisor().attemptNow("POST /session/reconnect").get(LOOP_TIMEOUT.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ConnectionSupervisor.AttemptRequest(false, "interrupted");
        } catch (ExecutionException | TimeoutException e) {
            return new ConnectionSupervisor.AttemptRequest(false, "the session's loop did not answer within "
                    + LOOP_TIMEOUT.toSeconds() + " s");
        }
    }

    /**
     * The desired subscriptions' keys, read on the session's loop; null when it does not answer in time. Quotes
     * first, then real-time bars, each keyed as {@code ib.subscriptions} keys it, so that an operator can match
     * what the bridge holds against what the topic would restore.
     */
    private List<String> desiredSubscriptionKeys() {
        GatewaySession session = gateway.session();
        EventLoop loop = gateway.eventLoop();
        if (loop.inLoop()) {
            return desiredKeys(session);
        }
        CompletableFuture<List<String>> keys = new CompletableFuture<>();
        try {
            loop.execute(() -> {
                try {
                    keys.complete(desiredKeys(session));
                } catch (RuntimeException e) {
                    keys.completeExceptionally(e);
                }
            });
            return keys.get(LOOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
            log.debug("desired subscriptions not read from the session's loop: {}", e.toString());
            return null;
        }
    }

    private static List<String> desiredKeys(GatewaySession session) {
        List<String> keys = new ArrayList<>();
        for (Contract c : session.subscriptions().desired().values()) {
            keys.add(RecordKeys.instrument(Instruments.toInstrument(c)));
        }
        for (BarSubscription b : session.realTimeBars().desired().values()) {
            keys.add(SubscriptionStore.realTimeBarsKey(Instruments.toInstrument(b.contract()),
                    WhatToShow.valueOf(b.whatToShow()), b.regularTradingHoursOnly()));
        }
        return List.copyOf(keys);
    }
}
