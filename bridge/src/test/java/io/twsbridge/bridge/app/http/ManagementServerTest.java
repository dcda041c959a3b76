package io.twsbridge.bridge.app.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.twsbridge.bridge.app.metrics.MetricsFixture;
import io.twsbridge.bridge.gateway.brokertime.BrokerClock;
import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.gateway.supervisor.ConnectionSupervisor;
import io.twsbridge.testkit.PrometheusText;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ManagementServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final FakeView view = new FakeView();
    private final MetricsFixture metrics = new MetricsFixture().exerciseHooks();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private ManagementServer server;

    @BeforeEach
    void start() throws IOException {
        server = ManagementServer.start(ManagementSettings.defaults().withPort(0), view, metrics.metrics::scrape);
    }

    @AfterEach
    void stop() {
        server.close();
        metrics.close();
    }

    @Test
    void liveIsUpWhateverTheBridgeIsDoing() throws Exception {
        view.status = status(SessionState.DISCONNECTED, false);

        HttpResponse<String> r = get("/health/live");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue(ManagementServer.JSON);
        assertThat(json(r)).isEqualTo(JSON.readTree("{\"status\":\"UP\"}"));
    }

    @Test
    void readyIs200OnlyWhileTheSessionIsReadyAndKafkaAnswers() throws Exception {
        view.status = status(SessionState.READY, true);
        HttpResponse<String> up = get("/health/ready");
        assertThat(up.statusCode()).isEqualTo(200);
        assertThat(json(up).get("status").asText()).isEqualTo("UP");
        assertThat(json(up).get("reasons")).isEmpty();

        view.status = status(SessionState.DEGRADED, true);
        HttpResponse<String> degraded = get("/health/ready");
        assertThat(degraded.statusCode()).isEqualTo(503);
        assertThat(json(degraded).get("status").asText()).isEqualTo("DOWN");
        assertThat(json(degraded).get("reasons").get(0).asText()).contains("DEGRADED", "the reason given");

        view.status = status(SessionState.READY, false);
        HttpResponse<String> noKafka = get("/health/ready");
        assertThat(noKafka.statusCode()).isEqualTo(503);
        assertThat(json(noKafka).get("reasons").get(0).asText()).contains("Kafka is unreachable");

        view.status = status(SessionState.SYNCING, false);
        assertThat(json(get("/health/ready")).get("reasons")).hasSize(2);
    }

    @Test
    void statusHasEveryFieldAnOperatorNeeds() throws Exception {
        view.status = status(SessionState.READY, true);

        HttpResponse<String> r = get("/status");

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode s = json(r);
        List<String> keys = new ArrayList<>();
        s.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactly("bridgeId", "version", "ready", "notReadyReasons", "sessionState",
                "sessionReason", "since", "clientId", "accounts", "desiredSubscriptions", "breakerState", "zombieCount",
                "zombieProbeAvailable", "connectAttempts", "nextAttemptAt", "lastError", "advice", "kafkaReachable",
                "quotesShed", "ordersEnabled", "killSwitchEngaged", "commandConsumerStopped");
        assertThat(s.get("bridgeId").asText()).isEqualTo("bridge-7");
        assertThat(s.get("version").asText()).isEqualTo("0.1.0");
        assertThat(s.get("ready").asBoolean()).isTrue();
        assertThat(s.get("sessionState").asText()).isEqualTo("READY");
        assertThat(s.get("since").asText()).isEqualTo("2026-11-28T14:30:00Z");
        assertThat(s.get("clientId").asInt()).isEqualTo(17);
        assertThat(s.get("accounts").get(0).asText()).isEqualTo("DU111111");
        assertThat(s.get("desiredSubscriptions").get(0).asText()).isEqualTo("265598");
        assertThat(s.get("breakerState").asText()).isEqualTo("FORCED_OPEN");
        assertThat(s.get("zombieCount").asInt()).isEqualTo(2);
        assertThat(s.get("zombieProbeAvailable").asBoolean()).isTrue();
        assertThat(s.get("nextAttemptAt").isNull()).isTrue();
        assertThat(s.get("lastError").asText()).isEqualTo("REFUSED: connection refused");
        assertThat(s.get("advice").asText()).startsWith("Restart IB Gateway");
        assertThat(s.get("kafkaReachable").asBoolean()).isTrue();
        assertThat(s.get("quotesShed").asLong()).isEqualTo(12);
        assertThat(s.get("killSwitchEngaged").asBoolean()).isFalse();
        assertThat(s.get("commandConsumerStopped").isNull()).as("the consumer runs").isTrue();
    }

    @Test
    void statusShowsTheBrokerClocksLatestSkewAndItsBound() throws Exception {
        BridgeStatus s = status(SessionState.READY, true);
        Instant checked = Instant.parse("2026-11-28T14:31:00.250Z");
        view.status = s.withBrokerClock(new BrokerClock.Status(new BrokerClock.Reading(3_245, checked,
                Instant.parse("2026-11-28T14:31:03Z"), 3), Duration.ofSeconds(2), true, 1));

        JsonNode clock = json(get("/status")).get("brokerClock");

        List<String> keys = new ArrayList<>();
        clock.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactly("skewMillis", "checkedAt", "brokerTime", "roundTripMillis", "warnSkewMillis",
                "beyondWarnSkew", "unansweredChecks");
        assertThat(clock.get("skewMillis").asLong()).isEqualTo(3_245);
        assertThat(clock.get("checkedAt").asText()).isEqualTo("2026-11-28T14:31:00.250Z");
        assertThat(clock.get("brokerTime").asText()).isEqualTo("2026-11-28T14:31:03Z");
        assertThat(clock.get("roundTripMillis").asLong()).isEqualTo(3);
        assertThat(clock.get("warnSkewMillis").asLong()).isEqualTo(2_000);
        assertThat(clock.get("beyondWarnSkew").asBoolean()).isTrue();
        assertThat(clock.get("unansweredChecks").asLong()).isEqualTo(1);

        view.status = s.withBrokerClock(new BrokerClock.Status(null, Duration.ofSeconds(2), false, 0));
        JsonNode none = json(get("/status")).get("brokerClock");
        assertThat(none.get("skewMillis").isNull()).as("before the first measure").isTrue();
        assertThat(none.get("checkedAt").isNull()).isTrue();
    }

    @Test
    void metricsAreServedAsPrometheusTextWithTheDocumentedNames() throws Exception {
        HttpResponse<String> r = get("/metrics");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        PrometheusText text = PrometheusText.parse(r.body());
        assertThat(text.families().keySet()).containsAll(MetricsFixture.documentedFamilies());
        assertThat(text.families()).containsKey("jvm_memory_used_bytes");
    }

    @Test
    void postEngagesAndReleasesTheKillSwitch() throws Exception {
        HttpResponse<String> engaged = post("/orders/kill-switch?engaged=true");
        assertThat(engaged.statusCode()).isEqualTo(200);
        assertThat(json(engaged)).isEqualTo(JSON.readTree("{\"killSwitchEngaged\":true}"));
        assertThat(view.killSwitch.get()).isTrue();
        assertThat(json(get("/status")).get("killSwitchEngaged").asBoolean()).isTrue();

        HttpResponse<String> released = post("/orders/kill-switch?engaged=false");
        assertThat(released.statusCode()).isEqualTo(200);
        assertThat(json(released).get("killSwitchEngaged").asBoolean()).isFalse();
        assertThat(view.killSwitch.get()).isFalse();
    }

    @Test
    void aKillSwitchRequestWithoutOneClearValueChangesNothing() throws Exception {
        view.killSwitch.set(true);
        for (String query : List.of("", "?engaged", "?engaged=yes", "?engaged=true&engaged=false", "?on=false")) {
            HttpResponse<String> r = post("/orders/kill-switch" + query);
            assertThat(r.statusCode()).as(query).isEqualTo(400);
            assertThat(json(r).get("error").asText()).contains("engaged=true");
        }
        assertThat(view.killSwitch.get()).isTrue();
    }

    @Test
    void unknownPathsAre404AndWrongMethods405() throws Exception {
        for (String path : List.of("/", "/health", "/status/", "/metrics.txt", "/orders")) {
            assertThat(get(path).statusCode()).as(path).isEqualTo(404);
        }
        HttpResponse<String> postStatus = post("/status");
        assertThat(postStatus.statusCode()).isEqualTo(405);
        assertThat(postStatus.headers().firstValue("Allow")).hasValue("GET");
        HttpResponse<String> getKill = get("/orders/kill-switch?engaged=false");
        assertThat(getKill.statusCode()).isEqualTo(405);
        assertThat(getKill.headers().firstValue("Allow")).hasValue("POST");
        assertThat(send(HttpRequest.newBuilder(uri("/metrics")).method("DELETE", HttpRequest.BodyPublishers.noBody()))
                .statusCode()).isEqualTo(405);
        assertThat(view.killSwitch.get()).isFalse();
    }

    @Test
    void aFailingViewIs500WithoutItsDetails() throws Exception {
        view.failWith = new IllegalStateException("registry password=hunter2");

        HttpResponse<String> r = get("/status");

        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body()).doesNotContain("hunter2").contains("internal error");
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
    }

    @Test
    void bindsTheLoopbackAddressByDefault() throws Exception {
        assertThat(ManagementSettings.defaults()).isEqualTo(new ManagementSettings("127.0.0.1", 8080, 2));
        assertThat(server.address().getAddress()).isEqualTo(InetAddress.getByName("127.0.0.1"));
        assertThat(server.address().getPort()).isPositive();
        assertThat(server.uri()).isEqualTo(URI.create("http://127.0.0.1:" + server.address().getPort()));
    }

    @Test
    void settingsNameEveryBadValueAtOnce() {
        assertThatThrownBy(() -> new ManagementSettings(" ", 70000, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("http.host")
                .hasMessageContaining("http.port must be 0..65535 but was 70000")
                .hasMessageContaining("http.threads must be 1..16 but was 0");
    }

    @Test
    void reconnectAnswers202WhenAnAttemptStartedAnd409WithTheReasonWhenRefused() throws Exception {
        HttpResponse<String> started = post("/session/reconnect");
        assertThat(started.statusCode()).isEqualTo(202);
        assertThat(JSON.readTree(started.body()).path("reason").asText())
                .isEqualTo("attempt 3 started (breaker was OPEN)");

        view.attemptAnswer = new ConnectionSupervisor.AttemptRequest(false, "2 zombie socket(s) in CLOSE_WAIT on "
                + "port 4002: an attempt would not be served; restart IB Gateway first");
        HttpResponse<String> refused = post("/session/reconnect");
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(refused.body()).path("started").asBoolean(true)).isFalse();
        assertThat(JSON.readTree(refused.body()).path("reason").asText()).startsWith("2 zombie socket(s)");
        assertThat(get("/session/reconnect").statusCode()).as("POST only").isEqualTo(405);
    }

    @Test
    void aPortInUseFailsAtStart() {
        ManagementSettings taken = ManagementSettings.defaults().withPort(server.address().getPort());
        assertThatThrownBy(() -> ManagementServer.start(taken, view, () -> "")).isInstanceOf(BindException.class)
                .hasMessageStartingWith("the management endpoint cannot listen on http.host=127.0.0.1 http.port="
                        + server.address().getPort() + ": ")
                .hasMessageContaining("set http.port to a free port");
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    private static BridgeStatus status(SessionState state, boolean kafkaReachable) {
        return new BridgeStatus("bridge-7", "0.1.0", state, "the reason given", Instant.parse("2026-11-28T14:30:00Z"),
                17, List.of("DU111111"), List.of("265598"), "FORCED_OPEN", 2, true, 3, null,
                "REFUSED: connection refused", "Restart IB Gateway (log in again with 2FA) to clear them.",
                kafkaReachable, 12, true, false, null, null, null, null, null);
    }

    private URI uri(String pathAndQuery) {
        return URI.create(server.uri() + pathAndQuery);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    private HttpResponse<String> post(String path) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body());
    }

    /** A bridge whose status the test sets. */
    private static final class FakeView implements BridgeView {
        volatile BridgeStatus status = ManagementServerTest.status(SessionState.READY, true);
        volatile RuntimeException failWith;
        final AtomicBoolean killSwitch = new AtomicBoolean();
        volatile ConnectionSupervisor.AttemptRequest attemptAnswer =
                new ConnectionSupervisor.AttemptRequest(true, "attempt 3 started (breaker was OPEN)");

        @Override
        public Readiness readiness() {
            return current().readiness();
        }

        @Override
        public BridgeStatus status() {
            BridgeStatus s = current();
            return s.withKillSwitchEngaged(killSwitch.get());
        }

        @Override
        public boolean setKillSwitch(boolean engaged) {
            killSwitch.set(engaged);
            return killSwitch.get();
        }

        @Override
        public ConnectionSupervisor.AttemptRequest requestAttempt() {
            return attemptAnswer;
        }

        private BridgeStatus current() {
            if (failWith != null) {
                throw failWith;
            }
            return status;
        }
    }
}
