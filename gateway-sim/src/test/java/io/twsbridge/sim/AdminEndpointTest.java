package io.twsbridge.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.sim.support.TwsTestClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The admin HTTP endpoint, driven with a plain HTTP client as an operator or a test harness would. */
class AdminEndpointTest extends SimulatorTestBase {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    @BeforeEach
    void startSimulator() throws Exception {
        start(config().tickRate(20));
    }

    @Test
    void getStateReportsConnectionsZombiesOrdersAndSubscriptions() throws Exception {
        sim.faults().setZombieOnDisconnect(true);
        TwsTestClient c = client(1);
        c.send(marketData(3, "AAPL", false));
        c.send(place(1, "AAPL", limit("BUY", 1, 1.00, "admin-ref")));
        c.await(ServerMessage.OrderStatus.class, s -> s.status().equals("Submitted"), TIMEOUT);
        client(2).close();
        eventually().until(() -> sim.state().zombieCount() == 1);

        HttpResponse<String> response = get("/state");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode state = JSON.readTree(response.body());
        assertThat(state.path("serverVersion").asInt()).isEqualTo(176);
        assertThat(state.path("apiPort").asInt()).isEqualTo(sim.apiPort());
        assertThat(state.path("listening").asBoolean()).isTrue();
        assertThat(state.path("zombieCount").asInt()).isEqualTo(1);
        JsonNode connections = state.path("connections");
        assertThat(connections.size()).isEqualTo(2);
        assertThat(connections.get(0).path("clientId").asInt()).isEqualTo(1);
        assertThat(connections.get(0).path("state").asText()).isEqualTo("ACTIVE");
        assertThat(connections.get(1).path("clientId").asInt()).isEqualTo(2);
        assertThat(connections.get(1).path("state").asText()).isEqualTo("ZOMBIE");
        assertThat(state.path("placeOrderCountByOrderRef").path("admin-ref").asInt()).isEqualTo(1);
        assertThat(state.path("requestsReceived").path("ReqMktData").asLong()).isEqualTo(1);
        assertThat(state.path("requestsReceived").path("PlaceOrder").asLong()).isEqualTo(1);
        assertThat(state.path("requestsReceived").has("CancelMktData")).as("nothing cancelled").isFalse();
        JsonNode subscriptions = state.path("subscriptions");
        assertThat(subscriptions.size()).isEqualTo(1);
        assertThat(subscriptions.get(0).path("clientId").asInt()).isEqualTo(1);
        assertThat(subscriptions.get(0).path("reqId").asInt()).isEqualTo(3);
        assertThat(subscriptions.get(0).path("symbol").asText()).isEqualTo("AAPL");
        assertThat(state.path("openOrders").asInt()).isEqualTo(1);
        assertThat(state.path("faults").path("zombieOnDisconnect").asBoolean()).isTrue();
    }

    @Test
    void faultEndpointsChangeTheFaults() throws Exception {
        HttpResponse<String> delay = post("/faults/handshake-delay?ms=250");
        assertThat(delay.statusCode()).isEqualTo(200);
        assertThat(sim.faults().handshakeDelay()).isEqualTo(Duration.ofMillis(250));
        assertThat(JSON.readTree(delay.body()).path("faults").path("handshakeDelayMs").asLong()).isEqualTo(250);

        assertThat(post("/faults/api-delay?ms=120").statusCode()).isEqualTo(200);
        assertThat(sim.faults().apiDelay()).isEqualTo(Duration.ofMillis(120));

        assertThat(post("/faults/zombie-on-disconnect?enabled=true").statusCode()).isEqualTo(200);
        assertThat(sim.state().faults()).containsEntry("zombieOnDisconnect", true);

        assertThat(post("/faults/zombies-block-handshakes?enabled=TRUE").statusCode()).isEqualTo(200);
        assertThat(sim.state().faults()).containsEntry("zombiesBlockHandshakes", true);

        assertThat(post("/faults/zombie-on-disconnect?enabled=false").statusCode()).isEqualTo(200);
        assertThat(sim.state().faults()).containsEntry("zombieOnDisconnect", false);
    }

    @Test
    void theRejectionFaultTakesItsReasonFromTheQuery() throws Exception {
        TwsTestClient c = client(1);
        String reason = "ordre refusé";

        assertThat(post("/faults/reject-next-place-order?reason="
                + java.net.URLEncoder.encode(reason, java.nio.charset.StandardCharsets.UTF_8)).statusCode()).isEqualTo(200);
        c.send(place(1, "AAPL", limit("BUY", 1, 1.00, "rejected-ref")));

        assertThat(c.awaitError(201, TIMEOUT).message()).isEqualTo("Order rejected - reason:" + reason);
    }

