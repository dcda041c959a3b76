package io.twsbridge.bridge.app;

import io.twsbridge.client.registry.SchemaRegistryClient;
import io.twsbridge.client.serde.AvroWireSerializer;
import io.twsbridge.schema.CancelOrder;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.CommandResult;
import io.twsbridge.schema.CommandStatus;
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
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificRecord;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/**
 * A generated corpus of hostile records for the commands topic, the same for a given seed: bytes that are not the
 * wire format, wire records cut short, unknown schema ids, wrong bodies, writer schemas the bridge cannot read,
 * and well-formed commands with absurd values, each with what the bridge must do with it.
 *
 * <p>Every command in it is aimed at an account and symbol orders may be placed for, so that only the bridge's own
 * checks stand between it and a placeOrder.
 */
final class HostileCorpus {

    /** What the bridge must do with a record. */
    enum Expect {
        /** Undecodable, no commandId to answer: a dead letter only. */
        DEAD_LETTER,
        /** A REJECTED result and a dead letter (it could not be read, or failed validation). */
        REJECTED_AND_DEAD_LETTER,
        /** A REJECTED result only (a guardrail, an unknown account or order). */
        REJECTED,
        /** A REJECTED result; a dead letter too when a validation rule (not a guardrail) caught it first. */
        REJECTED_PERHAPS_DEAD_LETTER,
        /** Read after its expiresAt: EXPIRED, the contract's answer, and nothing executed. */
        EXPIRED
    }

    /**
     * One record to send.
     *
     * @param commandId the commandId a result would carry, null when none can be read
     */
    record Hostile(String kind, byte[] key, byte[] value, String commandId, Expect expect) {

        boolean wantsResult() {
            return expect != Expect.DEAD_LETTER;
        }

        boolean wantsDeadLetter() {
            return expect == Expect.DEAD_LETTER || expect == Expect.REJECTED_AND_DEAD_LETTER;
        }

        CommandStatus status() {
            return expect == Expect.EXPIRED ? CommandStatus.EXPIRED : CommandStatus.REJECTED;
        }

        @Override
        public String toString() {
            return kind + " (" + (value == null ? "null" : value.length + " bytes") + ", key "
                    + (key == null ? "null" : key.length + " bytes") + ", commandId "
                    + (commandId == null ? "none" : commandId.length() > 40 ? commandId.substring(0, 40) + "..."
                    : commandId) + ", " + expect + ")";
        }
    }

    /** Account orders may be placed for (managed and in the allowlist). */
    static final String ALLOWED = "DU111111";
    /** Managed by the Gateway login but not in the allowlist. */
    static final String NOT_ALLOWED = "DU222222";
    static final String SYMBOL = "AAPL";

    private final SplittableRandom random;
    private final String run;
    private final String topic;
    private final SchemaRegistryClient registry;
    private final AvroWireSerializer serializer;
    private final int commandSchemaId;
    /** The largest record the test's producer sends (its max.request.size, Kafka's default). */
    private final int maxRecordBytes;
    private final List<Hostile> corpus = new ArrayList<>();
    private int serial;

    HostileCorpus(long seed, String run, String topic, SchemaRegistryClient registry, int maxRecordBytes) {
        this.random = new SplittableRandom(seed);
        this.run = run;
        this.topic = topic;
        this.registry = registry;
        this.serializer = new AvroWireSerializer(registry);
        this.commandSchemaId = registry.register(topic + "-value", Command.getClassSchema());
        this.maxRecordBytes = maxRecordBytes;
    }

    List<Hostile> generate() {
        randomBytes();
        magicByteThenGarbage();
        truncated();
        unknownSchemaIds();
        knownIdWrongBody();
        unreadableWriters();
        nullValuesAndHugeKeys();
        absurdValues();
        randomMutations();
        nearTheSizeLimit();
        return List.copyOf(corpus);
    }

    // ---- not the wire format, or not a Command ----------------------------------------------------------------

    private void randomBytes() {
        int[] lengths = {0, 1, 2, 3, 4, 5, 6, 9, 17, 64, 255, 1024, 65_536};
        for (int length : lengths) {
            add("random bytes", key(), garbage(length, false), null, Expect.DEAD_LETTER);
        }
        for (int i = 0; i < 12; i++) {
            add("random bytes", key(), garbage(1 + random.nextInt(4096), false), null, Expect.DEAD_LETTER);
        }
    }

