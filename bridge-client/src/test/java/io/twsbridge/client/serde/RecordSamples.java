package io.twsbridge.client.serde;

import io.twsbridge.schema.Samples;

import io.twsbridge.schema.AccountValue;
import io.twsbridge.schema.CancelOrder;
import io.twsbridge.schema.CircuitBreakerState;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.CommandResult;
import io.twsbridge.schema.CommandStatus;
import io.twsbridge.schema.ExecutionSide;
import io.twsbridge.schema.Fill;
import io.twsbridge.schema.GatewayStatus;
import io.twsbridge.schema.Instrument;
import io.twsbridge.schema.MarketDataType;
import io.twsbridge.schema.ModifyOrder;
import io.twsbridge.schema.OrderAction;
import io.twsbridge.schema.OrderStatus;
import io.twsbridge.schema.OrderType;
import io.twsbridge.schema.OrderUpdate;
import io.twsbridge.schema.PlaceOrder;
import io.twsbridge.schema.Position;
import io.twsbridge.schema.Quote;
import io.twsbridge.schema.RequestAccountSnapshot;
import io.twsbridge.schema.RequestExecutions;
import io.twsbridge.schema.RequestPositions;
import io.twsbridge.schema.SessionState;
import io.twsbridge.schema.SubscribeQuotes;
import io.twsbridge.schema.TimeInForce;
import io.twsbridge.schema.UnsubscribeQuotes;
import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.schema.support.Decimals;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * Realistic records of every value type, after the schemas module's test samples: per type one with every field
 * set and one with only what the schema requires (nulls in every optional field).
 */
final class RecordSamples {

    static final Instant T0 = Samples.T0;

    private RecordSamples() {}

    static BigDecimal dec(String value) {
        return Samples.dec(value);
    }

    static Instrument aaplCall() {
        return Samples.aaplCall();
    }

    static Instrument bitcoin() {
        return Samples.bitcoin();
    }

    static Command command(Object payload) {
        return Samples.command(payload);
    }

    /** One command per payload branch, each with every field set, plus a bare one. */
    static List<Command> commands() {
        return List.of(
                command(SubscribeQuotes.newBuilder().setInstrument(aaplCall()).build()),
                command(UnsubscribeQuotes.newBuilder().setInstrument(aaplCall()).build()),
                command(PlaceOrder.newBuilder()
                        .setInstrument(aaplCall())
                        .setAction(OrderAction.BUY)
                        .setQuantity(dec("3"))
                        .setOrderType(OrderType.STP_LMT)
                        .setLimitPrice(4.45)
                        .setStopPrice(4.30)
                        .setTimeInForce(TimeInForce.GTC)
                        .setOutsideRth(true)
                        .build()),
                command(CancelOrder.newBuilder()
                        .setTargetCommandId("0b9e3c4d-77aa-4f11-8c02-5d6e7f8a9b10")
                        .setOrderId(1042L)
                        .build()),
                command(ModifyOrder.newBuilder()
                        .setTargetCommandId("0b9e3c4d-77aa-4f11-8c02-5d6e7f8a9b10")
                        .setOrderId(1042L)
                        .setQuantity(dec("5"))
                        .setLimitPrice(4.40)
                        .setStopPrice(4.25)
                        .setTimeInForce(TimeInForce.DAY)
                        .setOutsideRth(false)
                        .build()),
                command(RequestAccountSnapshot.newBuilder().build()),
                command(RequestPositions.newBuilder().build()),
                command(RequestExecutions.newBuilder()
                        .setSince(Instant.parse("2025-06-02T13:30:00Z"))
                        .setSymbol("AAPL")
                        .setSecType("OPT")
                        .setExchange("CBOE")
                        .setSide(OrderAction.SELL)
                        .setClientId(17)
                        .build()),
                Command.newBuilder()
                        .setCommandId("c-2")
                        .setIssuedAt(T0)
                        .setPayload(PlaceOrder.newBuilder()
                                .setInstrument(bitcoin())
                                .setAction(OrderAction.SELL)
                                .setQuantity(dec("0.00125"))
                                .setOrderType(OrderType.MKT)
                                .build())
                        .build());
    }

    static List<CommandResult> commandResults() {
        return List.of(
                Samples.fullCommandResult(),
                CommandResult.newBuilder()
                        .setCommandId("c-2")
                        .setStatus(CommandStatus.ACCEPTED)
                        .setReasonCode("OK")
                        .setMessage("")
                        .setTimestamp(T0)
                        .build());
    }

