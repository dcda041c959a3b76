package io.twsbridge.bridge.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.twsbridge.bridge.gateway.zombie.ZombieProbe;
import io.twsbridge.sim.GatewaySimulator;
import io.twsbridge.sim.SimulatorConfig;
import io.twsbridge.sim.support.TcpStates;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * With zombies on a local Gateway, what an operator reads names them: {@code /health/ready} (503) and {@code /status}
 * give the zombies as the reason, not "not connected yet", with no next attempt announced; {@code POST
 * /session/reconnect} is refused for them; once they are cleared the bridge is READY and ready again.
 */
class ZombiesInHealthAndStatusIT extends WithKafkaStack {

    private static final Logger log = LoggerFactory.getLogger(ZombiesInHealthAndStatusIT.class);
    private static final String ZOMBIE_REASON = "1 zombie socket(s) in CLOSE_WAIT on the Gateway's port hold the "
            + "breaker FORCED_OPEN: no connection attempt while they exist";
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void healthAndStatusNameTheZombiesAndAReconnectIsRefusedUntilTheyAreCleared() throws Exception {
        assumeTrue(TcpStates.available(), "needs /proc/net/tcp to count CLOSE_WAIT sockets");
        try (GatewaySimulator sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1)
                .zombieOnDisconnect(true).zombiesBlockHandshakes(true).build());
             BridgeUnderTest bridge = new BridgeUnderTest(stack, sim, "zombie-status", k -> k,
                     g -> g.zombieProbeInterval(Duration.ofMillis(500)))
                     .withZombieProbe(ZombieProbe.forThisHost()).start()) {
            bridge.awaitReady();
            URI base = bridge.app.startManagement("127.0.0.1", 0);
            await().atMost(Duration.ofSeconds(10)).until(() -> ManagementHttp.get(base, "/health/ready").statusCode() == 200);

            bridge.app.gateway().supervisor().reconnect("test: the bridge leaves, the Gateway keeps its socket");
            await().atMost(Duration.ofSeconds(10)).until(() -> ManagementHttp.get(base, "/health/ready").statusCode() == 503
                    && ManagementHttp.get(base, "/health/ready").body().contains("zombie"));

            String readiness = ManagementHttp.get(base, "/health/ready").body();
            JsonNode status = json.readTree(ManagementHttp.get(base, "/status").body());
            log.info("with a zombie: /health/ready {} ; /status sessionReason '{}', zombieCount {}, nextAttemptAt {}, "
                    + "advice '{}'", readiness, status.get("sessionReason").asText(), status.get("zombieCount"),
                    status.get("nextAttemptAt"), status.get("advice").asText());
            assertThat(readiness).contains(ZOMBIE_REASON).doesNotContain("not connected yet");
            assertThat(status.get("sessionReason").asText()).isEqualTo(ZOMBIE_REASON);
            assertThat(status.get("zombieCount").asInt()).isEqualTo(1);
            assertThat(status.get("breakerState").asText()).isEqualTo("FORCED_OPEN");
            assertThat(status.get("nextAttemptAt").isNull()).as("no attempt is due while zombies exist").isTrue();
            assertThat(status.get("advice").asText()).contains("Restart IB Gateway");
            assertThat(sim.state().zombieCount()).as("the simulator's own count").isEqualTo(1);

            HttpResponse<String> reconnect = http.send(HttpRequest.newBuilder(base.resolve("/session/reconnect"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(reconnect.statusCode()).isEqualTo(409);
            assertThat(reconnect.body()).contains("1 zombie socket(s) in CLOSE_WAIT on port " + sim.apiPort());
            long acceptedWhileHeld = sim.state().connectionsAccepted();

            sim.clearZombies();
            await().atMost(Duration.ofSeconds(15)).until(() -> ManagementHttp.get(base, "/health/ready").statusCode() == 200);
            assertThat(sim.state().connectionsAccepted()).as("one attempt once they were gone")
                    .isEqualTo(acceptedWhileHeld + 1);
            assertThat(json.readTree(ManagementHttp.get(base, "/status").body()).get("zombieCount").asInt()).isZero();
        }
    }
}
