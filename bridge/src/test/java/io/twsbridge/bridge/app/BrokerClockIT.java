package io.twsbridge.bridge.app;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.twsbridge.bridge.gateway.brokertime.BrokerClock;
import io.twsbridge.bridge.testing.LogCapture;
import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.sim.GatewaySimulator;
import io.twsbridge.sim.SimulatorConfig;
import io.twsbridge.testkit.PrometheusText;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A simulator whose clock runs 3 s ahead of the host's, over a real socket, with a real broker and registry: the
 * bridge measures a skew of 3 s and shows it in {@code /status}, on {@code ib.status} and in the metric, and logs
 * one WARN, however many checks see it; the Gateway's clock set right again, {@code /status} says it is back within
 * the bound.
 *
 * <p>Why 3 s ± 1 s: the simulator answers the whole second its clock is in (it drops the fraction), and the bridge
 * takes that second at its middle, so the figure lies within ±0.5 s of the true 3 s, plus half the round trip
 * (a few ms on loopback). The assertion allows ±1 s, the bound the schema documents.
 */
class BrokerClockIT extends WithKafkaStack {

    private static final Duration GATEWAY_AHEAD = Duration.ofSeconds(3);
    /** Every second rather than every minute, so that the test sees several checks of one skew in a few seconds. */
    private static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);
    private static final long TOLERANCE_MILLIS = 1_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aGatewayThreeSecondsAheadShowsAThreeSecondSkewInStatusOnIbStatusAndInTheMetricWithOneWarn() throws Exception {
        OffsetClock gatewayClock = new OffsetClock(GATEWAY_AHEAD);
        try (LogCapture log = LogCapture.capture();
             GatewaySimulator sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1)
                     .build(), gatewayClock);
             BridgeUnderTest bridge = new BridgeUnderTest(stack, sim, "brokerclock", k -> k,
                     g -> g.brokerClockCheckInterval(CHECK_INTERVAL)).start()) {
            bridge.awaitReady();
            URI base = bridge.app.startManagement("127.0.0.1", 0);

            // /status
            await().atMost(Duration.ofSeconds(10)).until(() -> !brokerClock(base).get("skewMillis").isNull());
            JsonNode status = brokerClock(base);
            long statusSkew = status.get("skewMillis").asLong();
            assertThat(statusSkew).as("/status skew, ms").isBetween(GATEWAY_AHEAD.toMillis() - TOLERANCE_MILLIS,
                    GATEWAY_AHEAD.toMillis() + TOLERANCE_MILLIS);
            assertThat(status.get("beyondWarnSkew").asBoolean()).isTrue();
            assertThat(status.get("warnSkewMillis").asLong()).isEqualTo(2_000);
            assertThat(Instant.parse(status.get("checkedAt").asText())).isBeforeOrEqualTo(Instant.now());

            // ib.status, as a consumer decodes it (plain Avro, schema from the registry); a heartbeat a second
            await().atMost(Duration.ofSeconds(15)).until(() -> !withSkew(bridge).isEmpty());
            List<GenericRecord> statuses = withSkew(bridge);
            GenericRecord published = statuses.get(statuses.size() - 1);
            long publishedSkew = (Long) published.get("brokerClockSkewMillis");
            assertThat(publishedSkew).as("ib.status brokerClockSkewMillis").isBetween(
                    GATEWAY_AHEAD.toMillis() - TOLERANCE_MILLIS, GATEWAY_AHEAD.toMillis() + TOLERANCE_MILLIS);
            assertThat(published.get("brokerClockCheckedAt")).as("brokerClockCheckedAt").isNotNull();

            // The metric
            double metricSkew = PrometheusText.parse(ManagementHttp.get(base, "/metrics").body())
                    .value("tws_bridge_broker_clock_skew_seconds", Map.of());
            assertThat(metricSkew).as("tws_bridge_broker_clock_skew_seconds").isBetween(
                    (GATEWAY_AHEAD.toMillis() - TOLERANCE_MILLIS) / 1000.0,
                    (GATEWAY_AHEAD.toMillis() + TOLERANCE_MILLIS) / 1000.0);

            // One WARN, however many checks see the skew
            long checksBefore = sim.state().received("ReqCurrentTime");
            await().atMost(Duration.ofSeconds(15)).until(() -> sim.state().received("ReqCurrentTime")
                    >= checksBefore + 3);
            List<String> warnings = clockWarnings(log);
            assertThat(warnings).as("WARNs of the broker clock").singleElement().asString()
                    .contains("ahead of this host's").contains("gateway.broker-clock-warn-skew").contains("NTP");
            long checksWhileAhead = sim.state().received("ReqCurrentTime");

            // The Gateway's clock set right: back within the bound, and no second WARN.
            gatewayClock.offset = Duration.ZERO;
            await().atMost(Duration.ofSeconds(10)).until(() -> !brokerClock(base).get("beyondWarnSkew").asBoolean());
            JsonNode fixed = brokerClock(base);
            assertThat(fixed.get("skewMillis").asLong()).as("skew once fixed, ms").isBetween(-TOLERANCE_MILLIS,
                    TOLERANCE_MILLIS);
            assertThat(clockWarnings(log)).hasSize(1);
            assertThat(fixed.get("unansweredChecks").asLong()).isZero();

            System.out.printf("broker clock IT: simulator clock %d ms ahead of the host; /status skew %d ms (round trip "
                            + "%d ms, checked at %s), ib.status brokerClockSkewMillis %d ms, "
                            + "tws_bridge_broker_clock_skew_seconds %.3f; %d reqCurrentTime sent while ahead, "
                            + "%d WARN: %s; after the simulator's clock was set right: skew %d ms, beyondWarnSkew %s%n",
                    GATEWAY_AHEAD.toMillis(), statusSkew, status.get("roundTripMillis").asLong(),
                    status.get("checkedAt").asText(), publishedSkew, metricSkew, checksWhileAhead, warnings.size(),
                    warnings.get(0), fixed.get("skewMillis").asLong(), fixed.get("beyondWarnSkew").asBoolean());
        }
    }

    private static JsonNode brokerClock(URI base) throws Exception {
        JsonNode clock = JSON.readTree(ManagementHttp.get(base, "/status").body()).get("brokerClock");
        assertThat(clock).as("brokerClock in /status").isNotNull();
        return clock;
    }

    private static List<GenericRecord> withSkew(BridgeUnderTest bridge) {
        return bridge.values(Topic.STATUS).stream().filter(r -> r.get("brokerClockSkewMillis") != null).toList();
    }

    private static List<String> clockWarnings(LogCapture log) {
        return log.atLeast(Level.WARN).stream().filter(e -> e.getLoggerName().equals(BrokerClock.class.getName()))
                .map(e -> e.getFormattedMessage()).toList();
    }

    /** The simulator's clock: the host's plus an offset the test changes. */
    private static final class OffsetClock extends Clock {
        volatile Duration offset;

        OffsetClock(Duration offset) {
            this.offset = offset;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.now().plus(offset);
        }
    }
}
