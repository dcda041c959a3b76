package io.twsbridge.bridge.orders;

import io.twsbridge.bridge.results.CommandOutcome;
import io.twsbridge.bridge.gateway.GatewayConfig;
import io.twsbridge.bridge.testing.InMemoryGateway;
import io.twsbridge.bridge.gateway.session.GatewaySession;
import io.twsbridge.bridge.time.ManualEventLoop;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.Instrument;
import io.twsbridge.schema.OrderAction;
import io.twsbridge.schema.OrderType;
import io.twsbridge.schema.PlaceOrder;
import io.twsbridge.schema.TimeInForce;
import io.twsbridge.schema.catalogue.ReasonCodes;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An order that meets a session without a link is refused as NOT_CONNECTED (retry later, nothing was sent), not
 * for its account: while disconnected the session knows no managed accounts, and the account guardrail would
 * otherwise answer first with a reason that invites no retry.
 */
class OrderServiceNotConnectedTest {

    private final ManualEventLoop loop = new ManualEventLoop();
    private final GatewaySession session = new GatewaySession(GatewayConfig.builder().build(), loop,
                new InMemoryGateway());
    private final List<JournalEntry> written = new ArrayList<>();
    private final OrderSettings settings = OrderSettings.builder().enabled(true).accountAllowlist(java.util.Set.of("DU111111"))
            .build();
    private final OrderService orders = new OrderService(settings, new Guardrails(settings),
            new OrderJournal(List.of(), e -> {
                written.add(e);
                return CompletableFuture.completedFuture(null);
            }), new GatewayOrderView(), session, loop.clock(), symbol -> Optional.of(190.0));

    @Test
    void anOrderWithoutALinkIsNotConnectedNotAnUnmanagedAccount() {
        Command command = Command.newBuilder().setCommandId("order-1").setIssuedAt(Instant.parse("2026-12-03T12:00:00Z"))
                .setAccount("DU111111").setPayload(order()).build();

        CommandOutcome outcome = orders.place(command, order()).join();

        assertThat(outcome.reasonCode()).isEqualTo(ReasonCodes.NOT_CONNECTED);
        assertThat(outcome.message()).contains("nothing was sent");
        assertThat(written).as("no journal entry: nothing was attempted").isEmpty();
    }

    private static PlaceOrder order() {
        return PlaceOrder.newBuilder().setInstrument(Instrument.newBuilder().setSymbol("AAPL").setSecType("STK")
                        .setExchange("SMART").setCurrency("USD").build())
                .setAction(OrderAction.BUY).setQuantity(new BigDecimal("1").setScale(10)).setOrderType(OrderType.LMT)
                .setLimitPrice(190.0).setTimeInForce(TimeInForce.DAY).setOutsideRth(false).build();
    }
}
