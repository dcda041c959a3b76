package io.twsbridge.protocol.codec;

import io.twsbridge.protocol.ProtocolException;
import io.twsbridge.protocol.message.Order;
import io.twsbridge.protocol.message.OrderCondition;
import io.twsbridge.protocol.message.OrderCondition.Conjunction;
import io.twsbridge.protocol.message.OrderConditions;
import io.twsbridge.protocol.message.OrderState;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.protocol.wire.FieldReader;
import io.twsbridge.protocol.wire.FieldWriter;
import io.twsbridge.protocol.wire.Frames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static io.twsbridge.protocol.codec.SampleMessages.AAPL;
import static io.twsbridge.protocol.codec.SampleMessages.withoutPrimaryExchange;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Order conditions in openOrder and completedOrder: each condition type survives the simulator's encoder and the
 * bridge's decoder at every supported server version, and the block is laid out as the public clients write and
 * read it (type, conjunction "a"/"o", the type's fields, then ignoreRth and cancelOrder).
 */
class OrderConditionsRoundTripTest {

    private static final OrderCondition PRICE =
            new OrderCondition.Price(Conjunction.AND, true, 150.0, 265598, "SMART", 2);
    private static final OrderCondition TIME =
            new OrderCondition.Time(Conjunction.OR, true, "20261207 09:30:00 US/Eastern");
    private static final OrderCondition MARGIN = new OrderCondition.Margin(Conjunction.AND, false, 30);
    private static final OrderCondition EXECUTION =
            new OrderCondition.Execution(Conjunction.OR, "STK", "SMART", "MSFT");
    private static final OrderCondition VOLUME =
            new OrderCondition.Volume(Conjunction.AND, true, 2_500_000, 272093, "ISLAND");
    private static final OrderCondition PERCENT_CHANGE =
            new OrderCondition.PercentChange(Conjunction.OR, false, -2.5, 756733, "ARCA");

    private static final List<OrderCondition> EACH_TYPE = List.of(PRICE, TIME, MARGIN, EXECUTION, VOLUME, PERCENT_CHANGE);

    static Stream<Arguments> versionsAndTypes() {
        return SampleMessages.supportedVersions().boxed()
                .flatMap(sv -> EACH_TYPE.stream().map(c -> Arguments.of(sv, c.getClass().getSimpleName(), c)));
    }

    @ParameterizedTest(name = "openOrder with a {1} condition at sv {0}")
    @MethodSource("versionsAndTypes")
    void openOrderWithEachConditionTypeSurvivesARoundTrip(int sv, String type, OrderCondition condition)
            throws IOException {
        ServerMessage.OpenOrder message = openOrder(OrderConditions.of(true, false, condition));

        assertThat(roundTrip(sv, message)).isEqualTo(message);
    }

    @ParameterizedTest(name = "completedOrder with a {1} condition at sv {0}")
    @MethodSource("versionsAndTypes")
    void completedOrderWithEachConditionTypeSurvivesARoundTrip(int sv, String type, OrderCondition condition)
            throws IOException {
        ServerMessage.CompletedOrder message = completedOrder(OrderConditions.of(false, true, condition));

        assertThat(roundTrip(sv, message)).isEqualTo(message);
    }

    @ParameterizedTest(name = "all six conditions in one order at sv {0}")
    @MethodSource("io.twsbridge.protocol.codec.SampleMessages#supportedVersions")
    void allSixConditionsInOneOrderSurviveARoundTripAndLeaveTheFieldsAfterThemInPlace(int sv) throws IOException {
        OrderConditions all = new OrderConditions(EACH_TYPE, true, true);
        ServerMessage.OpenOrder open = openOrder(all);
        ServerMessage.CompletedOrder completed = completedOrder(all);

        assertThat(roundTrip(sv, open)).isEqualTo(open);
        assertThat(roundTrip(sv, completed)).isEqualTo(completed);
        // Beside the count (there either way): 7 + 4 + 4 + 5 + 6 + 6 condition fields, ignoreRth and cancelOrder.
        assertThat(fieldCount(new ServerMessageCodec(sv).encode(open)))
                .isEqualTo(fieldCount(new ServerMessageCodec(sv).encode(openOrder(OrderConditions.NONE))) + 34);
    }

    /** The layout of each type, as IB's client, ib_async and @stoqey/ib write it; not our own encoder's output. */
    static Stream<Arguments> publishedLayouts() {
        return Stream.of(
                Arguments.of(PRICE, List.of("1", "a", "1", "150.0", "265598", "SMART", "2")),
                Arguments.of(TIME, List.of("3", "o", "1", "20261207 09:30:00 US/Eastern")),
                Arguments.of(MARGIN, List.of("4", "a", "0", "30")),
                Arguments.of(EXECUTION, List.of("5", "o", "STK", "SMART", "MSFT")),
                Arguments.of(VOLUME, List.of("6", "a", "1", "2500000", "272093", "ISLAND")),
                Arguments.of(PERCENT_CHANGE, List.of("7", "o", "0", "-2.5", "756733", "ARCA")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("publishedLayouts")
    void eachTypeIsWrittenAndReadInThePublishedLayout(OrderCondition condition, List<String> fields) {
        FieldWriter w = new FieldWriter();
        OrderConditionFields.write(w, OrderConditions.of(true, false, condition));
        List<String> expected = Stream.of(List.of("1"), fields, List.of("1", "0")).flatMap(List::stream).toList();

        assertThat(fields(w.toPayload())).containsExactlyElementsOf(expected);
        assertThat(OrderConditionFields.read(reader(expected)))
                .isEqualTo(OrderConditions.of(true, false, condition));
    }

    @Test
    void noConditionsIsACountOfZeroWithoutTheFlags() {
        FieldWriter w = new FieldWriter();
        OrderConditionFields.write(w, OrderConditions.NONE);

        assertThat(fields(w.toPayload())).containsExactly("0");
        assertThat(OrderConditionFields.read(reader(List.of("0", "next")))).isEqualTo(OrderConditions.NONE);
    }

    @Test
    void aConjunctionOtherThanAIsOrAsIbsClientReadsIt() {
        OrderConditions read = OrderConditionFields.read(
                reader(List.of("2", "4", "A", "1", "30", "4", "", "1", "31", "0", "0")));

        assertThat(read.conditions()).extracting(OrderCondition::conjunction)
                .containsExactly(Conjunction.AND, Conjunction.OR);
    }

    @Test
    void anUnknownConditionTypeIsAProtocolFaultNotAnUnsupportedFeature() {
        // Type 2 is unassigned: its fields cannot be counted, so the rest of the message cannot be found.
        FieldReader r = reader(List.of("1", "2", "a", "1", "42", "0", "0"));

        assertThatThrownBy(() -> OrderConditionFields.read(r))
                .isInstanceOf(ProtocolException.MalformedField.class)
                .isNotInstanceOf(ProtocolException.UnsupportedFeature.class)
                .hasMessageContaining("order condition 1 has type 2")
                .hasMessageContaining("does not define");
    }

    @Test
    void anUnknownConditionTypeInsideAnOpenOrderFailsTheWholeMessage() throws IOException {
        ServerMessageCodec codec = new ServerMessageCodec(176);
        byte[] payload = Frames.readFrame(new ByteArrayInputStream(
                codec.encode(openOrder(OrderConditions.of(false, false, MARGIN)))));
        String text = new String(payload, StandardCharsets.UTF_8);
        // The margin condition's type and conjunction, unique in this order, become type 9.
        String broken = text.replace("\u00004\u0000a\u00000\u000030\u0000", "\u00009\u0000a\u00000\u000030\u0000");
        assertThat(broken).isNotEqualTo(text);

        assertThatThrownBy(() -> codec.decode(broken.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ProtocolException.MalformedField.class)
                .hasMessageContaining("has type 9");
    }

    @Test
    void aConditionCountBeyondTheMessageIsMalformed() {
        assertThatThrownBy(() -> OrderConditionFields.read(reader(List.of("1000", "1", "a"))))
                .isInstanceOf(ProtocolException.MalformedField.class)
                .hasMessageContaining("list count 1000");
    }

    @Test
    void flagsWithoutConditionsAreRefused() {
        assertThatThrownBy(() -> new OrderConditions(List.of(), true, false))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void placeOrderRefusesConditionsRatherThanDroppingThem() {
        Order conditional = SampleMessages.limitOrder().toBuilder()
                .conditions(OrderConditions.of(false, false, PRICE)).build();
        ClientMessageCodec codec = new ClientMessageCodec(176);

        assertThatThrownBy(() -> codec.encode(new io.twsbridge.protocol.message.ClientMessage.PlaceOrder(1, AAPL,
                conditional)))
                .isInstanceOf(ProtocolException.UnsupportedFeature.class)
                .hasMessageContaining("conditions");
    }

    private static ServerMessage.OpenOrder openOrder(OrderConditions conditions) {
        Order order = SampleMessages.limitOrder().toBuilder().clientId(0).permId(1_234_567_899L)
                .conditions(conditions).build();
        return new ServerMessage.OpenOrder(0, withoutPrimaryExchange(AAPL), order, OrderState.of("PreSubmitted"));
    }

    private static ServerMessage.CompletedOrder completedOrder(OrderConditions conditions) {
        Order order = SampleMessages.limitOrder().toBuilder().permId(1_234_567_899L).conditions(conditions).build();
        return new ServerMessage.CompletedOrder(withoutPrimaryExchange(AAPL), order,
                new OrderState("Cancelled", null, null, null, "", "", "20261207 09:31:00 America/New_York",
                        "Cancelled by Trader"));
    }

    private static ServerMessage roundTrip(int sv, ServerMessage message) throws IOException {
        ServerMessageCodec codec = new ServerMessageCodec(sv);
        return codec.decode(Frames.readFrame(new ByteArrayInputStream(codec.encode(message))));
    }

    private static int fieldCount(byte[] frame) {
        int count = 0;
        for (int i = 4; i < frame.length; i++) {
            if (frame[i] == 0) {
                count++;
            }
        }
        return count;
    }

    private static List<String> fields(byte[] payload) {
        String text = new String(payload, StandardCharsets.UTF_8);
        return Arrays.asList(text.substring(0, text.length() - 1).split("\u0000", -1));
    }

    private static FieldReader reader(List<String> fields) {
        return FieldReader.of((String.join("\u0000", fields) + "\u0000").getBytes(StandardCharsets.UTF_8));
    }
}
