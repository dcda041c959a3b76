package io.twsbridge.sim;

import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.protocol.message.ServerMessage.ErrorMessage;
import io.twsbridge.protocol.wire.Handshake;
import io.twsbridge.sim.support.TwsTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** What a client sees while connecting: version negotiation, the session's opening messages, clientId clashes. */
class HandshakeTest extends SimulatorTestBase {

    @ParameterizedTest(name = "client v{0}..{1}, simulator max {2} -> {3}")
    @CsvSource({
            "157, 165, 176, 165",
            "100, 193, 176, 176",
            "100, 187, 176, 176",
            "157, 178, 176, 176",
            "176, 176, 176, 176",
            "157, 157, 176, 157",
            "157, 178, 160, 160",
            "100, 187, 178, 178"})
    void picksTheHighestVersionBothSidesSpeak(int min, int max, int simMax, int expected) throws Exception {
        start(config().serverVersion(simMax));
        TwsTestClient c = open();
        c.readTimeout(TIMEOUT);

        c.sendHello(min, max);
        Handshake.ServerHello hello = c.readServerHello();

        assertThat(hello.serverVersion()).isEqualTo(expected);
        assertThat(hello.connectionTime()).matches("\\d{8} \\d{2}:\\d{2}:\\d{2} \\S+");
        // and the session goes on at that version
        c.startReader();
        c.send(new ClientMessage.StartApi(1, ""));
        c.await(ServerMessage.NextValidId.class, TIMEOUT);
        assertThat(sim.state().connections()).singleElement()
                .satisfies(conn -> assertThat(conn.serverVersion()).isEqualTo(expected));
    }

    @ParameterizedTest(name = "client v{0}..{1} against 157..176")
    @CsvSource({"100, 150", "100, 156", "177, 190", "180, 193"})
    void aRangeOutsideTheSimulatorsGetsItsOwnVersionAndTheLinkCloses(int min, int max) throws Exception {
        start(config().serverVersion(176));
        TwsTestClient c = open();
        c.readTimeout(TIMEOUT);

        c.sendHello(min, max);

        assertThat(c.readServerHello().serverVersion()).isEqualTo(176);
        assertThat(c.readsEndOfStream()).as("the simulator closes after its version").isTrue();
        eventually().until(() -> sim.state().connections().isEmpty());
    }

    @Test
    void connectOptionsAfterTheRangeAreAccepted() throws Exception {
        start(config());
        TwsTestClient c = open();
        c.readTimeout(TIMEOUT);
        byte[] range = "v100..187 +PACEAPI".getBytes(StandardCharsets.US_ASCII);

        c.sendRaw(ByteBuffer.allocate(8 + range.length).put("API\0".getBytes(StandardCharsets.US_ASCII))
                .putInt(range.length).put(range).array());

        assertThat(c.readServerHello().serverVersion()).isEqualTo(176);
    }

    @Test
    void startApiIsAnsweredWithAccountsNextIdAndFarmNotices() throws Exception {
        start(config().accounts(List.of("DU100001", "DU100002", "DU100003")));

        TwsTestClient c = connect(3);
        c.awaitError(2158, TIMEOUT);

        List<ServerMessage> first = c.received().subList(0, 5);
        assertThat(first.get(0)).isEqualTo(
                new ServerMessage.ManagedAccounts(List.of("DU100001", "DU100002", "DU100003")));
        assertThat(first.get(1)).isEqualTo(new ServerMessage.NextValidId(1));
        assertThat(only(first.subList(2, 5), ErrorMessage.class))
                .extracting(ErrorMessage::id, ErrorMessage::code)
                .containsExactly(tuple(-1, 2104), tuple(-1, 2106), tuple(-1, 2158));
    }

    @Test
    void aSecondConnectionWithAClientIdInUseGets326AndIsClosed() throws Exception {
        start(config());
        TwsTestClient first = client(7);

        TwsTestClient second = connect(7);

        ErrorMessage error = second.awaitError(326, TIMEOUT);
        assertThat(error.id()).isEqualTo(-1);
        eventually().until(second::ended);
        assertThat(second.failure()).as("closed with FIN, not reset").isNull();
        assertThat(second.received()).containsExactly(error);

        // the first session is untouched, and another clientId connects alongside it
        TwsTestClient other = client(8);
        first.send(new ClientMessage.ReqCurrentTime());
        other.send(new ClientMessage.ReqCurrentTime());
        first.await(ServerMessage.CurrentTime.class, TIMEOUT);
        other.await(ServerMessage.CurrentTime.class, TIMEOUT);
        assertThat(first.ended()).isFalse();
        eventually().untilAsserted(() -> assertThat(sim.state().connections())
                .extracting(SimulatorState.Connection::clientId, SimulatorState.Connection::state)
                .containsExactly(tuple(7, "ACTIVE"), tuple(8, "ACTIVE")));
    }

    @Test
    void aClientIdIsFreeAgainOnceItsConnectionCloses() throws Exception {
        start(config());
        TwsTestClient first = client(4);
        first.close();
        eventually().until(() -> sim.state().connections().isEmpty());

        TwsTestClient again = client(4);

        assertThat(again.received(ErrorMessage.class)).extracting(ErrorMessage::code).doesNotContain(326);
    }
}
