package io.twsbridge.protocol.wire;

import io.twsbridge.protocol.ProtocolException;
import io.twsbridge.protocol.codec.ClientMessageCodec;
import io.twsbridge.protocol.codec.ServerMessageCodec;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Hostile and broken input reaches the decoders: random bytes, every truncation of real frames, absurd length
 * prefixes and non-numeric fields. The only acceptable outcomes are a decoded message or a
 * {@link ProtocolException}; nothing may hang or allocate what a peer merely announced.
 */
class DecoderFuzzTest {

    private static final int[] VERSIONS = {157, 165, 176, 178};
    private static final long SEED = 20261128L;

    @Test
    void randomPayloadsOnlyEverRaiseProtocolErrors() {
        SplittableRandom random = new SplittableRandom(SEED);
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            payloads.add(randomPayload(random));
        }
        int decoded = assertOnlyProtocolErrors(payloads);
        // Some random payloads do form valid messages (e.g. "5\0" is reqOpenOrders): the fuzzer reached the codecs.
        assertThat(decoded).isPositive();
    }

    @Test
    void everyTruncationOfARealFrameIsATypedError() {
        List<byte[]> truncated = new ArrayList<>();
        for (byte[] frame : realFrames()) {
            byte[] payload = java.util.Arrays.copyOfRange(frame, 4, frame.length);
            for (int cut = 0; cut < payload.length; cut++) {
                truncated.add(java.util.Arrays.copyOf(payload, cut));
            }
        }
        assertOnlyProtocolErrors(truncated);
    }

    @Test
    void aNonNumericFieldWhereANumberBelongsIsAMalformedField() {
        List<byte[]> corrupted = new ArrayList<>();
        for (byte[] frame : realFrames()) {
            String text = new String(frame, 4, frame.length - 4, StandardCharsets.UTF_8);
            String[] fields = text.split("\u0000", -1);
            for (int i = 1; i < fields.length - 1; i++) {
                String[] copy = fields.clone();
                copy[i] = "x7!";
                corrupted.add(String.join("\u0000", copy).getBytes(StandardCharsets.UTF_8));
            }
        }
        assertOnlyProtocolErrors(corrupted);
        Throwable t = catchThrowable(() -> new ServerMessageCodec(176).decode(
                "9\u00001\u0000twelve\u0000".getBytes(StandardCharsets.US_ASCII)));
        assertThat(t).isInstanceOf(ProtocolException.MalformedField.class).hasMessageContaining("field 2");
    }

    @Test
    void oversizedAndNegativeLengthPrefixesAreRejectedBeforeAllocating() {
        for (int length : new int[] {-1, Integer.MIN_VALUE, Frames.MAX_FRAME_LENGTH + 1, Integer.MAX_VALUE}) {
            byte[] prefix = {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length};
            assertThatThrownBy(() -> Frames.readFrame(new ByteArrayInputStream(prefix)))
                    .isInstanceOf(ProtocolException.FrameTooLarge.class);
        }
    }

    @Test
    void aLargeAnnouncedFrameThatNeverArrivesCostsOnlyWhatWasSent() {
        // 16 MiB announced, 10 bytes sent: the reader must fail on the missing bytes, not allocate 16 MiB first.
        byte[] stream = {0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, '1', 0, '2', 0, '3', 0, '4', 0, '5', 0};
        InputStream in = new ByteArrayInputStream(stream);
        long before = allocatedBytes();
        assertThatThrownBy(() -> Frames.readFrame(in)).isInstanceOf(ProtocolException.TruncatedMessage.class);
        long allocated = allocatedBytes() - before;
        assertThat(allocated).as("bytes allocated while reading").isLessThan(4L * 1024 * 1024);
    }

    @Test
    void aStreamOfRandomFramesEndsInATypedErrorOrACleanEnd() {
        SplittableRandom random = new SplittableRandom(SEED + 1);
        for (int run = 0; run < 500; run++) {
            byte[] bytes = new byte[random.nextInt(1, 400)];
            random.nextBytes(bytes);
            assertTimeoutPreemptively(Duration.ofSeconds(5), () -> drain(new ByteArrayInputStream(bytes)));
        }
    }

    @Test
    void badHandshakesAreTypedErrors() {
        List<byte[]> hellos = List.of(
                "GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII),
                new byte[] {'A', 'P', 'I', 0, 0x7F, 0, 0, 0},
                new byte[] {'A', 'P', 'I', 0, 0, 0, 0, 5, 'v', '1', '7', '8'},
                new byte[] {'A', 'P', 'I', 0, 0, 0, 0, 4, 'v', 'x', '.', '.'},
                new byte[] {'A', 'P', 'I', 0, 0, 0, 0, 9, 'v', '1', '7', '8', '.', '.', '1', '5', '7'});
        for (byte[] hello : hellos) {
            assertThatThrownBy(() -> Handshake.readClientHello(new ByteArrayInputStream(hello)))
                    .isInstanceOf(ProtocolException.class);
        }
    }

    private static void drain(InputStream in) throws IOException {
        ServerMessageCodec codec = new ServerMessageCodec(176);
        try {
            byte[] payload;
            while ((payload = Frames.readFrame(in)) != null) {
                try {
                    codec.decode(payload);
                } catch (ProtocolException expected) {
                    // a typed error for a bad frame is the contract; keep reading the next one
                }
            }
        } catch (ProtocolException expected) {
            // a bad prefix or truncation ends the stream with a typed error
        }
    }

    private static int assertOnlyProtocolErrors(List<byte[]> payloads) {
        int[] decoded = {0};
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int sv : VERSIONS) {
                ServerMessageCodec server = new ServerMessageCodec(sv);
                ClientMessageCodec client = new ClientMessageCodec(sv);
                for (byte[] payload : payloads) {
                    decoded[0] += tryDecode(payload, server::decode);
                    decoded[0] += tryDecode(payload, client::decode);
                }
            }
        });
        return decoded[0];
    }

    private static int tryDecode(byte[] payload, Consumer<byte[]> decoder) {
        try {
            decoder.accept(payload);
            return 1;
        } catch (ProtocolException expected) {
            return 0;
        } catch (RuntimeException | Error e) {
            throw new AssertionError("untyped failure on payload " + printable(payload), e);
        }
    }

    private static byte[] randomPayload(SplittableRandom random) {
        int kind = random.nextInt(3);
        int length = random.nextInt(0, 200);
        StringBuilder sb = new StringBuilder();
        if (kind == 0) {
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            return bytes;
        }
        // Field-shaped noise: a plausible message id, then random numeric-ish or text fields.
        int[] ids = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 15, 16, 17, 20, 25, 49, 50, 51, 52, 53, 54, 55, 57, 58, 59, 61,
                62, 63, 64, 71, 81, 87, 88, 90, 99, 101, 102, 7777};
        sb.append(ids[random.nextInt(ids.length)]).append('\0');
        int fields = random.nextInt(0, kind == 1 ? 8 : 140);
        for (int i = 0; i < fields; i++) {
            switch (random.nextInt(6)) {
                case 0 -> sb.append("");
                case 1 -> sb.append(random.nextInt(-5, 1000));
                case 2 -> sb.append("1.7976931348623157E308");
                case 3 -> sb.append("2147483647");
                case 4 -> sb.append(random.nextInt(-3, 3)).append('.').append(random.nextInt(100));
                default -> sb.append("None");
            }
            sb.append('\0');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static List<byte[]> realFrames() {
        List<byte[]> frames = new ArrayList<>();
        for (int sv : VERSIONS) {
            ServerMessageCodec server = new ServerMessageCodec(sv);
            ClientMessageCodec client = new ClientMessageCodec(sv);
            io.twsbridge.protocol.codec.FuzzSamples.serverMessages(sv).forEach(m -> frames.add(server.encode(m)));
            io.twsbridge.protocol.codec.FuzzSamples.clientMessages(sv).forEach(m -> frames.add(client.encode(m)));
        }
        return frames;
    }

    private static String printable(byte[] payload) {
        return new String(payload, StandardCharsets.ISO_8859_1).replace('\0', '|');
    }

    private static long allocatedBytes() {
        java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
        if (bean instanceof com.sun.management.ThreadMXBean sun) {
            return sun.getThreadAllocatedBytes(Thread.currentThread().getId());
        }
        return 0;
    }
}
