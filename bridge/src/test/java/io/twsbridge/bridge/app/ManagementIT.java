package io.twsbridge.bridge.app;

import io.twsbridge.sim.GatewaySimulator;
import io.twsbridge.sim.SimulatorConfig;
import io.twsbridge.testkit.PrometheusText;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The management endpoint of a real bridge: readiness follows the Gateway link; /metrics is Prometheus text. */
class ManagementIT extends WithKafkaStack {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void readinessFollowsTheLinkAndMetricsArePrometheusText() throws Exception {
        try (GatewaySimulator sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1).build());
             BridgeUnderTest bridge = new BridgeUnderTest(stack, sim, "mgmt", k -> k, g -> g).start()) {
            bridge.awaitReady();
            URI base = bridge.app.startManagement("127.0.0.1", 0);
            assertThat(get(base, "/health/live").statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> get(base, "/health/ready").statusCode() == 200);

            sim.dropAllConnections();
            await().atMost(Duration.ofSeconds(10)).until(() -> get(base, "/health/ready").statusCode() == 503);
            bridge.awaitReady();
            await().atMost(Duration.ofSeconds(10)).until(() -> get(base, "/health/ready").statusCode() == 200);

            bridge.send(Commands.positions("m-pos"));
            await().atMost(Duration.ofSeconds(10)).until(() -> !bridge.values(io.twsbridge.schema.catalogue.Topic.COMMAND_RESULTS).isEmpty());
            HttpResponse<String> metrics = get(base, "/metrics");
            assertThat(metrics.headers().firstValue("Content-Type")).get().asString().startsWith("text/plain");
            PrometheusText parsed = PrometheusText.parse(metrics.body());
            assertThat(parsed.families().keySet()).contains("tws_bridge_session_state", "tws_bridge_connect_attempts_total",
                    "tws_bridge_circuit_breaker_state",
                    "tws_bridge_zombie_sockets", "tws_bridge_commands_total", "tws_bridge_events_published_total",
                    "tws_bridge_publish_latency_seconds", "tws_bridge_outbound_queue_depth", "tws_bridge_quotes_shed_total",
                    "tws_bridge_rate_limiter_available_permissions");
            assertThat(parsed.valueWith("tws_bridge_connect_attempts_total", java.util.Map.of("outcome", "READY")))
                    .isEqualTo(2.0);
            assertThat(get(base, "/status").body()).contains("\"sessionState\":\"READY\"").contains("DU111111");
            List<String> noSecrets = List.of("password", "jaas");
            noSecrets.forEach(s -> assertThat(get(base, "/status").body().toLowerCase()).doesNotContain(s));
        }
    }

    private HttpResponse<String> get(URI base, String path) {
        try {
            return http.send(HttpRequest.newBuilder(base.resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
