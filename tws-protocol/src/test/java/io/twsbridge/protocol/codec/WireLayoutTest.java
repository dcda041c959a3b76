package io.twsbridge.protocol.codec;

import io.twsbridge.protocol.ProtocolException;
import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.protocol.wire.Handshake;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Wire literals and field counts taken from captures of IB's clients (the project's protocol fact sheet): the
 * codec must produce and accept exactly these bytes.
 */
class WireLayoutTest {

    private static final HexFormat HEX = HexFormat.ofDelimiter(" ");

    @Test
    void reqPositionsIsTheCapturedNineBytes() {
        byte[] captured = HEX.parseHex("00 00 00 05 36 31 00 31 00");
        ClientMessageCodec codec = new ClientMessageCodec(176);
        assertThat(codec.encode(new ClientMessage.ReqPositions())).isEqualTo(captured);
        assertThat(codec.decode(payloadOf(captured))).isEqualTo(new ClientMessage.ReqPositions());
    }

    @Test
    void startApiIsTheCapturedFrame() {
        byte[] captured = HEX.parseHex("00 00 00 08 37 31 00 32 00 37 00 00");
        ClientMessageCodec codec = new ClientMessageCodec(176);
        assertThat(codec.encode(new ClientMessage.StartApi(7, ""))).isEqualTo(captured);
        assertThat(codec.decode(payloadOf(captured))).isEqualTo(new ClientMessage.StartApi(7, ""));
    }

    @Test
    void clientHelloMatchesTheCapturedBytesOfEachClient() throws IOException {
        byte[] ibAsync = HEX.parseHex("41 50 49 00 00 00 00 09 76 31 35 37 2e 2e 31 37 38");
        assertThat(Handshake.encodeClientHello(new Handshake.ClientHello(157, 178, ""))).isEqualTo(ibAsync);
        assertThat(Handshake.readClientHello(new ByteArrayInputStream(ibAsync)))
                .isEqualTo(new Handshake.ClientHello(157, 178, ""));
        byte[] stoqey = HEX.parseHex("41 50 49 00 00 00 00 09 76 31 30 30 2e 2e 31 39 33");
        assertThat(Handshake.readClientHello(new ByteArrayInputStream(stoqey)))
                .isEqualTo(new Handshake.ClientHello(100, 193, ""));
    }

    @Test
    void clientHelloCarriesConnectOptions() throws IOException {
        byte[] hello = Handshake.encodeClientHello(new Handshake.ClientHello(100, 187, "+PACEAPI"));
        assertThat(new String(hello, 8, hello.length - 8, StandardCharsets.US_ASCII)).isEqualTo("v100..187 +PACEAPI");
        assertThat(Handshake.readClientHello(new ByteArrayInputStream(hello)).connectOptions()).isEqualTo("+PACEAPI");
    }

    @Test
    void serverHelloIsOneFrameOfTwoFields() {
        byte[] expected = HEX.parseHex("00 00 00 1a")
                .clone();
        byte[] frame = Handshake.encodeServerHello(new Handshake.ServerHello(176, "20250101 12:00:00 EST"));
        assertThat(java.util.Arrays.copyOf(frame, 4)).isEqualTo(expected);
        assertThat(new String(frame, 4, frame.length - 4, StandardCharsets.US_ASCII))
                .isEqualTo("176\u000020250101 12:00:00 EST\u0000");
        assertThat(Handshake.decodeServerHello(payloadOf(frame)))
                .isEqualTo(new Handshake.ServerHello(176, "20250101 12:00:00 EST"));
    }