    static List<AccountValue> accountValues() {
        return List.of(
                Samples.fullAccountValue(),
                AccountValue.newBuilder()
                        .setAccount("DU1234567")
                        .setKey("AccountType")
                        .setValue("INDIVIDUAL")
                        .setUpdatedAt(T0)
                        .build());
    }

    static List<Position> positions() {
        return List.of(
                Samples.fullPosition(),
                Position.newBuilder()
                        .setAccount("DU1234567")
                        .setInstrument(bitcoin())
                        .setQuantity(dec("0.0000000001"))
                        .setAverageCost(dec("9999999999999999999999999999.9999999999"))
                        .setUpdatedAt(T0)
                        .build());
    }

    static List<OrderUpdate> orderUpdates() {
        return List.of(
                fullOrderUpdate(),
                OrderUpdate.newBuilder()
                        .setOrderId(7L)
                        .setClientId(0)
                        .setAccount("DU1234567")
                        .setAction("SSHORT")
                        .setOrderType("TRAIL")
                        .setTotalQuantity(dec("100"))
                        .setStatus(OrderStatus.PRE_SUBMITTED)
                        .setIbStatus("PreSubmitted")
                        .setFilled(dec("0"))
                        .setRemaining(dec("100"))
                        .setUpdatedAt(T0)
                        .build());
    }

    static OrderUpdate fullOrderUpdate() {
        return Samples.fullOrderUpdate();
    }

    static Fill fullFill() {
        return Samples.fullFill();
    }

    static List<Fill> fills() {
        return List.of(
                fullFill(),
                Fill.newBuilder()
                        .setExecId("0000e0d5.6650f2a1.01.02")
                        .setOrderId(-1L)
                        .setPermId(0L)
                        .setClientId(0)
                        .setAccount("DU1234567")
                        .setInstrument(bitcoin())
                        .setSide(ExecutionSide.SLD)
                        .setShares(dec("0.5"))
                        .setPrice(67012.5)
                        .setCumulativeQuantity(dec("0.5"))
                        .setAveragePrice(67012.5)
                        .setExecutionTime(T0)
                        .setExchange("PAXOS")
                        .setPublishedAt(T0)
                        .build());
    }

    static Quote fullQuote() {
        return Samples.fullQuote();
    }

    static List<Quote> quotes() {
        return List.of(
                fullQuote(),
                Quote.newBuilder()
                        .setInstrument(bitcoin())
                        .setGatewayTime(T0)
                        .setBridgeTime(T0)
                        .setSequence(1L)
                        .build());
    }

    static GatewayStatus fullGatewayStatus() {
        return Samples.fullGatewayStatus();
    }

    static List<GatewayStatus> gatewayStatuses() {
        return List.of(
                fullGatewayStatus(),
                GatewayStatus.newBuilder()
                        .setBridgeId("bridge-ü-Ω-🚀")
                        .setSessionState(SessionState.READY)
                        .setCircuitBreakerState(CircuitBreakerState.CLOSED)
                        .setZombieCount(0)
                        .setSince(T0)
                        .setHeartbeatAt(T0)
                        .build());
    }

    /** Samples per topic; a test checks that every topic with a value schema has some. */
    static Map<Topic, List<? extends SpecificRecord>> byTopic() {
        Map<Topic, List<? extends SpecificRecord>> samples = new EnumMap<>(Topic.class);
        samples.put(Topic.COMMANDS, commands());
        samples.put(Topic.COMMAND_RESULTS, commandResults());
        samples.put(Topic.ACCOUNTS, accountValues());
        samples.put(Topic.POSITIONS, positions());
        samples.put(Topic.ORDERS, orderUpdates());
        samples.put(Topic.FILLS, fills());
        samples.put(Topic.QUOTES, quotes());
        samples.put(Topic.STATUS, gatewayStatuses());
        samples.put(Topic.CONTRACTS, List.of(Samples.fullContractDetails()));
        samples.put(Topic.BARS, List.of(Samples.fullBar()));
        return samples;
    }

    /** Every sample with its topic. */
    static List<Map.Entry<Topic, SpecificRecord>> all() {
        List<Map.Entry<Topic, SpecificRecord>> all = new ArrayList<>();
        byTopic().forEach((topic, records) -> records.forEach(r -> all.add(Map.entry(topic, r))));
        return all;
    }
}
