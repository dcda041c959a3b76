package io.twsbridge.bridge.events;

import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.gateway.session.SessionStateChange;
import io.twsbridge.bridge.time.ManualEventLoop;
import io.twsbridge.protocol.codec.ServerMessageCodec;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.schema.OrderUpdate;
import io.twsbridge.schema.catalogue.Topic;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * IB's escaped error texts, from the bytes a Gateway sends to the record on ib.orders: users read the text IB
 * meant ("refusé"), as IB's own client shows it, never the backslash-u escapes that travel on the wire.
 */
class EscapedErrorTextTest {

    private final ManualEventLoop loop = new ManualEventLoop();
    private final RecordingSink sink = new RecordingSink();
    private final FakeSession session = new FakeSession();
    private final EventMapper mapper = new EventMapper(sink, session, loop, EventMapperConfig.defaults("bridge-a"));
    private final ServerMessageCodec codec = new ServerMessageCodec(176);

    @Test
    void aRejectionWithNonAsciiTextIsPublishedUnescaped() {
        ready();
        mapper.onMessage(Ib.openOrder("Submitted"));

        mapper.onMessage(fromTheWire("4|2|" + Ib.ORDER_ID + "|201|Order rejected - reason:marge insuffisante "
                + "\\u2013 ordre refus\\u00e9 (\\u4e2d\\u6587)||"));

        OrderUpdate update = latestOrderUpdate();
        assertThat(update.getIbErrorCode()).isEqualTo(201);
        assertThat(update.getIbErrorMessage())
                .isEqualTo("Order rejected - reason:marge insuffisante – ordre refusé (中文)");
        assertThat(mapper.counters().unmappableMessages()).isZero();
    }

    @Test
    void aMalformedEscapeIsPublishedVerbatimAndTheNextMessageStillMaps() {
        ready();
        mapper.onMessage(Ib.openOrder("Submitted"));

        mapper.onMessage(fromTheWire("4|2|" + Ib.ORDER_ID + "|201|Order rejected - reason:d\\u00e9j\\u00e0 \\uQQQQ||"));
        assertThat(latestOrderUpdate().getIbErrorMessage()).isEqualTo("Order rejected - reason:déjà \\uQQQQ");

        mapper.onMessage(Ib.orderStatus("Cancelled", "0", "100", 0.0, 0.0));
        assertThat(latestOrderUpdate().getIbStatus()).isEqualTo("Cancelled");
        assertThat(mapper.counters().unmappableMessages()).isZero();
    }

    /** A payload as a Gateway writes it, '|' standing for the NUL after each field. */
    private ServerMessage fromTheWire(String fields) {
        return codec.decode(fields.replace('|', '\0').getBytes(StandardCharsets.US_ASCII));
    }

    private OrderUpdate latestOrderUpdate() {
        var updates = sink.values(Topic.ORDERS, OrderUpdate.class);
        assertThat(updates).isNotEmpty();
        return updates.get(updates.size() - 1);
    }

    private void ready() {
        mapper.onStateChange(new SessionStateChange(SessionState.SYNCING, SessionState.READY, "test",
                loop.clock().instant()));
    }
}