    @Test
    void aMessageInPlaceOfTheServerHelloIsABadHandshakeNotAVersion() {
        // nextValidId [9, 1, 42] and a farm notice: neither first field is a server version.
        assertThatThrownBy(() -> Handshake.decodeServerHello("9\u00001\u000042\u0000".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(ProtocolException.BadHandshake.class).hasMessageContaining("3 fields");
        assertThatThrownBy(() -> Handshake.decodeServerHello(
                "4\u00002\u0000-1\u00002104\u0000Market data farm connection is OK:usfarm\u0000\u0000"
                        .getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(ProtocolException.BadHandshake.class).hasMessageContaining("6 fields");
        assertThatThrownBy(() -> Handshake.decodeServerHello("abc\u0000time\u0000".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(ProtocolException.MalformedField.class).hasMessageContaining("'abc'");
    }

    @Test
    void negotiationPicksTheHighestCommonVersion() {
        assertThat(new Handshake.ClientHello(100, 193, "").negotiate(157, 176)).hasValue(176);
        assertThat(new Handshake.ClientHello(157, 165, "").negotiate(157, 178)).hasValue(165);
        assertThat(new Handshake.ClientHello(100, 150, "").negotiate(157, 178)).isEmpty();
        assertThat(new Handshake.ClientHello(179, 190, "").negotiate(157, 178)).isEmpty();
    }

    @ParameterizedTest(name = "placeOrder at sv {0} has {1} fields")
    @CsvSource({"157,110", "158,111", "165,113", "176,115", "178,114"})
    void placeOrderFieldCountsMatchTheCaptures(int sv, int fields) {
        byte[] frame = new ClientMessageCodec(sv).encode(
                new ClientMessage.PlaceOrder(1, SampleMessages.AAPL, SampleMessages.limitOrder()));
        assertThat(fieldCount(frame)).isEqualTo(fields);
    }

    @ParameterizedTest(name = "openOrder at sv {0} has {1} fields")
    @CsvSource({"157,128", "158,129", "165,131", "176,136", "178,135"})
    void openOrderFieldCountsMatchTheCaptures(int sv, int fields) {
        ServerMessage openOrder = SampleMessages.serverMessages(sv).stream()
                .filter(ServerMessage.OpenOrder.class::isInstance)
                .filter(m -> ((ServerMessage.OpenOrder) m).order().algoStrategy().isEmpty())
                .findFirst().orElseThrow();
        assertThat(fieldCount(new ServerMessageCodec(sv).encode(openOrder))).isEqualTo(fields);
    }

    @ParameterizedTest(name = "completedOrder at sv {0}: {1} fields, {2} without faProfile")
    @CsvSource({"157,96,95", "165,96,95", "176,101,100", "178,100,100"})
    void completedOrderFieldCountsInBothLayouts(int sv, int ibLayout, int withoutFaProfile) {
        ServerMessage completed = SampleMessages.serverMessages(sv).stream()
                .filter(ServerMessage.CompletedOrder.class::isInstance).findFirst().orElseThrow();
        ServerMessageCodec codec = new ServerMessageCodec(sv);
        assertThat(fieldCount(codec.encode(completed))).isEqualTo(ibLayout);
        assertThat(fieldCount(codec.withoutCompletedOrderFaProfile().encode(completed))).isEqualTo(withoutFaProfile);
    }

    @ParameterizedTest(name = "fixed-size messages at sv {0}")
    @CsvSource({"157", "165", "176", "178"})
    void fixedSizeMessagesHaveTheCountsClientsRequire(int sv) {
        ServerMessageCodec codec = new ServerMessageCodec(sv);
        for (ServerMessage m : SampleMessages.serverMessages(sv)) {
            int count = fieldCount(codec.encode(m));
            switch (m.getClass().getSimpleName()) {
                case "NextValidId", "ManagedAccounts" -> assertThat(count).isEqualTo(3);
                case "TickPrice" -> assertThat(count).isEqualTo(7);
                case "TickSize" -> assertThat(count).isEqualTo(5);
                case "OrderStatus" -> assertThat(count).isEqualTo(12);
                case "Position" -> assertThat(count).isEqualTo(16);
                case "PortfolioValue" -> assertThat(count).isEqualTo(20);
                case "CommissionReport" -> assertThat(count).isEqualTo(8);
                case "ErrorMessage" -> assertThat(count).isEqualTo(sv >= 166 ? 6 : 5);
                case "ExecDetails" -> assertThat(count).isEqualTo(sv >= 178 ? 32 : 31);
                case "CompletedOrdersEnd" -> assertThat(count).isEqualTo(1);
                case "AccountUpdateMulti" -> assertThat(count).isEqualTo(8);
                case "AccountUpdateMultiEnd" -> assertThat(count).isEqualTo(3);
                default -> { }
            }
        }
    }

    @Test
    void cancelMktDataFromAnyClientVersionDecodes() {
        byte[] fromIbAsync = "2\u00002\u000042\u0000".getBytes(StandardCharsets.US_ASCII);
        assertThat(new ClientMessageCodec(176).decode(fromIbAsync)).isEqualTo(new ClientMessage.CancelMktData(42));
    }

    @Test
    void accountUpdatesMultiFromAnyClientVersionDecodes() {
        // IB's client writes message version 1, @stoqey/ib 1.6.10 writes 2; the fields after it are the same.
        ClientMessageCodec codec = new ClientMessageCodec(176);
        byte[] fromIbJava = "76\u00001\u00009\u0000DU111111\u0000\u00000\u0000".getBytes(StandardCharsets.US_ASCII);
        byte[] fromStoqey = "76\u00002\u00009\u0000DU111111\u0000\u00000\u0000".getBytes(StandardCharsets.US_ASCII);
        ClientMessage expected = new ClientMessage.ReqAccountUpdatesMulti(9, "DU111111", "", false);
        assertThat(codec.decode(fromIbJava)).isEqualTo(expected);
        assertThat(codec.decode(fromStoqey)).isEqualTo(expected);
        assertThat(payloadOf(codec.encode(expected))).isEqualTo(fromIbJava);
        assertThat(codec.decode("77\u00002\u00009\u0000".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo(new ClientMessage.CancelAccountUpdatesMulti(9));
    }

    @Test
    void accountUpdateMultiHasTheLayoutIbsClientReads() {
        // [73, 1, reqId, account, modelCode, key, value, currency] and [74, 1, reqId] (IB's client, @stoqey/ib).
        ServerMessageCodec codec = new ServerMessageCodec(176);
        assertThat(payloadOf(codec.encode(new ServerMessage.AccountUpdateMulti(9, "DU1", "", "NetLiquidation",
                "5.00", "USD")))).isEqualTo("73\u00001\u00009\u0000DU1\u0000\u0000NetLiquidation\u00005.00\u0000USD\u0000"
                .getBytes(StandardCharsets.US_ASCII));
        assertThat(payloadOf(codec.encode(new ServerMessage.AccountUpdateMultiEnd(9))))
                .isEqualTo("74\u00001\u00009\u0000".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void everyUnsetSpellingReadsAsUnset() {
        // reqMktData from @stoqey/ib: conId and strike empty; from IB's client: "0" and "0.0".
        String stoqey = "1\u000011\u00001\u0000\u0000AAPL\u0000STK\u0000\u0000\u0000\u0000\u0000SMART\u0000\u0000USD"
                + "\u0000\u0000\u0000" + "0\u0000\u00000\u00000\u0000\u0000";
        String ibJava = stoqey.replace("\u0000\u0000AAPL", "\u00000\u0000AAPL")
                .replace("STK\u0000\u0000\u0000", "STK\u0000\u00000.0\u0000");
        ClientMessageCodec codec = new ClientMessageCodec(176);
        ClientMessage a = codec.decode(stoqey.getBytes(StandardCharsets.US_ASCII));
        ClientMessage b = codec.decode(ibJava.getBytes(StandardCharsets.US_ASCII));
        assertThat(a).isEqualTo(b);
        assertThat(((ClientMessage.ReqMktData) a).contract().strike()).isNull();
        assertThat(((ClientMessage.ReqMktData) a).contract().conId()).isZero();
    }

    static int fieldCount(byte[] frame) {
        int count = 0;
        for (int i = 4; i < frame.length; i++) {
            if (frame[i] == 0) {
                count++;
            }
        }
        return count;
    }

    static byte[] payloadOf(byte[] frame) {
        return java.util.Arrays.copyOfRange(frame, 4, frame.length);
    }
}
