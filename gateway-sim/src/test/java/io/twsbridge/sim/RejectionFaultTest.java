package io.twsbridge.sim;

import io.twsbridge.protocol.codec.ClientMessageCodec;
import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.ServerMessage.ErrorMessage;
import io.twsbridge.protocol.message.ServerMessage.OrderStatus;
import io.twsbridge.protocol.wire.Frames;
import io.twsbridge.protocol.wire.Handshake;
import io.twsbridge.sim.support.TwsTestClient;
import org.junit.jupiter.api.Test;

import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The rejection fault: IB refusing one order with a reason, in any language. */
class RejectionFaultTest extends SimulatorTestBase {

    private static final String REASON = "marge insuffisante – ordre refusé";

    @Test
    void theNextPlaceOrderIsRejectedWith201AndTheReasonThenOrdersAreTakenAgain() throws Exception {
        start(config());
        TwsTestClient c = client(1);
        sim.faults().rejectNextPlaceOrder(REASON);

        c.send(place(5, "AAPL", limit("BUY", 1, 1.0, "refused")));
        ErrorMessage error = c.await(ErrorMessage.class, e -> e.id() == 5, TIMEOUT);
        c.send(place(6, "AAPL", limit("BUY", 1, 1.0, "taken")));
        c.await(OrderStatus.class, s -> s.orderId() == 6 && s.status().equals("Submitted"), TIMEOUT);

        assertThat(error.code()).isEqualTo(201);
        assertThat(error.message()).isEqualTo("Order rejected - reason:" + REASON);
        assertThat(sim.state().placeOrderCountByOrderRef()).containsEntry("refused", 1).containsEntry("taken", 1);
        assertThat(sim.state().openOrders()).isEqualTo(1);
        assertThat(c.received(OrderStatus.class)).noneMatch(s -> s.orderId() == 5);
    }

    @Test
    void theReasonTravelsInIbsSevenBitEscapes() throws Exception {
        start(config());
        sim.faults().rejectNextPlaceOrder(REASON);

        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), sim.apiPort())) {
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            out.write(Handshake.encodeClientHello(new Handshake.ClientHello(157, 178, "")));
            int sv = Handshake.decodeServerHello(Frames.readFrame(in)).serverVersion();
            ClientMessageCodec codec = new ClientMessageCodec(sv);
            out.write(codec.encode(new ClientMessage.StartApi(3, "")));
            out.write(codec.encode(place(5, "AAPL", limit("BUY", 1, 1.0, "refused"))));
            out.flush();

            String error;
            do {
                error = new String(Frames.readFrame(in), StandardCharsets.ISO_8859_1);
            } while (!error.startsWith("4\u00002\u00005\u0000"));

            assertThat(error).isEqualTo("4\u00002\u00005\u0000201\u0000Order rejected - reason:marge insuffisante "
                    + "\\u2013 ordre refus\\u00e9\u0000\u0000");
            assertThat(error.chars()).allMatch(ch -> ch < 0x80);
        }
    }

    @Test
    void aWorkingOrderRejectedAfterAcceptanceGets201ThenEndsInactiveAmongTheCompletedOrders() throws Exception {
        start(config());
        TwsTestClient c = client(1);
        c.send(place(7, "AAPL", limit("BUY", 1, 1.0, "resting")));
        c.await(OrderStatus.class, s -> s.orderId() == 7 && s.status().equals("Submitted"), TIMEOUT);

        sim.rejectWorkingOrder("resting", "exchange closed");

        ErrorMessage error = c.await(ErrorMessage.class, e -> e.id() == 7, TIMEOUT);
        OrderStatus inactive = c.await(OrderStatus.class, s -> s.orderId() == 7 && s.status().equals("Inactive"),
                TIMEOUT);
        assertThat(error.code()).isEqualTo(201);
        assertThat(error.message()).isEqualTo("Order rejected - reason:exchange closed");
        assertThat(inactive.remaining()).isEqualByComparingTo("1");
        assertThat(sim.state().openOrders()).isZero();
        assertThatThrownBy(() -> sim.rejectWorkingOrder("resting", "again"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no open order has orderRef resting");
    }

    @Test
    void aBlankReasonIsRefused() throws Exception {
        start(config());
        assertThatThrownBy(() -> sim.faults().rejectNextPlaceOrder(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reason");
    }
}
