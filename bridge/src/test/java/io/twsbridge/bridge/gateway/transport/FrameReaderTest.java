package io.twsbridge.bridge.gateway.transport;

import io.twsbridge.protocol.ProtocolException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.EOFException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Frames come out whole whatever the socket's chunking; a frame that stops half-way is refused in time. */
class FrameReaderTest {

    private ServerSocket server;
    private Socket client;
    private Socket peer;

    @BeforeEach
    void connect() throws Exception {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
        peer = server.accept();
        peer.setTcpNoDelay(true);
    }

    @AfterEach
    void close() throws Exception {
        client.close();
        peer.close();
        server.close();
    }

    @Test
    void framesOfEverySizeComeOutWholeWhateverTheChunking() throws Exception {
        SplittableRandom random = new SplittableRandom(11);
        List<byte[]> sent = new ArrayList<>();
        ByteBuffer wire = ByteBuffer.allocate(2 * 1024 * 1024);
        for (int i = 0; i < 400; i++) {
            // Mostly tick-sized frames, some larger than the reader's 64 KiB buffer, a few empty.
            int length = i % 97 == 0 ? 0 : i % 50 == 0 ? 100_000 + random.nextInt(50_000) : 1 + random.nextInt(120);
            byte[] payload = new byte[length];
            random.nextBytes(payload);
            sent.add(payload);
            wire.putInt(length).put(payload);
        }
        byte[] bytes = java.util.Arrays.copyOf(wire.array(), wire.position());
        Thread writer = new Thread(() -> {
            try {
                OutputStream out = peer.getOutputStream();
                SplittableRandom chunks = new SplittableRandom(12);
                for (int at = 0; at < bytes.length; ) {
                    int n = Math.min(bytes.length - at, 1 + chunks.nextInt(3000)); // splits prefixes and payloads
                    out.write(bytes, at, n);
                    out.flush();
                    at += n;
                }
                peer.shutdownOutput();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        writer.start();

        FrameReader reader = new FrameReader(client, Duration.ofSeconds(10).toNanos());
        List<byte[]> received = new ArrayList<>();
        for (byte[] frame = reader.next(); frame != null; frame = reader.next()) {
            received.add(frame);
        }
        writer.join();
        assertThat(received).hasSameSizeAs(sent);
        for (int i = 0; i < sent.size(); i++) {
            assertThat(received.get(i)).as("frame %d", i).isEqualTo(sent.get(i));
        }
        assertThat(reader.anyByteReceived()).isTrue();
    }

    @Test
    void aFrameThatStopsHalfWayIsRefusedAfterTheFrameTimeoutAndAnEndInsideOneIsADroppedLink() throws Exception {
        FrameReader reader = new FrameReader(client, Duration.ofMillis(300).toNanos());
        OutputStream out = peer.getOutputStream();
        out.write(ByteBuffer.allocate(4 + 3).putInt(10).put(new byte[] {1, 2, 3}).array());
        out.flush();
        long start = System.nanoTime();
        assertThatThrownBy(reader::next).isInstanceOf(ProtocolException.TruncatedMessage.class)
                .hasMessageContaining("3 of 10 bytes").hasMessageContaining("gateway.frame-timeout");
        // Not before the timeout; how long after it depends on the machine, which a test cannot bound.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));

        FrameReader next = new FrameReader(client, Duration.ofSeconds(10).toNanos());
        out.write(new byte[] {0, 0});
        out.flush();
        peer.shutdownOutput();
        assertThatThrownBy(next::next).isInstanceOf(EOFException.class).hasMessageContaining("length prefix");
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "length prefix 0x{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"7FFFFFFF", "01000000", "FFFFFFFF"})
    void aLengthPrefixOverTheProtocolsMaximumIsRefusedOnThePrefixAlone(String prefixHex) throws Exception {
        FrameReader reader = new FrameReader(client, Duration.ofSeconds(60).toNanos());
        OutputStream out = peer.getOutputStream();
        out.write(ByteBuffer.allocate(4).putInt((int) Long.parseLong(prefixHex, 16)).array());
        out.flush(); // the prefix alone: a reader that waited for the payload would wait for the frame timeout

        assertThatThrownBy(reader::next).isInstanceOf(ProtocolException.FrameTooLarge.class)
                .hasMessage("frame length " + Long.parseLong(prefixHex, 16) + " exceeds the maximum 16777215");
    }

    @Test
    void anEmptyStreamEndsCleanly() throws Exception {
        peer.shutdownOutput();
        FrameReader reader = new FrameReader(client, Duration.ofSeconds(1).toNanos());
        assertThat(reader.next()).isNull();
        assertThat(reader.anyByteReceived()).isFalse();
    }
}