    private void magicByteThenGarbage() {
        for (int length = 1; length <= 8; length++) {
            add("magic byte, garbage", key(), garbage(length, true), null, Expect.DEAD_LETTER);
        }
        for (int i = 0; i < 12; i++) {
            add("magic byte, garbage", key(), garbage(9 + random.nextInt(2048), true), null, Expect.DEAD_LETTER);
        }
    }

    private void truncated() {
        byte[] order = wire(validOrder(id("truncated-order")));
        for (int length = 1; length < order.length; length++) {
            add("truncated order at " + length, key(), Arrays.copyOf(order, length), null, Expect.DEAD_LETTER);
        }
        for (Command c : List.of(subscribe(id("truncated-sub"), Commands.stock(SYMBOL)),
                cancel(id("truncated-cancel"), "some-order", null), executions(id("truncated-exec"), null))) {
            byte[] full = wire(c);
            for (int i = 0; i < 6; i++) {
                int length = 1 + random.nextInt(full.length - 1);
                add("truncated " + c.getPayload().getClass().getSimpleName() + " at " + length, key(),
                        Arrays.copyOf(full, length), null, Expect.DEAD_LETTER);
            }
        }
    }

    private void unknownSchemaIds() {
        byte[] body = body(wire(validOrder(id("unknown-id"))));
        for (int schemaId : new int[] {987_654, 31_337_000, Integer.MAX_VALUE, -1, Integer.MIN_VALUE}) {
            add("unknown schema id " + schemaId, key(), withHeader(schemaId, body), null, Expect.DEAD_LETTER);
        }
    }

