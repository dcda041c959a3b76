package io.twsbridge.bench.jmh;

import io.twsbridge.protocol.ServerVersion;
import io.twsbridge.protocol.codec.ServerMessageCodec;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.Execution;
import io.twsbridge.protocol.message.Order;
import io.twsbridge.protocol.message.OrderState;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.protocol.message.ServerMessage.ExecDetails;
import io.twsbridge.protocol.message.ServerMessage.OpenOrder;
import io.twsbridge.protocol.message.ServerMessage.TickPrice;
import io.twsbridge.protocol.message.ServerMessage.TickSize;
import io.twsbridge.protocol.wire.Frames;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Server-message codec rates, one thread, at the newest server version: decoding a frame's payload (what
 * {@link Frames#readFrame} hands the session) into its record, and encoding a record into a whole frame, for the
 * two tick messages and the two largest messages the bridge reads on its order path.
 *
 * <p>The {@code baseline*} methods build the decoded tick record from values already parsed, so their B/op is the
 * allocation of "the resulting record" alone; a decoder's B/op minus its baseline's is what parsing costs on top.
 *
 * <p>Every sample is checked at setup to decode back to the record it was encoded from.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {

    /** An AAPL share as execDetails and openOrder carry it: exchange, no primaryExchange. */
    private static final Contract AAPL = new Contract(265598, "AAPL", "STK", "", null, "", "", "SMART", "", "USD",
            "AAPL", "NMS");

    private ServerMessageCodec codec;

    private TickPrice tickPrice;
    private TickSize tickSize;
    private OpenOrder openOrder;
    private ExecDetails execDetails;

    private byte[] tickPricePayload;
    private byte[] tickSizePayload;
    private byte[] openOrderPayload;
    private byte[] execDetailsPayload;

    // Non-final, so that the baselines cannot be constant-folded.
    private int reqId = 42;
    private int tickType = 1;
    private double price = 189.42;
    private long size = 300;
    private int attrMask = 3;

    @Setup
    public void setUp() {
        int sv = ServerVersion.MAX_SUPPORTED;
        codec = new ServerMessageCodec(sv);
        tickPrice = new TickPrice(42, 1, 189.42, new BigDecimal("300"), 3);
        tickSize = new TickSize(42, 8, new BigDecimal("1234567.5"));
        Order order = Order.builder("BUY", new BigDecimal("10.5"), "LMT")
                .lmtPrice(189.25).tif("DAY").account("DU111111").orderRef("cmd-7f3a").outsideRth(true)
                .goodTillDate("20261231 23:59:59 US/Eastern").modelCode("").clientId(7).permId(1_234_567_890L)
                .build();
        openOrder = new OpenOrder(1001, AAPL, order,
                new OrderState("Submitted", 1.25, 1.0, 2.5, "USD", "", "", ""));
        execDetails = new ExecDetails(-1, 1001, AAPL, new Execution("0000e0d5.6566a1b2.01.01",
                "20261128 10:31:02 America/New_York", "DU111111", "ISLAND", "BOT", new BigDecimal("10.5"), 189.21,
                1_234_567_890L, 7, 0, new BigDecimal("10.5"), 189.21, "cmd-7f3a", "", null, "", 2,
                sv >= ServerVersion.PENDING_PRICE_REVISION));

        tickPricePayload = payloadOf(tickPrice);
        tickSizePayload = payloadOf(tickSize);
        openOrderPayload = payloadOf(openOrder);
        execDetailsPayload = payloadOf(execDetails);
    }

    private byte[] payloadOf(ServerMessage message) {
        byte[] frame = codec.encode(message);
        byte[] payload = Arrays.copyOfRange(frame, Frames.LENGTH_PREFIX_BYTES, frame.length);
        ServerMessage decoded = codec.decode(payload);
        if (!decoded.equals(message)) {
            throw new IllegalStateException("sample does not round-trip: " + message + " decoded as " + decoded);
        }
        return payload;
    }

    /** Frame payload sizes in bytes, for the README. */
    public static String payloadSizes() {
        CodecBenchmark b = new CodecBenchmark();
        b.setUp();
        return "tickPrice " + b.tickPricePayload.length + " B, tickSize " + b.tickSizePayload.length
                + " B, openOrder " + b.openOrderPayload.length + " B, execDetails " + b.execDetailsPayload.length
                + " B";
    }

    // ------------------------------------------------------------------------------------------------ decode

    @Benchmark
    public ServerMessage decodeTickPrice() {
        return codec.decode(tickPricePayload);
    }

    @Benchmark
    public ServerMessage decodeTickSize() {
        return codec.decode(tickSizePayload);
    }

    @Benchmark
    public ServerMessage decodeOpenOrder() {
        return codec.decode(openOrderPayload);
    }

    @Benchmark
    public ServerMessage decodeExecDetails() {
        return codec.decode(execDetailsPayload);
    }

    // ------------------------------------------------------------------------------------------------ encode

    @Benchmark
    public byte[] encodeTickPrice() {
        return codec.encode(tickPrice);
    }

    @Benchmark
    public byte[] encodeTickSize() {
        return codec.encode(tickSize);
    }

    @Benchmark
    public byte[] encodeOpenOrder() {
        return codec.encode(openOrder);
    }

    @Benchmark
    public byte[] encodeExecDetails() {
        return codec.encode(execDetails);
    }

    // ------------------------------------------------------------------------------------------------ baselines

    /** The decoded tickPrice record alone (record plus its BigDecimal size), from values already parsed. */
    @Benchmark
    public ServerMessage baselineTickPriceRecord() {
        return new TickPrice(reqId, tickType, price, BigDecimal.valueOf(size), attrMask);
    }

    /** The decoded tickSize record alone (record plus its BigDecimal size), from values already parsed. */
    @Benchmark
    public ServerMessage baselineTickSizeRecord() {
        return new TickSize(reqId, tickType, BigDecimal.valueOf(size));
    }
}
