package io.twsbridge.bridge.app.http;

import io.twsbridge.bridge.gateway.GatewayConfig;
import io.twsbridge.bridge.gateway.GatewayService;
import io.twsbridge.bridge.gateway.brokertime.BrokerClock;
import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.gateway.zombie.ZombieProbe;
import io.twsbridge.bridge.orders.Guardrails;
import io.twsbridge.bridge.orders.OrderSettings;
import io.twsbridge.protocol.message.Contract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** The adapter over the real components, with a Gateway service that is never started. */
class LiveBridgeViewTest {

    private final GatewayService gateway = new GatewayService(GatewayConfig.builder().port(4002).clientId(17).build(),
            ZombieProbe.disabled(), Clock.systemUTC());
    private final AtomicBoolean kafka = new AtomicBoolean(true);
    private final Guardrails guardrails = new Guardrails(OrderSettings.defaults());
    private final LiveBridgeView view = new LiveBridgeView("bridge-7", gateway, kafka::get, () -> 4, guardrails,
            java.util.Optional::empty);

    @AfterEach
    void close() {
        gateway.close();
    }

    @Test
    void whileStartUpWaitsForTheRegistryThatIsWhyItIsNotReady() {
        java.util.concurrent.atomic.AtomicReference<java.util.Optional<String>> wait = new java.util.concurrent.atomic
                .AtomicReference<>(java.util.Optional.of("start-up waits for the schema registry at http://r:8081"));
        LiveBridgeView starting = new LiveBridgeView("bridge-7", gateway, kafka::get, () -> 4, guardrails, wait::get);

        assertThat(starting.readiness().reasons()).singleElement().asString()
                .contains("schema registry at http://r:8081");
        assertThat(starting.status().toJson().get("notReadyReasons")).asString()
                .contains("schema registry at http://r:8081");

        wait.set(java.util.Optional.empty());
        assertThat(starting.readiness().reasons()).singleElement().asString().doesNotContain("schema registry");
    }

    @Test
    void aCommandConsumerThatStoppedByItselfIsAReasonOfItsOwnInReadinessAndStatus() {
        String fenced = "fenced: another consumer joined group g as group.instance.id bridge-7-commands";
        LiveBridgeView stopped = new LiveBridgeView("bridge-7", gateway, kafka::get, () -> 4, guardrails,
                java.util.Optional::empty, () -> null, () -> null, () -> java.util.Optional.of(fenced));

        assertThat(stopped.readiness().reasons()).contains("the command consumer " + fenced);
        assertThat(stopped.status().commandConsumer()).isEqualTo(fenced);
        assertThat(stopped.status().toJson()).containsEntry("commandConsumerStopped", fenced);
        assertThat(view.readiness().reasons()).noneMatch(r -> r.contains("command consumer"));
    }

    @Test
    void theBrokerClockIsInTheStatusOnceTheActivePartRunsAndAbsentBefore() {
        assertThat(view.status().toJson()).doesNotContainKey("brokerClock");

        BrokerClock clock = new BrokerClock(gateway.session()::send, gateway.eventLoop(), GatewayConfig.builder().build());
        LiveBridgeView active = new LiveBridgeView("bridge-7", gateway, kafka::get, () -> 4, guardrails,
                java.util.Optional::empty, () -> null, () -> null, java.util.Optional::empty, clock::status);

        assertThat(active.status().brokerClock()).isEqualTo(clock.status());
        assertThat(active.status().toJson().get("brokerClock")).asString().contains("skewMillis=null")
                .contains("warnSkewMillis=2000");
    }

    @Test
    void aBridgeWithoutAGatewayLinkIsNotReadyAndSaysWhy() {
        assertThat(view.readiness().ready()).isFalse();
        assertThat(view.readiness().reasons()).singleElement().asString().startsWith("Gateway session is DISCONNECTED");

        kafka.set(false);

        assertThat(view.readiness().reasons()).hasSize(2);
        assertThat(view.readiness().reasons().get(1)).contains("Kafka is unreachable");
    }

    @Test
    void statusReadsTheSessionTheSupervisorAndTheDesiredSubscriptions() {
        Contract aapl = Contract.stock("AAPL", "SMART", "USD");
        gateway.session().subscribeMarketData(aapl);
        gateway.session().subscribeRealTimeBars(new io.twsbridge.bridge.gateway.session.BarSubscription(aapl,
                "MIDPOINT", false));

        BridgeStatus s = view.status();

        assertThat(s.bridgeId()).isEqualTo("bridge-7");
        assertThat(s.version()).isNotBlank();
        assertThat(s.sessionState()).isEqualTo(SessionState.DISCONNECTED);
        assertThat(s.clientId()).isEqualTo(17);
        assertThat(s.accounts()).isEmpty();
        // Bars keyed as ib.subscriptions keys them, so that what /status shows can be found on the topic.
        assertThat(s.desiredSubscriptions()).containsExactly("AAPL|STK|SMART|USD", "bars|MIDPOINT|ALL|AAPL|STK|SMART|USD");
        assertThat(s.breakerState()).isEqualTo("CLOSED");
        assertThat(s.connectAttempts()).isZero();
        assertThat(s.since()).isNotNull();
        assertThat(s.kafkaReachable()).isTrue();
        assertThat(s.quotesShed()).isEqualTo(4);
        assertThat(s.ordersEnabled()).isFalse();
        assertThat(s.killSwitchEngaged()).isFalse();
        assertThat(s.readiness()).isEqualTo(view.readiness());
    }

    @Test
    void theKillSwitchIsTheGuardrailsOwn() {
        assertThat(view.setKillSwitch(true)).isTrue();
        assertThat(guardrails.killSwitchEngaged()).isTrue();
        assertThat(view.status().killSwitchEngaged()).isTrue();

        assertThat(view.setKillSwitch(false)).isFalse();
        assertThat(guardrails.killSwitchEngaged()).isFalse();
    }

    @Test
    void statusStillAnswersOnceTheSessionsLoopIsGone() {
        gateway.close();

        BridgeStatus s = view.status();

        assertThat(s.sessionState()).isEqualTo(SessionState.CLOSED);
        assertThat(s.desiredSubscriptions()).isNull();
    }
}
