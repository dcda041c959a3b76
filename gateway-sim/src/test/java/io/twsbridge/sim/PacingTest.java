package io.twsbridge.sim;

import io.twsbridge.protocol.codec.ClientMessageCodec;
import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.protocol.message.ServerMessage.ErrorMessage;
import io.twsbridge.sim.support.TwsTestClient;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The pacing limit over a real socket: a burst of requests from one client. */
class PacingTest extends SimulatorTestBase {

    private static final int BURST = 120;

    @Test
    void aBurstOverTheLimitGetsError100AndIsStillServed() throws Exception {
        start(config());
        TwsTestClient c = client(1);

        c.sendRaw(burst(c, BURST));

        assertThat(c.awaitError(100, TIMEOUT).id()).isEqualTo(-1);
        // violations are answered, not dropped, and one violating second does not cost the link
        eventually().until(() -> c.received(ServerMessage.CurrentTime.class).size() == BURST);
        assertThat(c.ended()).isFalse();
        assertThat(sim.state().connections()).singleElement().satisfies(conn -> {
            assertThat(conn.state()).isEqualTo("ACTIVE");
            assertThat(conn.pacingViolations()).isPositive();
        });
    }

    @Test
    void repeatedViolationsDropTheLinkAfterError100() throws Exception {
        start(config().pacingViolationsToDisconnect(1));
        TwsTestClient c = client(1);

        c.sendRaw(burst(c, BURST));

        eventually().until(c::ended);
        assertThat(c.received(ErrorMessage.class)).extracting(ErrorMessage::code).contains(100);
        assertThat(c.received(ServerMessage.CurrentTime.class)).hasSizeLessThan(BURST);
        eventually().until(() -> sim.state().connections().isEmpty());
        client(1); // the clientId is free again
    }

    /** {@code n} reqCurrentTime frames in one buffer, so they leave in one write. */
    private static byte[] burst(TwsTestClient c, int n) {
        ClientMessageCodec codec = new ClientMessageCodec(c.serverHello().serverVersion());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            out.writeBytes(codec.encode(new ClientMessage.ReqCurrentTime()));
        }
        return out.toByteArray();
    }
}