    private void knownIdWrongBody() {
        CommandResult result = CommandResult.newBuilder().setCommandId(id("a-result")).setStatus(CommandStatus.COMPLETED)
                .setReasonCode("OK").setMessage("not a command").setTimestamp(Instant.now()).build();
        registry.register(topic + "-result-value", CommandResult.getClassSchema());
        add("Command id, CommandResult body", key(), withHeader(commandSchemaId,
                body(serializer.serialize(topic + "-result", result))), null, Expect.DEAD_LETTER);
        registry.register(topic + "-instrument-value", Instrument.getClassSchema());
        add("Command id, Instrument body", key(), withHeader(commandSchemaId,
                body(serializer.serialize(topic + "-instrument", Commands.stock(SYMBOL)))), null, Expect.DEAD_LETTER);
        for (int i = 0; i < 12; i++) {
            add("Command id, random body", key(), withHeader(commandSchemaId, garbageBody(1 + random.nextInt(512))),
                    null, Expect.DEAD_LETTER);
        }
        // Its writer schema still reads the commandId, so it is answered as well.
        String trailing = id("trailing");
        add("Command id, trailing bytes", key(), concat(wire(validOrder(trailing)), new byte[] {1, 2, 3}), trailing,
                Expect.REJECTED_AND_DEAD_LETTER);
        // commandId "x", issuedAt 0, no expiry, account or issuedBy, then a payload branch the union does not have.
        add("Command id, union index 42", key(), withHeader(commandSchemaId, new byte[] {2, 'x', 0, 0, 0, 0, 84}), null,
                Expect.DEAD_LETTER);
        add("Command id, string length beyond the value", key(), withHeader(commandSchemaId,
                new byte[] {(byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 'x'}), null, Expect.DEAD_LETTER);
    }

    /** Writer schemas registered under subjects of their own, as a newer producer's would be. */
    private void unreadableWriters() {
        String json = Command.getClassSchema().toString();
        // A payload branch this bridge does not know, after the last one it knows: its index is beyond its union.
        Schema extraBranch = withExtraPayloadBranch(json);
        int branchId = registry.register("hostile-variant-branch-value", extraBranch);
        for (int i = 0; i < 3; i++) {
            String id = id("unknown-branch");
            GenericRecord c = generic(envelope(id).setAccount(ALLOWED)
                    .setPayload(RequestPositions.newBuilder().build()).build(), extraBranch);
            Schema close = extraBranch.getField("payload").schema().getTypes().stream()
                    .filter(s -> s.getName().equals("ClosePosition")).findFirst().orElseThrow();
            GenericRecord payload = new GenericData.Record(close);
            payload.put("conId", 265_598L + i);
            c.put("payload", payload);
            add("unknown union branch", key(), encode(branchId, extraBranch, c), id, Expect.REJECTED_AND_DEAD_LETTER);
        }
        // Enum symbols this bridge does not know: they read as UNKNOWN, which validation refuses.
        Schema newer = new Schema.Parser().parse(json
                .replace("\"symbols\":[\"BUY\",\"SELL\",\"UNKNOWN\"]", "\"symbols\":[\"BUY\",\"SELL\",\"SHORT\",\"UNKNOWN\"]")
                .replace("\"symbols\":[\"MKT\",\"LMT\",\"STP\",\"STP_LMT\",\"UNKNOWN\"]",
                        "\"symbols\":[\"MKT\",\"LMT\",\"STP\",\"STP_LMT\",\"TRAIL\",\"UNKNOWN\"]")
                .replace("\"symbols\":[\"DAY\",\"GTC\",\"IOC\",\"OPG\",\"UNKNOWN\"]",
                        "\"symbols\":[\"DAY\",\"GTC\",\"IOC\",\"OPG\",\"GTD\",\"UNKNOWN\"]"));
        int newerId = registry.register("hostile-variant-enums-value", newer);
        String[][] unknown = {{"action", "SHORT"}, {"orderType", "TRAIL"}, {"timeInForce", "GTD"}};
        for (String[] field : unknown) {
            String id = id("unknown-enum-" + field[0]);
            GenericRecord c = generic(validOrder(id), newer);
            GenericRecord payload = (GenericRecord) c.get("payload");
            payload.put(field[0], new GenericData.EnumSymbol(payload.getSchema().getField(field[0]).schema(), field[1]));
            add("unknown enum symbol " + field[1], key(), encode(newerId, newer, c), id, Expect.REJECTED_AND_DEAD_LETTER);
        }
        String id = id("unknown-enum-side");
        GenericRecord c = generic(executions(id, OrderAction.BUY), newer);
        GenericRecord payload = (GenericRecord) c.get("payload");
        payload.put("side", new GenericData.EnumSymbol(newer.getField("payload").schema().getTypes().stream()
                .filter(s -> s.getName().equals("PlaceOrder")).findFirst().orElseThrow().getField("action").schema(), "SHORT"));
        add("unknown enum symbol SHORT as an executions filter", key(), encode(newerId, newer, c), id,
                Expect.REJECTED_AND_DEAD_LETTER);
    }

    private void nullValuesAndHugeKeys() {
        add("null value", key(), null, null, Expect.DEAD_LETTER);
        add("null value, null key", null, null, null, Expect.DEAD_LETTER);
        add("null value, empty key", new byte[0], null, null, Expect.DEAD_LETTER);
        add("100 KB key, garbage value", garbage(100 * 1024, false), garbage(32, false), null, Expect.DEAD_LETTER);
        String id = id("huge-key-nan");
        add("500 KB key, NaN limit price", garbage(500 * 1024, false),
                wire(order(id, ALLOWED, p -> p.setLimitPrice(Double.NaN))), id, Expect.REJECTED_AND_DEAD_LETTER);
    }

    // ---- well-formed, absurd ----------------------------------------------------------------------------------

    private void absurdValues() {
        for (String q : new String[] {"-1", "0", "-0.0000000001", "1000000000000000", "1000000000.0000000001"}) {
            rejected("quantity " + q, order(null, ALLOWED, p -> p.setQuantity(new BigDecimal(q).setScale(10))), true);
        }
        String id = id("quantity-of-4000-digits");
        byte[] digits = new byte[1700];
        random.nextBytes(digits);
        digits[0] = 0x7f;
        GenericRecord huge = generic(validOrder(id), Command.getClassSchema());
        ((GenericRecord) huge.get("payload")).put("quantity", ByteBuffer.wrap(digits));
        add("quantity of 4,000 digits", key(), encode(commandSchemaId, Command.getClassSchema(), huge), id,
                Expect.REJECTED_AND_DEAD_LETTER);
        double[] prices = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0, -1.0, 1e15,
                Double.MAX_VALUE};
        for (double price : prices) {
            rejected("limit price " + price, order(null, ALLOWED, p -> p.setLimitPrice(price)), true);
            rejected("stop price " + price, order(null, ALLOWED, p -> p.setOrderType(OrderType.STP).setLimitPrice(null)
                    .setStopPrice(price)), true);
            rejected("stop-limit aux price " + price, order(null, ALLOWED, p -> p.setOrderType(OrderType.STP_LMT)
                    .setStopPrice(price)), true);
        }
        rejected("market order with a limit price", order(null, ALLOWED, p -> p.setOrderType(OrderType.MKT)), true);
        rejected("limit order without a limit price", order(null, ALLOWED, p -> p.setLimitPrice(null)), true);
        rejected("action UNKNOWN", order(null, ALLOWED, p -> p.setAction(OrderAction.UNKNOWN)), true);
        rejected("orderType UNKNOWN", order(null, ALLOWED, p -> p.setOrderType(OrderType.UNKNOWN)), true);
        rejected("timeInForce UNKNOWN", order(null, ALLOWED, p -> p.setTimeInForce(TimeInForce.UNKNOWN)), true);

        for (String symbol : new String[] {"", " ", "AAPL\u0000", "AA\nPL", "X".repeat(65), "ÄÄPL"}) {
            rejected("symbol '" + printable(symbol) + "'", order(null, ALLOWED, p -> p.setInstrument(stock(symbol))), true);
        }
        String nul = "\u0000";
        // A NUL ends a TWS field: each of these would shift the order's fields after it if it reached the wire.
        rejected("localSymbol with NULs", order(null, ALLOWED, p -> p.setInstrument(instrument(i -> i.setLocalSymbol(
                "AAPL" + nul + "1000000" + nul + "MKT")))), true);
        rejected("tradingClass with a NUL", order(null, ALLOWED, p -> p.setInstrument(instrument(i -> i.setTradingClass(
                "NMS" + nul + "SELL")))), true);
        rejected("primaryExchange with a NUL", order(null, ALLOWED, p -> p.setInstrument(instrument(i -> i
                .setPrimaryExchange("NASDAQ" + nul)))), true);
        rejected("multiplier with a NUL", order(null, ALLOWED, p -> p.setInstrument(instrument(i -> i.setMultiplier(
                "1" + nul + "0")))), true);
        rejected("right 'X'", order(null, ALLOWED, p -> p.setInstrument(instrument(i -> i.setRight("X")))), true);
        rejected("localSymbol of 100 KB", order(null, ALLOWED, p -> p.setInstrument(instrument(i -> i.setLocalSymbol(
                "L".repeat(100 * 1024))))), true);
        rejected("exchange with a newline", order(null, ALLOWED, p -> p.setInstrument(instrument(i -> i.setExchange(
                "SMART\nERROR forged log line")))), true);
        for (String currency : new String[] {"usd", "US", "USDX", ""}) {
            rejected("currency '" + currency + "'", order(null, ALLOWED, p -> p.setInstrument(instrument(i -> i
                    .setCurrency(currency)))), true);
        }
        rejected("secType 'XXX'", order(null, ALLOWED, p -> p.setInstrument(instrument(i -> i.setSecType("XXX")))), true);
        rejected("strike NaN", order(null, ALLOWED, p -> p.setInstrument(instrument(i -> i.setStrike(Double.NaN)))), true);
        rejected("strike -1", order(null, ALLOWED, p -> p.setInstrument(instrument(i -> i.setStrike(-1.0)))), true);
        rejected("conId -5", order(null, ALLOWED, p -> p.setInstrument(instrument(i -> i.setConId(-5L)))), true);
        rejected("conId 2^40", order(null, ALLOWED, p -> p.setInstrument(instrument(i -> i.setConId(1L << 40)))), true);

        // Contract expiry in the past, and expiries that are no date at all.
        for (String expiry : new String[] {"20200117", "202001", "19991231", "2026-12-18", "20261301", "20260230", "2026"}) {
            rejected("future expiring '" + expiry + "'", order(null, ALLOWED, p -> p.setInstrument(Instrument.newBuilder()
                    .setSymbol("ES").setSecType("FUT").setExchange("CME").setCurrency("USD")
                    .setLastTradeDateOrContractMonth(expiry).setMultiplier("50").build())), true);
        }
        rejected("option expired in 2021", order(null, ALLOWED, p -> p.setInstrument(Instrument.newBuilder()
                .setSymbol(SYMBOL).setSecType("OPT").setExchange("SMART").setCurrency("USD")
                .setLastTradeDateOrContractMonth("20210115").setStrike(150.0).setRight("C").setMultiplier("100").build())),
                true);
        rejected("quotes of a future that expired", command(null, ALLOWED, SubscribeQuotes.newBuilder()
                .setInstrument(Instrument.newBuilder().setSymbol("ES").setSecType("FUT").setExchange("CME")
                        .setCurrency("USD").setLastTradeDateOrContractMonth("202003").build()).build()), true);

        // The envelope.
        for (String account : new String[] {"", " ", "DU111111\n", "A".repeat(65)}) {
            rejected("account '" + printable(account) + "'", order(null, account, p -> p), true);
        }
        rejected("unknown account", order(null, "U9999999", p -> p), false);
        rejected("account outside the allowlist", order(null, NOT_ALLOWED, p -> p), false);
        rejected("positions of an unknown account", command(null, "U9999999", RequestPositions.newBuilder().build()), false);
        rejected("snapshot of an unknown account", command(null, "U9999999", RequestAccountSnapshot.newBuilder().build()),
                false);
        rejected("quotes for an unknown account", command(null, "U9999999", SubscribeQuotes.newBuilder()
                .setInstrument(stock(SYMBOL)).build()), false);
        rejected("quantity above orders.max-quantity", order(null, ALLOWED, p -> p.setQuantity(
                new BigDecimal("5000").setScale(10))), false);
        rejected("notional above orders.max-notional", order(null, ALLOWED, p -> p.setQuantity(
                new BigDecimal("90").setScale(10)).setLimitPrice(5000.0)), false);
        rejected("market order without a quote to price it", order(null, ALLOWED, p -> p.setOrderType(OrderType.MKT)
                .setLimitPrice(null)), false);
        for (String commandId : new String[] {"", "   ", "x".repeat(10 * 1024), "order\u0000ref", "line\nbreak",
                "tab\tid", "\u007f"}) {
            Command c = envelope(commandId).setAccount(ALLOWED).setPayload(validOrder("unused").getPayload()).build();
            add("commandId '" + printable(commandId) + "'", key(), wire(c), commandId, Expect.REJECTED_AND_DEAD_LETTER);
        }
        rejected("issuedBy of 100 KB", with(validOrder(id("issued-by")), b -> b.setIssuedBy("i".repeat(100 * 1024))), true);
        rejected("issuedBy with a newline", with(validOrder(id("issued-by-nl")), b -> b.setIssuedBy("me\nERROR x")), true);
        Instant now = Instant.now();
        rejected("expiresAt before issuedAt", with(validOrder(id("expires-before-issued")), b -> b.setIssuedAt(now)
                .setExpiresAt(now.minus(1, ChronoUnit.HOURS))), true);
        String expired = id("expired");
        add("expiresAt in the past", key(), wire(with(validOrder(expired), b -> b
                .setIssuedAt(now.minus(2, ChronoUnit.HOURS)).setExpiresAt(now.minus(1, ChronoUnit.HOURS)))), expired,
                Expect.EXPIRED);

        // Executions filters and order targets.
        rejected("executions of a symbol with a NUL", executions(null, null, r -> r.setSymbol("AAPL\u0000")), true);
        rejected("executions of a 100 KB exchange", executions(null, null, r -> r.setExchange("E".repeat(100 * 1024))),
                true);
        rejected("executions of side UNKNOWN", executions(null, OrderAction.UNKNOWN), true);
        rejected("cancel of an unknown orderRef", cancel(null, "no-such-command", null), false);
        rejected("cancel naming nothing", cancel(null, null, null), true);
        rejected("cancel naming both", cancel(null, "no-such-command", 5L), true);
        for (long orderId : new long[] {0, -1, Long.MAX_VALUE, 1L << 31}) {
            rejected("cancel of order id " + orderId, cancel(null, null, orderId), true);
        }
        rejected("cancel of a 10 KB orderRef", cancel(null, "r".repeat(10 * 1024), null), true);
        rejected("cancel of an orderRef with a NUL", cancel(null, "ref\u0000", null), true);
        rejected("modify of an unknown orderRef", modify(null, "no-such-command", m -> m.setLimitPrice(2.0)), false);
        rejected("modify changing nothing", modify(null, "no-such-command", m -> m), true);
        rejected("modify to a NaN price", modify(null, "no-such-command", m -> m.setLimitPrice(Double.NaN)), true);
        rejected("modify to quantity -3", modify(null, "no-such-command", m -> m.setQuantity(
                new BigDecimal("-3").setScale(10))), true);

        // One commandId, three bodies, each refused on its own merits.
        String dup = id("duplicate");
        add("duplicate commandId, NaN price", key(), wire(order(dup, ALLOWED, p -> p.setLimitPrice(Double.NaN))), dup,
                Expect.REJECTED_AND_DEAD_LETTER);
        add("duplicate commandId, unknown account", key(), wire(order(dup, "U9999999", p -> p)), dup, Expect.REJECTED);
        add("duplicate commandId, 10^15 shares", key(), wire(order(dup, ALLOWED, p -> p.setQuantity(
                new BigDecimal("1000000000000000").setScale(10)))), dup, Expect.REJECTED_AND_DEAD_LETTER);
    }

