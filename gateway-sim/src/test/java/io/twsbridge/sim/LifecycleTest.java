package io.twsbridge.sim;

import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.sim.support.TwsTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Start and stop, and what hostile bytes on one socket do (to that socket only). */
class LifecycleTest extends SimulatorTestBase {

    @Test
    void closeEndsEveryThreadAndSocketItMade() throws Exception {
        start(config().tickRate(20));
        TwsTestClient active = client(1);
        active.send(marketData(1, "AAPL", false));
        active.await(ServerMessage.TickPrice.class, TIMEOUT);
        sim.faults().setZombieOnDisconnect(true);
        sim.faults().setZombiesBlockHandshakes(true);
        client(2).close();
        eventually().until(() -> sim.state().zombieCount() == 1);
        TwsTestClient stalled = open();
        stalled.sendHello(157, 178);
        eventually().until(() -> sim.state().stalledCount() == 1);
        TwsTestClient silent = open();
        eventually().until(() -> sim.state().connectionsAccepted() == 4);
        HttpResponse<Void> admin = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sim.adminPort() + "/state")).build(),
                HttpResponse.BodyHandlers.discarding());
        assertThat(admin.statusCode()).isEqualTo(200);
        int apiPort = sim.apiPort();
        int adminPort = sim.adminPort();
        assertThat(simThreads()).contains("sim-acceptor", "sim-market-data-pump", "sim-admin-http")
                .anyMatch(name -> name.matches("sim-conn-\\d+-reader"));

        sim.close();

        eventually().until(active::ended);
        assertThat(active.failure()).isNull();
        stalled.readTimeout(TIMEOUT);
        assertThat(stalled.readsEndOfStream()).isTrue();
        silent.readTimeout(TIMEOUT);
        assertThat(silent.readsEndOfStream()).isTrue();
        eventually().untilAsserted(() -> assertThat(simThreads()).isEmpty());
        assertRefused(apiPort);
        assertRefused(adminPort);
        assertThatCode(sim::close).as("close is idempotent").doesNotThrowAnyException();
    }

    @Test
    void closeDuringARestartWindowCancelsTheRelisten() throws Exception {
        start(config());
        TwsTestClient c = client(1);
        int apiPort = sim.apiPort();
        sim.restart(Duration.ofMinutes(1));
        eventually().until(c::ended);
        assertThat(simThreads()).contains("sim-scheduler");

        sim.close();

        eventually().untilAsserted(() -> assertThat(simThreads()).isEmpty());
        assertRefused(apiPort);
        assertThat(sim.state().listening()).isFalse();
    }

    private static void assertRefused(int port) {
        assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
                .isInstanceOf(ConnectException.class);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badHellos")
    void aBadHandshakeClosesThatSocketCleanlyAndNoOther(String name, byte[] bytes) throws Exception {
        start(config());
        TwsTestClient bystander = client(1);
        TwsTestClient bad = open();

        bad.sendRaw(bytes);

        bad.readTimeout(TIMEOUT);
        assertThat(bad.readsEndOfStream()).as("FIN, no reply, no reset").isTrue();
        assertBystanderServed(bystander);
    }

    static Stream<Arguments> badHellos() {
        return Stream.of(
                Arguments.of("HTTP instead of API", ascii("GET / HTTP/1.1\r\nHost: x\r\n\r\n")),
                Arguments.of("API prefix without its NUL", ascii("API!v157..178")),
                Arguments.of("oversized version-range length", concat(ascii("API\0"), length(0x7FFFFFFF))),
                Arguments.of("not a version range", concat(ascii("API\0"), length(5), ascii("hello"))),
                Arguments.of("empty version range", concat(ascii("API\0"), length(9), ascii("v178..157"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFrames")
    void aBadFrameAfterTheHandshakeClosesThatSocketCleanlyAndNoOther(String name, byte[] bytes) throws Exception {
        start(config());
        TwsTestClient bystander = client(1);
        TwsTestClient bad = client(2);

        bad.sendRaw(bytes);

        eventually().until(bad::ended);
        assertThat(bad.failure()).as("closed with FIN, not reset").isNull();
        assertBystanderServed(bystander);
        client(2); // its clientId was released
    }

    static Stream<Arguments> badFrames() {
        return Stream.of(
                Arguments.of("length 0x7FFFFFFF", length(0x7FFFFFFF)),
                Arguments.of("length one above the maximum", length(0x1000000)),
                Arguments.of("negative length", length(-1)),
                Arguments.of("a number field that is not a number", frame("1\u000011\u0000abc\u0000")),
                Arguments.of("a frame without its final NUL", frame("49\u00001")));
    }

    @ParameterizedTest(name = "message id {0}")
    @ValueSource(ints = {10, 100, 999, 9999})
    void anUnknownRequestGets321AndKeepsTheLink(int messageId) throws Exception {
        start(config());
        TwsTestClient c = client(1);

        c.sendRaw(frame(messageId + "\u00001\u0000"));

        ServerMessage.ErrorMessage error = c.awaitError(321, TIMEOUT);
        assertThat(error.id()).isEqualTo(-1);
        assertThat(error.message()).contains(String.valueOf(messageId));
        c.send(new ClientMessage.ReqCurrentTime());
        c.await(ServerMessage.CurrentTime.class, TIMEOUT);
        assertThat(c.ended()).isFalse();
    }

    private void assertBystanderServed(TwsTestClient bystander) throws Exception {
        eventually().until(() -> sim.state().connections().size() == 1);
        bystander.send(new ClientMessage.ReqCurrentTime());
        bystander.await(ServerMessage.CurrentTime.class, TIMEOUT);
        assertThat(bystander.ended()).isFalse();
        assertThat(sim.state().connections()).singleElement()
                .satisfies(c -> assertThat(c.clientId()).isEqualTo(1));
    }

    private static List<String> simThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive).map(Thread::getName).filter(n -> n.startsWith("sim-")).sorted().toList();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] length(int n) {
        return new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n};
    }

    private static byte[] frame(String payload) {
        byte[] body = ascii(payload);
        return concat(length(body.length), body);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
