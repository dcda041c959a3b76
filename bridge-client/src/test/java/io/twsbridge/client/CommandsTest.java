package io.twsbridge.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.twsbridge.client.registry.FakeSchemaRegistry;
import io.twsbridge.client.registry.SchemaRegistryClient;
import io.twsbridge.client.registry.SchemaRegistryConfig;
import io.twsbridge.client.serde.AvroWireDeserializer;
import io.twsbridge.client.serde.AvroWireSerializer;
import io.twsbridge.schema.CancelOrder;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.Instrument;
import io.twsbridge.schema.ModifyOrder;
import io.twsbridge.schema.OrderAction;
import io.twsbridge.schema.OrderType;
import io.twsbridge.schema.PlaceOrder;
import io.twsbridge.schema.RequestAccountSnapshot;
import io.twsbridge.schema.RequestExecutions;
import io.twsbridge.schema.RequestPositions;
import io.twsbridge.schema.SubscribeQuotes;
import io.twsbridge.schema.TimeInForce;
import io.twsbridge.schema.UnsubscribeQuotes;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class CommandsTest {

    private static final Instant NOW = Instant.parse("2026-12-07T14:30:00Z");
    private static final Instrument AAPL = Instruments.stock("AAPL");

    /** One of each kind, with every option the kind has. */
    private static List<BridgeCommand<?>> everyKind() {
        return List.of(
                Commands.subscribeQuotes(AAPL),
                Commands.unsubscribeQuotes(AAPL),
                Commands.requestPositions().withAccount("DU1"),
                Commands.requestAccountSnapshot(),
                Commands.requestExecutions().withSince(NOW.minus(Duration.ofHours(1))).withSymbol("AAPL")
                        .withSecType("STK").withExchange("SMART").withSide(OrderAction.SELL).withClientId(7),
                Commands.limitOrder(OrderAction.BUY, new BigDecimal("10"), AAPL, 150.25).withAccount("DU1")
                        .withTimeInForce(TimeInForce.GTC).withOutsideRth(true)
                        .withExpiresIn(NOW, Duration.ofSeconds(30)).withIssuedBy("strategy-7"),
                Commands.cancelOrder("order-1").withAccount("DU1"),
                Commands.modifyOrderById(42).withQuantity(new BigDecimal("0.5")).withLimitPrice(151.0)
                        .withStopPrice(149.0).withTimeInForce(TimeInForce.DAY).withOutsideRth(false));
    }

    @Test
    void eachFactoryMakesItsPayloadWithAFreshCommandId() {
        List<Class<?>> payloads = everyKind().stream().<Class<?>>map(c -> c.payload().getClass()).toList();
        assertThat(payloads).containsExactly(SubscribeQuotes.class, UnsubscribeQuotes.class, RequestPositions.class,
                RequestAccountSnapshot.class, RequestExecutions.class, PlaceOrder.class, CancelOrder.class,
                ModifyOrder.class);
        Set<String> ids = IntStream.range(0, 100).mapToObj(i -> Commands.requestPositions().commandId())
                .collect(Collectors.toSet());
        assertThat(ids).hasSize(100);
        assertThat(UUID.fromString(ids.iterator().next())).isNotNull();
    }

    @Test
    void theEnvelopeAndKeyAreWhatTheBridgeDocuments() {
        PlaceOrderCommand order = Commands.marketOrder(OrderAction.BUY, BigDecimal.ONE, AAPL);
        assertThat(order.key()).isEqualTo("_default");
        PlaceOrderCommand named = order.withAccount("DU1234567").withCommandId("my-order-1")
                .withExpiresAt(NOW.plusSeconds(5)).withIssuedBy("desk");
        assertThat(named.key()).isEqualTo("DU1234567");
        assertThat(order.commandId()).as("the original is unchanged").isNotEqualTo("my-order-1");
        assertThat(order.withAccount(" ").key()).as("a blank account is none").isEqualTo("_default");

        Command command = named.toCommand(NOW);
        assertThat(command.getCommandId()).isEqualTo("my-order-1");
        assertThat(command.getIssuedAt()).isEqualTo(NOW);
        assertThat(command.getExpiresAt()).isEqualTo(NOW.plusSeconds(5));
        assertThat(command.getAccount()).isEqualTo("DU1234567");
        assertThat(command.getIssuedBy()).isEqualTo("desk");
        PlaceOrder payload = (PlaceOrder) command.getPayload();
        assertThat(payload.getOrderType()).isEqualTo(OrderType.MKT);
        assertThat(payload.getQuantity()).isEqualTo(new BigDecimal("1.0000000000"));
        assertThat(payload.getTimeInForce()).isEqualTo(TimeInForce.DAY);
        assertThat(payload.getLimitPrice()).isNull();
    }

    @Test
    void commandsAreImmutableThoughAvroRecordsAreNot() {
        Instrument mine = Instruments.stock("MSFT");
        SubscribeQuotesCommand subscribe = Commands.subscribeQuotes(mine);
        mine.setSymbol("IBM");
        subscribe.instrument().setSymbol("ORCL");
        subscribe.payload().getInstrument().setSymbol("SAP");
        assertThat(subscribe.payload().getInstrument().getSymbol()).isEqualTo("MSFT");
    }

    @Test
    void whatTheBridgeWouldRejectIsRefusedHere() {
        assertThatThrownBy(() -> Commands.limitOrder(OrderAction.BUY, BigDecimal.ZERO, AAPL, 1.0))
                .hasMessage("quantity must be above zero but was 0");
        assertThatThrownBy(() -> Commands.marketOrder(OrderAction.BUY, new BigDecimal("0.00000000001"), AAPL))
                .isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> new PlaceOrderCommand(Envelope.fresh(), AAPL, OrderAction.BUY, BigDecimal.ONE,
                OrderType.LMT, null, null, TimeInForce.DAY, false)).hasMessage("LMT order needs a limit price");
        assertThatThrownBy(() -> new PlaceOrderCommand(Envelope.fresh(), AAPL, OrderAction.BUY, BigDecimal.ONE,
                OrderType.MKT, 1.0, null, TimeInForce.DAY, false))
                .hasMessage("MKT order takes no limit price but was given 1.0");
        assertThatThrownBy(() -> Commands.marketOrder(OrderAction.UNKNOWN, BigDecimal.ONE, AAPL))
                .hasMessageStartingWith("UNKNOWN is what a reader sees");
        assertThatThrownBy(() -> new CancelOrderCommand(Envelope.fresh(), "x", 1L))
                .hasMessage("CancelOrder names its order by exactly one of targetCommandId and orderId but was given both");
        assertThatThrownBy(() -> Commands.modifyOrder("order-1").payload())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("changes nothing");
        assertThatThrownBy(() -> Commands.requestPositions().withCommandId("perm:123"))
                .hasMessageContaining("must not start with 'perm:' or 'order:'");
        assertThatThrownBy(() -> Commands.requestPositions().withCommandId(" "))
                .hasMessage("commandId must not be blank");
        Instrument noCurrency = Instruments.stock("X");
        noCurrency.setCurrency(null);
        assertThatThrownBy(() -> Commands.subscribeQuotes(noCurrency)).hasMessage("instrument.currency");
    }

    @Test
    void everyKindRoundTripsThroughTheSerdeAsTheBridgeReadsIt() {
        try (FakeSchemaRegistry registry = FakeSchemaRegistry.start(FakeSchemaRegistry.Flavor.APICURIO)) {
            SchemaRegistryClient writer = new SchemaRegistryClient(SchemaRegistryConfig.builder(registry.baseUrl())
                    .build(), d -> {});
            writer.register("ib.commands-value", Command.getClassSchema());
            AvroWireSerializer serializer = new AvroWireSerializer(writer);
            AvroWireDeserializer<Command> reader = new AvroWireDeserializer<>(Command.class,
                    new SchemaRegistryClient(SchemaRegistryConfig.builder(registry.baseUrl()).build(), d -> {}));
            for (BridgeCommand<?> c : everyKind()) {
                Command sent = c.toCommand(NOW);
                Command read = reader.deserialize(serializer.serialize("ib.commands", sent));
                assertThat(read).as(c.getClass().getSimpleName()).isEqualTo(sent);
                assertThat(read.getCommandId()).isEqualTo(c.commandId());
            }
        }
    }
}