    /** Valid orders with one to three fields each replaced by a hostile value, chosen by the seed. */
    private void randomMutations() {
        List<UnaryOperator<PlaceOrder.Builder>> mutations = List.of(
                p -> p.setQuantity(BigDecimal.valueOf(-random.nextInt(1_000_000)).setScale(10)),
                p -> p.setQuantity(new BigDecimal(BigInteger.TEN.pow(10 + random.nextInt(18))).setScale(10)),
                p -> p.setLimitPrice(-random.nextDouble() * 1e6),
                p -> p.setLimitPrice(random.nextBoolean() ? Double.NaN : Double.POSITIVE_INFINITY),
                p -> p.setLimitPrice(1e9 + random.nextDouble() * 1e12),
                // Random bytes, then a control character so that no draw is a plausible symbol by chance.
                p -> p.setInstrument(instrument(i -> i.setSymbol(new String(garbage(1 + random.nextInt(100), false),
                        StandardCharsets.ISO_8859_1) + "\u0001"))),
                p -> p.setInstrument(instrument(i -> i.setLocalSymbol("L" + "\u0000".repeat(1 + random.nextInt(5))))),
                p -> p.setInstrument(instrument(i -> i.setCurrency(random.nextBoolean() ? "" : "us" + random.nextInt(9)))),
                p -> p.setInstrument(instrument(i -> i.setLastTradeDateOrContractMonth(
                        String.valueOf(1990 + random.nextInt(30)) + "0" + (1 + random.nextInt(9))))),
                p -> p.setAction(OrderAction.UNKNOWN),
                p -> p.setTimeInForce(TimeInForce.UNKNOWN));
        for (int i = 0; i < 40; i++) {
            int count = 1 + random.nextInt(3);
            List<UnaryOperator<PlaceOrder.Builder>> chosen = new ArrayList<>();
            for (int k = 0; k < count; k++) {
                chosen.add(mutations.get(random.nextInt(mutations.size())));
            }
            rejected("mutated order (" + count + " fields)", order(null, ALLOWED, p -> {
                chosen.forEach(m -> m.apply(p));
                return p;
            }), true);
        }
    }

