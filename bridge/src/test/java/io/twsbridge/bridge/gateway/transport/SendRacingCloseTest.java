package io.twsbridge.bridge.gateway.transport;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.twsbridge.protocol.ProtocolException;
import io.twsbridge.protocol.wire.FieldReader;
import io.twsbridge.protocol.wire.FieldWriter;
import io.twsbridge.protocol.wire.Frames;
import io.twsbridge.protocol.wire.Handshake;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Senders on several threads race a close of the link, over a real socket, many times. What a sender is told
 * must be the truth: a frame the link took ({@code send} answered true) reached the peer or is counted among the
 * frames the close dropped; a frame it refused never reached the peer. No frame is reported taken and then lost
 * without a count.
 */
class SendRacingCloseTest {

    private static final Logger log = LoggerFactory.getLogger(SendRacingCloseTest.class);
    private static final int ROUNDS = 100;
    private static final int SENDERS = 4;
    private static final int FRAMES_PER_SENDER = 400;
    /** Fast enough that the writer is busy when the close comes, so all three fates of a frame occur. */
    private static final RateLimiter UNPACED = RateLimiter.of("unpaced", RateLimiterConfig.custom()
            .limitForPeriod(1_000_000).limitRefreshPeriod(Duration.ofMillis(1)).timeoutDuration(Duration.ofDays(1))
            .build());

    @Test
    void everyFrameSendReportedTakenIsWrittenOrCountedAsDroppedAndNoRefusedFrameIsWritten() throws Exception {
        long taken = 0;
        long refused = 0;
        long written = 0;
        long dropped = 0;
        for (int round = 0; round < ROUNDS; round++) {
            Round r = race();
            taken += r.taken.size();
            refused += r.refused.size();
            written += r.written.size();
            dropped += r.dropped;

            assertThat(r.written).as("round %d: every frame the peer got was reported taken", round)
                    .isSubsetOf(r.taken);
            assertThat(r.written.size() + r.dropped).as("round %d: taken = written + counted as dropped", round)
                    .isEqualTo(r.taken.size());
            for (int id : r.refused) {
                assertThat(r.written).as("round %d: a refused frame", round).doesNotContain(id);
            }
            assertThat(r.inOrder).as("round %d: each sender's frames arrived in its order", round).isTrue();
        }
        log.info("send racing close, {} rounds: {} frames taken ({} written, {} counted as dropped by the close), "
                + "{} refused", ROUNDS, taken, written, dropped, refused);
        assertThat(refused).as("the close came while senders were sending (else nothing raced)").isPositive();
        assertThat(written).as("frames were written before the close").isPositive();
    }

    private record Round(Set<Integer> taken, Set<Integer> refused, Set<Integer> written, int dropped,
                         boolean inOrder) {
    }

    private Round race() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            GatewayTransport link = TcpLinks.open(server.getLocalPort(), UNPACED, 1_000_000, LinkPermit.ALWAYS,
                    new GatewayLink.Listener() {
                        @Override
                        public void onFrame(byte[] payload) {
                        }

                        @Override
                        public void onClosed(String reason, Throwable cause) {
                        }
                    }, "race");
            try (Socket peer = server.accept()) {
                peer.setSoTimeout(10_000);
                List<Integer> arrived = new ArrayList<>();
                Thread reader = new Thread(() -> readUntilTheEnd(peer, arrived), "race-peer");
                reader.start();

                ConcurrentLinkedQueue<Integer> taken = new ConcurrentLinkedQueue<>();
                ConcurrentLinkedQueue<Integer> refused = new ConcurrentLinkedQueue<>();
                AtomicInteger attempts = new AtomicInteger();
                int closeAfter = ThreadLocalRandom.current().nextInt(SENDERS * FRAMES_PER_SENDER);
                CountDownLatch go = new CountDownLatch(1);
                List<Thread> senders = new ArrayList<>();
                for (int s = 0; s < SENDERS; s++) {
                    int sender = s;
                    Thread t = new Thread(() -> {
                        await(go);
                        for (int i = 0; i < FRAMES_PER_SENDER; i++) {
                            int id = sender * 1_000_000 + i;
                            (link.send(frame(id)) ? taken : refused).add(id);
                            attempts.incrementAndGet();
                        }
                    }, "race-sender-" + s);
                    t.start();
                    senders.add(t);
                }
                Thread closer = new Thread(() -> {
                    await(go);
                    while (attempts.get() < closeAfter) {
                        Thread.onSpinWait(); // a busy wait on purpose: the close must land among the sends
                    }
                    link.close("racing the senders");
                }, "race-closer");
                closer.start();
                go.countDown();
                for (Thread t : senders) {
                    t.join();
                }
                closer.join();
                link.awaitThreads(Duration.ofSeconds(10));
                reader.join(TimeUnit.SECONDS.toMillis(15));
                assertThat(reader.isAlive()).as("the peer saw the end of the stream").isFalse();

                boolean inOrder = true;
                int[] last = new int[SENDERS];
                java.util.Arrays.fill(last, -1);
                for (int id : arrived) {
                    int sender = id / 1_000_000;
                    inOrder &= id % 1_000_000 > last[sender];
                    last[sender] = id % 1_000_000;
                }
                return new Round(new HashSet<>(taken), new HashSet<>(refused), new HashSet<>(arrived),
                        link.unsentFrames(), inOrder);
            }
        }
    }

    private static void readUntilTheEnd(Socket peer, List<Integer> arrived) {
        try {
            InputStream in = peer.getInputStream();
            Handshake.readClientHello(in);
            byte[] payload;
            while ((payload = Frames.readFrame(in)) != null) {
                FieldReader r = FieldReader.of(payload);
                r.int32(); // message id
                arrived.add(r.int32());
            }
        } catch (ProtocolException.TruncatedMessage | EOFException | SocketException e) {
            // the close cut a frame short: that frame was not written whole, and the link counts it as unsent
        } catch (IOException e) {
            throw new AssertionError("the peer could not read", e);
        }
    }

    private static byte[] frame(int id) {
        return new FieldWriter(16).int32(49).int32(id).toFrame();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