    @Test
    void dropAllClosesTheClients() throws Exception {
        TwsTestClient c = client(1);

        assertThat(post("/actions/drop-all").statusCode()).isEqualTo(200);

        eventually().until(c::ended);
        assertThat(sim.state().listening()).isTrue();
    }

    @Test
    void connectivityActionsReachTheClient() throws Exception {
        TwsTestClient c = client(1);
        subscribe(c, 1, 1, "AAPL");

        HttpResponse<String> lost = post("/actions/connectivity-lost");

        assertThat(lost.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(lost.body()).path("connectivityLost").asBoolean()).isTrue();
        c.awaitError(1100, TIMEOUT);

        assertThat(post("/actions/connectivity-restored?data-lost=true").statusCode()).isEqualTo(200);
        c.awaitError(1101, TIMEOUT);
        assertThat(sim.state().connectivityLost()).isFalse();
        assertThat(sim.state().subscriptions()).isEmpty();
    }

    @Test
    void restartClosesClientsAndListensAgain() throws Exception {
        TwsTestClient c = client(1);
        int port = sim.apiPort();

        assertThat(post("/actions/restart?refuse-ms=0").statusCode()).isEqualTo(200);

        eventually().until(c::ended);
        assertThat(sim.apiPort()).isEqualTo(port);
        client(1);
    }

    @Test
    void clearZombiesClosesThem() throws Exception {
        sim.faults().setZombieOnDisconnect(true);
        client(1).close();
        eventually().until(() -> sim.state().zombieCount() == 1);

        HttpResponse<String> cleared = post("/actions/clear-zombies");

        assertThat(cleared.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(cleared.body()).path("zombieCount").asInt()).isZero();
        client(1);
    }

    @ParameterizedTest(name = "POST {0} -> 400")
    @CsvSource(delimiter = '|', value = {
            "/faults/handshake-delay            | missing parameter ms",
            "/faults/handshake-delay?ms=abc     | ms must be a whole number but was 'abc'",
            "/faults/api-delay?ms=-5            | ms must be >= 0 but was -5",
            "/faults/zombie-on-disconnect?enabled=yes | enabled must be true or false but was 'yes'",
            "/faults/zombies-block-handshakes   | enabled must be true or false but was missing",
            "/actions/connectivity-restored     | data-lost must be true or false but was missing",
            "/actions/restart?refuse-ms=soon    | refuse-ms must be a whole number but was 'soon'",
            "/faults/reject-next-place-order    | reason must be some text but was missing"})
    void badParametersGet400WithTheReason(String path, String reason) throws Exception {
        HttpResponse<String> response = post(path);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).path("error").asText()).isEqualTo(reason);
        assertThat(sim.faults().handshakeDelay()).isZero();
        assertThat(sim.faults().apiDelay()).isZero();
        assertThat(sim.state().faults()).containsEntry("zombieOnDisconnect", false);
        assertThat(sim.state().listening()).isTrue();
    }

    @ParameterizedTest(name = "{0} {1} -> 404")
    @CsvSource({"GET, /nothing", "POST, /nothing", "POST, /faults/nothing", "POST, /actions/nothing", "GET, /"})
    void unknownPathsGet404(String method, String path) throws Exception {
        HttpResponse<String> response = send(method, path);

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(response.body()).path("error").asText()).contains(path);
    }

    @ParameterizedTest(name = "{0} {1} -> 405")
    @CsvSource({"GET, /actions/drop-all", "GET, /faults/zombie-on-disconnect?enabled=true", "POST, /state",
            "DELETE, /state"})
    void theWrongMethodGets405AndChangesNothing(String method, String path) throws Exception {
        TwsTestClient c = client(1);

        HttpResponse<String> response = send(method, path);

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(JSON.readTree(response.body()).path("error").asText()).isNotBlank();
        assertThat(sim.state().faults()).containsEntry("zombieOnDisconnect", false);
        c.send(new ClientMessage.ReqCurrentTime());
        c.await(ServerMessage.CurrentTime.class, TIMEOUT);
        assertThat(c.ended()).isFalse();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send("GET", path);
    }

    private HttpResponse<String> post(String path) throws Exception {
        return send("POST", path);
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sim.adminPort() + path))
                .timeout(TIMEOUT).method(method, HttpRequest.BodyPublishers.noBody()).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