    /**
     * Records as large as the test's producer sends (its max.request.size, which the broker's default
     * max.message.bytes also admits): their dead-letter copies, with the dead-letter headers on top, would not fit.
     */
    private void nearTheSizeLimit() {
        int room = maxRecordBytes - 200;
        String symbolId = id("1mb-symbol");
        add("symbol of ~1 MB", key(), sized(room, n -> command(symbolId, ALLOWED, SubscribeQuotes.newBuilder()
                .setInstrument(stock("S".repeat(n))).build())), symbolId, Expect.REJECTED_AND_DEAD_LETTER);
        String orderId = id("1mb-order-symbol");
        add("order for a symbol of ~1 MB", key(), sized(room, n -> order(orderId, ALLOWED, p -> p.setInstrument(
                stock("S".repeat(n))))), orderId, Expect.REJECTED_AND_DEAD_LETTER);
        String accountId = id("1mb-account");
        add("account of ~1 MB", key(), sized(room, n -> command(accountId, "A".repeat(n),
                RequestPositions.newBuilder().build())), accountId, Expect.REJECTED_AND_DEAD_LETTER);
        // Too long for any result (it is key and value of one): only the dead letter can answer it.
        byte[] hugeId = sized(room, n -> envelope("C".repeat(n)).setAccount(ALLOWED)
                .setPayload(validOrder("unused").getPayload()).build());
        add("commandId of ~1 MB", key(), hugeId, null, Expect.DEAD_LETTER);
        String targetId = id("1mb-cancel-target");
        add("cancel of an orderRef of ~1 MB", key(), sized(room, n -> cancel(targetId, "T".repeat(n), null)), targetId,
                Expect.REJECTED_AND_DEAD_LETTER);
        add("garbage of ~1 MB", key(), garbage(room - 16, false), null, Expect.DEAD_LETTER);
        add("key of ~1 MB, garbage value", garbage(room - 64, false), garbage(40, false), null, Expect.DEAD_LETTER);
        String halfId = id("500kb-symbol");
        add("symbol of 500 KB", key(), wire(command(halfId, ALLOWED, SubscribeQuotes.newBuilder()
                .setInstrument(stock("S".repeat(500 * 1024))).build())), halfId, Expect.REJECTED_AND_DEAD_LETTER);
    }

