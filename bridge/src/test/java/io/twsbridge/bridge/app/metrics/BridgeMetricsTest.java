package io.twsbridge.bridge.app.metrics;

import io.twsbridge.bridge.gateway.GatewayConfig;
import io.twsbridge.bridge.gateway.GatewayService;
import io.twsbridge.bridge.gateway.brokertime.BrokerClock;
import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.gateway.zombie.ZombieProbe;
import io.twsbridge.schema.CommandStatus;
import io.twsbridge.schema.Fill;
import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.testkit.PrometheusText;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class BridgeMetricsTest {

    private final MetricsFixture f = new MetricsFixture();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void aStandbyInstanceReportsItsRoleLeaseAndTakeovers() throws Exception {
        f.failover.set(new io.twsbridge.bridge.failover.FailoverStatus("a",
                io.twsbridge.bridge.failover.FailoverStatus.Role.ACTIVE, java.time.Instant.EPOCH, 4_500, "took over", 2,
                700));
        f.refused.set(7);
        String text = f.metrics.scrape();
        assertThat(text).contains("tws_bridge_failover_role{role=\"ACTIVE\"} 1.0",
                "tws_bridge_failover_role{role=\"STANDBY\"} 0.0", "tws_bridge_failover_lease_remaining_seconds 4.5",
                "tws_bridge_failover_takeovers_total 2.0", "tws_bridge_failover_records_refused_total 7.0");
    }

    @Test
    void theScrapeIsPrometheusTextAndListsExactlyTheDocumentedMetrics() throws Exception {
        f.exerciseHooks();

        PrometheusText text = f.scrape();

        Set<String> scraped = text.families().keySet().stream().filter(n -> n.startsWith("tws_bridge_"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(scraped).isEqualTo(MetricsFixture.documentedFamilies());
        assertThat(text.families()).containsKeys("jvm_memory_used_bytes", "jvm_threads_live_threads",
                "system_cpu_count", "process_uptime_seconds");
        assertThat(text.families().get("tws_bridge_publish_latency_seconds").type()).isEqualTo("histogram");
        assertThat(text.families().get("tws_bridge_commands_total").type()).isEqualTo("counter");
        assertThat(text.families().values()).allSatisfy(fam -> assertThat(fam.help()).isNotBlank());
    }

    @Test
    void sessionStateIsOneForTheCurrentStateOnly() {
        f.state.set(SessionState.SYNCING);

        PrometheusText text = f.scrape();

        for (SessionState s : SessionState.values()) {
            assertThat(text.value("tws_bridge_session_state", Map.of("state", s.name())))
                    .as(s.name()).isEqualTo(s == SessionState.SYNCING ? 1 : 0);
        }
    }

    @Test
    void connectAttemptsByOutcomeAndZombiesFollowTheSupervisorsStatus() {
        f.supervisor.set(MetricsFixture.supervisorStatus(3, Map.of("REFUSED", 4L, "READY", 1L)));

        PrometheusText text = f.scrape();

        assertThat(text.value("tws_bridge_connect_attempts_total", Map.of("outcome", "REFUSED"))).isEqualTo(4);
        assertThat(text.value("tws_bridge_connect_attempts_total", Map.of("outcome", "READY"))).isEqualTo(1);
        assertThat(text.value("tws_bridge_connect_attempts_total", Map.of("outcome", "HANDSHAKE_STALL"))).isZero();
        assertThat(text.value("tws_bridge_zombie_sockets", Map.of())).isEqualTo(3);
        assertThat(text.value("tws_bridge_zombie_probe_available", Map.of())).isEqualTo(1);
    }

    @Test
    void breakerStateAndTransitionsComeFromResilience4j() {
        f.breaker.transitionToForcedOpenState();
        f.breaker.transitionToHalfOpenState();
        f.breaker.onError(5, TimeUnit.MILLISECONDS, new IllegalStateException("refused"));

        PrometheusText text = f.scrape();

        Map<String, String> breaker = Map.of("name", "gateway-connect");
        assertThat(text.value("tws_bridge_circuit_breaker_state", with(breaker, "state", "half_open"))).isEqualTo(1);
        assertThat(text.value("tws_bridge_circuit_breaker_state", with(breaker, "state", "closed"))).isZero();
        assertThat(text.value("tws_bridge_circuit_breaker_transitions_total",
                Map.of("name", "gateway-connect", "from", "closed", "to", "forced_open"))).isEqualTo(1);
        assertThat(text.value("tws_bridge_circuit_breaker_transitions_total",
                Map.of("name", "gateway-connect", "from", "forced_open", "to", "half_open"))).isEqualTo(1);
        assertThat(text.value("tws_bridge_circuit_breaker_calls_seconds_count", with(breaker, "kind", "failed")))
                .isEqualTo(1);
        assertThat(text.value("tws_bridge_rate_limiter_available_permissions", Map.of("name", "gateway-outbound")))
                .isEqualTo(1);
    }

    @Test
    void commandsAreCountedByTypeAndStatusAndUnknownTypesCollapse() {
        f.metrics.result("PlaceOrder", CommandStatus.ACCEPTED);
        f.metrics.result("PlaceOrder", CommandStatus.ACCEPTED);
        f.metrics.result("SubscribeQuotes", CommandStatus.REJECTED);
        f.metrics.result(null, CommandStatus.REJECTED);
        f.metrics.result("NotAPayload", CommandStatus.REJECTED);

        PrometheusText text = f.scrape();

        assertThat(text.value("tws_bridge_commands_total", Map.of("type", "PlaceOrder", "status", "ACCEPTED")))
                .isEqualTo(2);
        assertThat(text.value("tws_bridge_commands_total", Map.of("type", "SubscribeQuotes", "status", "REJECTED")))
                .isEqualTo(1);
        assertThat(text.value("tws_bridge_commands_total", Map.of("type", "unknown", "status", "REJECTED")))
                .isEqualTo(2);
    }

    @Test
    void publishLatencyIsAHistogramPerTopic() {
        f.metrics.acknowledged("ib.fills", TimeUnit.MILLISECONDS.toNanos(3));
        f.metrics.acknowledged("ib.fills", TimeUnit.MILLISECONDS.toNanos(40));
        f.metrics.acknowledged("ib.quotes", TimeUnit.MILLISECONDS.toNanos(1));

        PrometheusText text = f.scrape();

        String bucket = "tws_bridge_publish_latency_seconds_bucket";
        assertThat(text.value(bucket, Map.of("topic", "ib.fills", "le", "0.002"))).isZero();
        assertThat(text.value(bucket, Map.of("topic", "ib.fills", "le", "0.005"))).isEqualTo(1);
        assertThat(text.value(bucket, Map.of("topic", "ib.fills", "le", "0.05"))).isEqualTo(2);
        assertThat(text.value(bucket, Map.of("topic", "ib.fills", "le", "+Inf"))).isEqualTo(2);
        assertThat(text.value("tws_bridge_publish_latency_seconds_count", Map.of("topic", "ib.quotes"))).isEqualTo(1);
        assertThat(text.value("tws_bridge_publish_latency_seconds_sum", Map.of("topic", "ib.fills")))
                .isCloseTo(0.043, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void publisherCountersAndFlagsAreReadAtScrapeTime() {
        f.publisher.publish(Topic.FILLS, "exec-1", new Fill());
        f.publisher.publish(Topic.FILLS, "exec-2", new Fill());
        f.publisher.flush(); // the publisher hands records to the producer on its own thread
        f.queueDepth.set(7);
        f.ticksQueued.set(11);
        f.ticksDropped.set(3);
        f.kafkaReachable.set(false);
        f.ready.set(false);
        f.killSwitch.set(true);

        PrometheusText text = f.scrape();

        assertThat(text.value("tws_bridge_events_published_total", Map.of("topic", "ib.fills"))).isEqualTo(2);
        assertThat(text.value("tws_bridge_events_published_total", Map.of("topic", "ib.quotes"))).isZero();
        assertThat(text.samples()).noneMatch(s -> "ib.commands".equals(s.labels().get("topic")));
        assertThat(text.value("tws_bridge_quotes_shed_total", Map.of())).isZero();
        assertThat(text.value("tws_bridge_dead_letters_total", Map.of())).isZero();
        assertThat(text.value("tws_bridge_publish_errors_total", Map.of())).isZero();
        assertThat(text.value("tws_bridge_outbound_queue_depth", Map.of())).isEqualTo(7);
        assertThat(text.value("tws_bridge_ticks_queued", Map.of())).isEqualTo(11);
        assertThat(text.value("tws_bridge_ticks_dropped_total", Map.of())).isEqualTo(3);
        assertThat(text.value("tws_bridge_quotes_pending", Map.of())).isZero();
        assertThat(text.value("tws_bridge_kafka_reachable", Map.of())).isZero();
        assertThat(text.value("tws_bridge_ready", Map.of())).isZero();
        assertThat(text.value("tws_bridge_kill_switch_engaged", Map.of())).isEqualTo(1);
        assertThat(text.value("tws_bridge_mapper_anomalies_total", Map.of("kind", "dropped_tick"))).isZero();
    }

    @Test
    void theBrokerClockSkewIsNaNBeforeTheFirstMeasureAndThenTheLatestInSeconds() {
        assertThat(f.scrape().value("tws_bridge_broker_clock_skew_seconds", Map.of())).isNaN();

        f.brokerClock.onStateChange(new io.twsbridge.bridge.gateway.session.SessionStateChange(SessionState.SYNCING,
                SessionState.READY, "synced", f.brokerClockLoop.clock().instant()));
        f.brokerClockLoop.advance(java.time.Duration.ofMillis(100));
        // A Gateway 3 s ahead answers the whole second it is in: 14:30:03, taken at its middle, against the
        // host's midpoint 14:30:00.050.
        f.brokerClock.onMessage(new io.twsbridge.protocol.message.ServerMessage.CurrentTime(
                f.brokerClockLoop.clock().instant().plusSeconds(3).getEpochSecond()));
        PrometheusText text = f.scrape();
        assertThat(text.value("tws_bridge_broker_clock_skew_seconds", Map.of())).isEqualTo(3.45);
        assertThat(text.value("tws_bridge_broker_clock_checks_unanswered_total", Map.of())).isZero();

        f.brokerClockLoop.advance(java.time.Duration.ofMinutes(1).plus(BrokerClock.MAX_REPLY_WAIT));
        assertThat(f.scrape().value("tws_bridge_broker_clock_checks_unanswered_total", Map.of())).isEqualTo(1);
        assertThat(f.scrape().value("tws_bridge_broker_clock_skew_seconds", Map.of())).as("the last measure stays")
                .isEqualTo(3.45);
    }

    @Test
    void gaugesSurviveGarbageCollectionOfTheSuppliersHandedIn() {
        // Micrometer holds gauge and function-counter state weakly; method references made at bind time have no
        // other owner, so without a strong reference they would read NaN after a collection.
        System.gc();

        PrometheusText text = f.scrape();

        assertThat(text.value("tws_bridge_session_state", Map.of("state", "READY"))).isEqualTo(1);
        assertThat(text.value("tws_bridge_connect_attempts_total", Map.of("outcome", "READY"))).isZero();
        assertThat(text.value("tws_bridge_kafka_reachable", Map.of())).isEqualTo(1);
    }

    @Test
    void bindGatewayBindsTheRealSessionSupervisorBreakerAndLimiter() {
        GatewayService gateway = new GatewayService(GatewayConfig.builder().port(4002).clientId(17).build(),
                ZombieProbe.disabled(), Clock.systemUTC());
        try (BridgeMetrics metrics = new BridgeMetrics()) {
            metrics.bindGateway(gateway);

            PrometheusText text = PrometheusText.parse(metrics.scrape());

            assertThat(text.value("tws_bridge_session_state", Map.of("state", "DISCONNECTED"))).isEqualTo(1);
            assertThat(text.value("tws_bridge_connect_attempts_total", Map.of("outcome", "READY"))).isZero();
            assertThat(text.value("tws_bridge_zombie_sockets", Map.of())).isZero();
            assertThat(text.value("tws_bridge_circuit_breaker_state",
                    Map.of("name", "gateway-connect", "state", "closed"))).isEqualTo(1);
            assertThat(text.value("tws_bridge_rate_limiter_waiting_threads", Map.of("name", "gateway-outbound")))
                    .isZero();
            assertThat(text.value("tws_bridge_outbound_queue_depth", Map.of())).isZero();
        } finally {
            gateway.close();
        }
    }

    private static Map<String, String> with(Map<String, String> base, String key, String value) {
        Map<String, String> m = new java.util.HashMap<>(base);
        m.put(key, value);
        return m;
    }
}
