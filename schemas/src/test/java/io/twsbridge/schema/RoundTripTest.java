package io.twsbridge.schema;

import static io.twsbridge.schema.Samples.T0;
import static io.twsbridge.schema.Samples.aaplCall;
import static io.twsbridge.schema.Samples.bitcoin;
import static io.twsbridge.schema.Samples.dec;
import static org.assertj.core.api.Assertions.assertThat;

import io.twsbridge.schema.state.OrderJournalEntry;
import io.twsbridge.schema.state.OrderJournalState;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every record survives Avro binary encoding and decoding unchanged. */
class RoundTripTest {

    static Stream<SpecificRecord> fullyPopulated() {
        List<SpecificRecord> records = new ArrayList<>(Samples.fullCommands());
        records.add(Samples.fullCommandResult());
        records.add(Samples.fullAccountValue());
        records.add(Samples.fullPosition());
        records.add(Samples.fullOrderUpdate());
        records.add(Samples.fullFill());
        records.add(Samples.fullQuote());
        records.add(Samples.fullGatewayStatus());
        records.add(Samples.fullOrderJournalEntry());
        records.add(Samples.fullContractDetails());
        records.add(Samples.fullBar());
        return records.stream();
    }

    static Stream<SpecificRecord> requiredOnly() {
        Command.Builder command = Command.newBuilder()
                .setCommandId("a3d5e7f9-1b2c-4d6e-8f90-123456789abc")
                .setIssuedAt(T0);
        return Stream.of(
                command.setPayload(SubscribeQuotes.newBuilder().setInstrument(bitcoin()).build()).build(),
                command.setPayload(UnsubscribeQuotes.newBuilder().setInstrument(bitcoin()).build()).build(),
                command.setPayload(PlaceOrder.newBuilder()
                                .setInstrument(bitcoin())
                                .setAction(OrderAction.SELL)
                                .setQuantity(dec("0.00125"))
                                .setOrderType(OrderType.MKT)
                                .build())
                        .build(),
                command.setPayload(CancelOrder.newBuilder().build()).build(),
                command.setPayload(ModifyOrder.newBuilder().build()).build(),
                command.setPayload(RequestAccountSnapshot.newBuilder().build()).build(),
                command.setPayload(RequestPositions.newBuilder().build()).build(),
                command.setPayload(RequestExecutions.newBuilder().build()).build(),
                command.setPayload(ResolveContract.newBuilder().build()).build(),
                command.setPayload(RequestHistoricalBars.newBuilder()
                                .setInstrument(Samples.byConId(265598L))
                                .setDuration("1 Y")
                                .setBarSize(BarSize.DAY_1)
                                .setWhatToShow(WhatToShow.ADJUSTED_LAST)
                                .build())
                        .build(),
                command.setPayload(SubscribeBars.newBuilder()
                                .setInstrument(Samples.byConId(265598L))
                                .setWhatToShow(WhatToShow.TRADES)
                                .build())
                        .build(),
                command.setPayload(UnsubscribeBars.newBuilder()
                                .setInstrument(Samples.byConId(265598L))
                                .setWhatToShow(WhatToShow.TRADES)
                                .build())
                        .build(),
                CommandResult.newBuilder()
                        .setCommandId("a3d5e7f9-1b2c-4d6e-8f90-123456789abc")
                        .setStatus(CommandStatus.ACCEPTED)
                        .setReasonCode("OK")
                        .setMessage("accepted")
                        .setTimestamp(T0)
                        .build(),
                AccountValue.newBuilder()
                        .setAccount("U1234567")
                        .setKey("AccountType")
                        .setValue("INDIVIDUAL")
                        .setUpdatedAt(T0)
                        .build(),
                Position.newBuilder()
                        .setAccount("U1234567")
                        .setInstrument(bitcoin())
                        .setQuantity(dec("0.0312"))
                        .setAverageCost(dec("67012.4375"))
                        .setUpdatedAt(T0)
                        .build(),
                OrderUpdate.newBuilder()
                        .setOrderId(0L)
                        .setClientId(0)
                        .setAccount("U1234567")
                        .setAction("SELL")
                        .setOrderType("MKT")
                        .setTotalQuantity(dec("0.00125"))
                        .setStatus(OrderStatus.PENDING_SUBMIT)
                        .setIbStatus("PendingSubmit")
                        .setFilled(dec("0"))
                        .setRemaining(dec("0.00125"))
                        .setUpdatedAt(T0)
                        .build(),
                Fill.newBuilder()
                        .setExecId("00025b46.6651a3c2.01.01")
                        .setOrderId(1043L)
                        .setPermId(1876543299L)
                        .setClientId(17)
                        .setAccount("U1234567")
                        .setInstrument(bitcoin())
                        .setSide(ExecutionSide.SLD)
                        .setShares(dec("0.00125"))
                        .setPrice(67250.5)
                        .setCumulativeQuantity(dec("0.00125"))
                        .setAveragePrice(67250.5)
                        .setExecutionTime(T0)
                        .setExchange("PAXOS")
                        .setPublishedAt(T0)
                        .build(),
                Quote.newBuilder()
                        .setInstrument(bitcoin())
                        .setGatewayTime(T0)
                        .setBridgeTime(T0)
                        .setSequence(1L)
                        .build(),
                GatewayStatus.newBuilder()
                        .setBridgeId("bridge-a")
                        .setSessionState(SessionState.CONNECTING)
                        .setCircuitBreakerState(CircuitBreakerState.CLOSED)
                        .setZombieCount(0)
                        .setSince(T0)
                        .setHeartbeatAt(T0)
                        .build(),
                OrderJournalEntry.newBuilder()
                        .setCommandId("a3d5e7f9-1b2c-4d6e-8f90-123456789abc")
                        .setAccount("U1234567")
                        .setInstrument(bitcoin())
                        .setAction(OrderAction.SELL)
                        .setQuantity(dec("0.00125"))
                        .setOrderType(OrderType.MKT)
                        .setTimeInForce(TimeInForce.IOC)
                        .setOutsideRth(false)
                        .setOrderId(1043L)
                        .setClientId(17)
                        .setState(OrderJournalState.PLACING)
                        .setAttempts(1)
                        .setCreatedAt(T0)
                        .setUpdatedAt(T0)
                        .build(),
                ContractDetails.newBuilder()
                        .setConId(12087792L)
                        .setInstrument(Instrument.newBuilder()
                                .setSymbol("EUR")
                                .setSecType("CASH")
                                .setExchange("IDEALPRO")
                                .setCurrency("USD")
                                .setConId(12087792L)
                                .build())
                        .setResolvedAt(T0)
                        .build(),
                Bar.newBuilder()
                        .setInstrument(Samples.aaplStock())
                        .setBarSize(BarSize.SEC_5)
                        .setWhatToShow(WhatToShow.MIDPOINT)
                        .setRegularTradingHoursOnly(true)
                        .setStartTime(Instant.parse("2025-06-02T14:30:05Z"))
                        .setOpen(dec("200.315"))
                        .setHigh(dec("200.32"))
                        .setLow(dec("200.305"))
                        .setClose(dec("200.31"))
                        .setRealTimeBar(true)
                        .build());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fullyPopulatedNamed")
    void fullyPopulatedRecordSurvivesBinaryRoundTrip(SpecificRecord record) throws IOException {
        assertThat(unsetFields(record, record.getSchema().getName())).as("fields left unset").isEmpty();

        SpecificRecord back = roundTrip(record);

        assertThat(back).isNotSameAs(record).isEqualTo(record);
        assertThat(back.toString()).isEqualTo(record.toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requiredOnlyNamed")
    void recordWithOnlyRequiredFieldsSurvivesBinaryRoundTrip(SpecificRecord record) throws IOException {
        SpecificRecord back = roundTrip(record);

        assertThat(back).isNotSameAs(record).isEqualTo(record);
    }

    static Stream<Named<SpecificRecord>> fullyPopulatedNamed() {
        return fullyPopulated().map(r -> Named.of(describe(r), r));
    }

    static Stream<Named<SpecificRecord>> requiredOnlyNamed() {
        return requiredOnly().map(r -> Named.of(describe(r), r));
    }

    private static String describe(SpecificRecord record) {
        String name = record.getSchema().getName();
        return record instanceof Command command
                ? name + "(" + ((SpecificRecord) command.getPayload()).getSchema().getName() + ")"
                : name;
    }

    @Test
    void everyPayloadBranchIsCovered() {
        List<String> branches = Command.getClassSchema().getField("payload").schema().getTypes().stream()
                .map(Schema::getFullName)
                .toList();
        List<String> fullPayloads = Samples.fullCommands().stream()
                .map(c -> ((SpecificRecord) c.getPayload()).getSchema().getFullName())
                .toList();
        List<String> requiredPayloads = requiredOnly()
                .filter(Command.class::isInstance)
                .map(r -> ((SpecificRecord) ((Command) r).getPayload()).getSchema().getFullName())
                .toList();

        assertThat(fullPayloads).containsExactlyElementsOf(branches);
        assertThat(requiredPayloads).containsExactlyElementsOf(branches);
    }

    @Test
    void valuesComeBackAsTheirJavaTypes() throws IOException {
        Command back = roundTrip(Samples.command(Samples.placeOrder()));

        PlaceOrder order = (PlaceOrder) back.getPayload();
        assertThat(order.getQuantity()).isEqualTo(new BigDecimal("3.0000000000"));
        assertThat(order.getOrderType()).isEqualTo(OrderType.STP_LMT);
        assertThat(order.getInstrument()).isEqualTo(aaplCall());
        assertThat(back.getIssuedAt()).isEqualTo(T0);
        assertThat(back.getExpiresAt()).isEqualTo(T0.plusSeconds(30));
    }

    @Test
    void defaultsFillTheFieldsLeftUnset() {
        PlaceOrder order = PlaceOrder.newBuilder()
                .setInstrument(bitcoin())
                .setAction(OrderAction.BUY)
                .setQuantity(dec("0.5"))
                .setOrderType(OrderType.LMT)
                .setLimitPrice(66000.0)
                .build();

        assertThat(order.getTimeInForce()).isEqualTo(TimeInForce.DAY);
        assertThat(order.getOutsideRth()).isFalse();
        assertThat(order.getInstrument().getExchange()).isEqualTo("SMART");
        assertThat(order.getStopPrice()).isNull();
    }

    @Test
    void anInstrumentMayBeGivenByConIdAlone() throws IOException {
        Instrument byConId = Instrument.newBuilder().setConId(265598L).build();

        assertThat(byConId.getSymbol()).isEmpty();
        assertThat(byConId.getSecType()).isEmpty();
        assertThat(byConId.getCurrency()).isEmpty();
        assertThat(byConId.getExchange()).isEqualTo("SMART");
        Command back = roundTrip(Samples.command(PlaceOrder.newBuilder(Samples.placeOrder()).setInstrument(byConId).build()));
        assertThat(((PlaceOrder) back.getPayload()).getInstrument()).isEqualTo(byConId);
    }

    @Test
    void barDefaultsAndLogicalTypesComeBackAsTheirJavaTypes() throws IOException {
        RequestHistoricalBars request = RequestHistoricalBars.newBuilder()
                .setInstrument(Samples.byConId(265598L))
                .setDuration("2 D")
                .setBarSize(BarSize.MIN_1)
                .setWhatToShow(WhatToShow.BID_ASK)
                .build();
        assertThat(request.getEndTime()).as("null is now").isNull();
        assertThat(request.getRegularTradingHoursOnly()).isTrue();
        assertThat(ResolveContract.newBuilder().build().getAllowMultipleMatches()).isFalse();

        Bar back = roundTrip(Samples.fullBar());
        assertThat(back.getDate()).isEqualTo(LocalDate.of(2025, 6, 2));
        assertThat(back.getStartTime()).isEqualTo(Instant.parse("2025-06-02T04:00:00Z"));
        assertThat(back.getHigh()).isEqualTo(new BigDecimal("4.6125000000"));
        assertThat(back.getTradeCount()).isEqualTo(2_210L);
    }

    /** Writes with SpecificDatumWriter and a BinaryEncoder, reads back with SpecificDatumReader. */
    static <T extends SpecificRecord> T roundTrip(T record) throws IOException {
        Schema schema = record.getSchema();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<T>(schema).write(record, encoder);
        encoder.flush();
        byte[] bytes = out.toByteArray();
        assertThat(bytes).isNotEmpty();

        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, null);
        T back = new SpecificDatumReader<T>(schema).read(null, decoder);
        assertThat(decoder.isEnd()).as("all bytes consumed").isTrue();
        return back;
    }

    /** Paths of the fields that are null (or empty arrays), looking into nested records. */
    static List<String> unsetFields(SpecificRecord record, String path) {
        List<String> unset = new ArrayList<>();
        for (Schema.Field field : record.getSchema().getFields()) {
            Object value = record.get(field.pos());
            String fieldPath = path + "." + field.name();
            if (value == null || (value instanceof List<?> list && list.isEmpty())) {
                unset.add(fieldPath);
            } else if (value instanceof SpecificRecord nested) {
                unset.addAll(unsetFields(nested, fieldPath));
            }
        }
        return unset;
    }
}