    // ---- building blocks --------------------------------------------------------------------------------------

    /** A fresh commandId of this run. */
    private String id(String what) {
        return run + "-" + what + "-" + (++serial);
    }

    private static Schema withExtraPayloadBranch(String commandSchema) {
        try {
            com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
            com.fasterxml.jackson.databind.JsonNode root = json.readTree(commandSchema);
            for (com.fasterxml.jackson.databind.JsonNode field : root.get("fields")) {
                if (field.get("name").asText().equals("payload")) {
                    ((com.fasterxml.jackson.databind.node.ArrayNode) field.get("type")).add(json.readTree(
                            "{\"type\":\"record\",\"name\":\"ClosePosition\",\"fields\":[{\"name\":\"conId\",\"type\":\"long\"}]}"));
                }
            }
            return new Schema.Parser().parse(json.writeValueAsString(root));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void rejected(String kind, Command c, boolean validation) {
        add(kind, key(), wire(c), c.getCommandId(), validation ? Expect.REJECTED_AND_DEAD_LETTER : Expect.REJECTED);
    }

    private void add(String kind, byte[] key, byte[] value, String commandId, Expect expect) {
        corpus.add(new Hostile(kind, key, value, commandId, expect));
    }

    private byte[] key() {
        return (random.nextBoolean() ? ALLOWED : "hostile-" + random.nextInt(1000)).getBytes(StandardCharsets.UTF_8);
    }

    /** A wire value of exactly {@code size} bytes, made by growing one field of {@code command}. */
    private byte[] sized(int size, java.util.function.IntFunction<Command> command) {
        int probe = size - 1000;
        byte[] first = wire(command.apply(probe));
        byte[] value = wire(command.apply(probe + size - first.length));
        if (value.length != size) {
            throw new IllegalStateException("sized value has " + value.length + " bytes, not " + size);
        }
        return value;
    }

    private byte[] garbage(int length, boolean magicFirst) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        if (length > 0) {
            bytes[0] = magicFirst ? 0 : (byte) (1 + random.nextInt(255));
        }
        return bytes;
    }

    private byte[] garbageBody(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private byte[] wire(SpecificRecord record) {
        return serializer.serialize(topic, record);
    }

    private Command validOrder(String commandId) {
        return order(commandId, ALLOWED, p -> p);
    }

    /** A limit order to buy one share of AAPL at 1.0 for the allowed account, changed by {@code change}. */
    private Command order(String commandId, String account, UnaryOperator<PlaceOrder.Builder> change) {
        PlaceOrder.Builder p = PlaceOrder.newBuilder().setInstrument(stock(SYMBOL)).setAction(OrderAction.BUY)
                .setQuantity(BigDecimal.ONE.setScale(10)).setOrderType(OrderType.LMT).setLimitPrice(1.0)
                .setTimeInForce(TimeInForce.DAY).setOutsideRth(false);
        return command(commandId, account, change.apply(p).build());
    }

    private Command command(String commandId, String account, Object payload) {
        return envelope(commandId == null ? id("absurd") : commandId).setAccount(account).setPayload(payload).build();
    }

    private static Command with(Command c, UnaryOperator<Command.Builder> change) {
        return change.apply(Command.newBuilder(c)).build();
    }

    private Command subscribe(String commandId, Instrument instrument) {
        return command(commandId, ALLOWED, SubscribeQuotes.newBuilder().setInstrument(instrument).build());
    }

    private Command cancel(String commandId, String target, Long orderId) {
        return command(commandId, ALLOWED, CancelOrder.newBuilder().setTargetCommandId(target).setOrderId(orderId).build());
    }

    private Command modify(String commandId, String target, UnaryOperator<ModifyOrder.Builder> change) {
        return command(commandId, ALLOWED, change.apply(ModifyOrder.newBuilder().setTargetCommandId(target)).build());
    }

    private Command executions(String commandId, OrderAction side) {
        return executions(commandId, side, r -> r);
    }

    private Command executions(String commandId, OrderAction side, UnaryOperator<RequestExecutions.Builder> change) {
        return command(commandId, ALLOWED, change.apply(RequestExecutions.newBuilder().setSide(side)).build());
    }

    private static Command.Builder envelope(String commandId) {
        return Command.newBuilder().setCommandId(commandId).setIssuedAt(Instant.now());
    }

    private static Instrument stock(String symbol) {
        return Commands.stock(symbol);
    }

    private static Instrument instrument(UnaryOperator<Instrument.Builder> change) {
        return change.apply(Instrument.newBuilder(stock(SYMBOL))).build();
    }

    private static String printable(String s) {
        return io.twsbridge.bridge.commands.Printable.of(s, 12);
    }

    private static byte[] body(byte[] wire) {
        return Arrays.copyOfRange(wire, 5, wire.length);
    }

    private static byte[] withHeader(int schemaId, byte[] body) {
        return ByteBuffer.allocate(5 + body.length).put((byte) 0).putInt(schemaId).put(body).array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] encode(int schemaId, Schema writer, GenericRecord record) {
        try {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(body, null);
            new GenericDatumWriter<GenericRecord>(writer, GenericData.get()).write(record, encoder);
            encoder.flush();
            return withHeader(schemaId, body.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A generated record as a generic one of {@code schema} (the same names, perhaps more symbols or branches), with
     * logical types as their raw Avro values, so that a test can write what no generated class would.
     */
    static GenericRecord generic(SpecificRecord record, Schema schema) {
        GenericRecord g = new GenericData.Record(schema);
        for (Schema.Field f : schema.getFields()) {
            Schema.Field own = record.getSchema().getField(f.name());
            g.put(f.name(), own == null ? null : raw(record.get(own.pos()), f.schema()));
        }
        return g;
    }

    private static Object raw(Object value, Schema schema) {
        if (value == null) {
            return null;
        }
        switch (schema.getType()) {
            case UNION:
                for (Schema branch : schema.getTypes()) {
                    if (fits(value, branch)) {
                        return raw(value, branch);
                    }
                }
                throw new IllegalArgumentException(value.getClass() + " fits no branch of " + schema);
            case RECORD:
                return generic((SpecificRecord) value, schema);
            case ENUM:
                return new GenericData.EnumSymbol(schema, value.toString());
            case BYTES:
                return value instanceof BigDecimal d ? ByteBuffer.wrap(d.unscaledValue().toByteArray()) : value;
            case LONG:
                return value instanceof Instant i ? i.toEpochMilli() : value;
            default:
                return value;
        }
    }

    private static boolean fits(Object value, Schema branch) {
        return switch (branch.getType()) {
            case RECORD -> value instanceof SpecificRecord r && r.getSchema().getName().equals(branch.getName());
            case ENUM -> value instanceof Enum<?> e && e.getDeclaringClass().getSimpleName().equals(branch.getName());
            case STRING -> value instanceof CharSequence;
            case BYTES -> value instanceof BigDecimal || value instanceof ByteBuffer;
            case LONG -> value instanceof Long || value instanceof Instant;
            case INT -> value instanceof Integer;
            case DOUBLE -> value instanceof Double;
            case BOOLEAN -> value instanceof Boolean;
            default -> false;
        };
    }
}
