package io.twsbridge.bridge.gateway.transport;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.twsbridge.protocol.ProtocolException;
import io.twsbridge.protocol.wire.Frames;
import io.twsbridge.protocol.wire.Handshake;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The only code that touches the Gateway socket: connects, writes the hello, reads frames on a reader thread
 * and writes queued frames on a writer thread behind the outbound rate limiter.
 *
 * <p>Threading contract: {@link #send} may be called from any thread and only enqueues. Frames are handed to
 * the {@link Listener} on the reader thread, in order. {@link Listener#onClosed} is called exactly once, from
 * whichever thread saw the end first (reader on EOF or a protocol error, writer on a write error, or the
 * caller of {@link #close}).
 *
 * <p>Never a zombie of our making: when the Gateway closes its side, the reader sees the end of the stream and
 * closes this socket at once, so it never lingers in CLOSE_WAIT.
 *
 * <p>A frame must arrive whole within the frame timeout of its first byte. The Gateway writes each message at
 * once, so a frame that stops half-way (its length says N bytes, fewer come, the peer stays silent) is a broken
 * or hostile peer, and waiting for the rest would hang the link for good: it is closed as a
 * {@link ProtocolException.TruncatedMessage}. Silence between frames is not a fault: a Gateway outside market
 * hours may say nothing for a long time.
 */
public final class GatewayTransport implements AutoCloseable {

    /** Receives what the transport reads. */
    public interface Listener {
        /** One frame's payload; the first is the server-version reply. Called on the reader thread. */
        void onFrame(byte[] payload);

        /** The link is closed, for {@code reason}; {@code cause} is null for a clean end. Called once. */
        void onClosed(String reason, Throwable cause);
    }

    private static final Logger log = LoggerFactory.getLogger(GatewayTransport.class);

    /** A queued frame; {@code paced} frames wait for the rate limiter, every frame for the hard limit. */
    private record Outbound(byte[] frame, boolean paced) {
    }

    private static final Outbound STOP = new Outbound(new byte[0], false);

    private final Socket socket;
    private final RateLimiter rateLimiter;
    private final Listener listener;
    private final LinkedBlockingQueue<Outbound> outbound = new LinkedBlockingQueue<>();
    /**
     * Frames handed to {@link #send}/{@link #sendHandshake} and not yet written: those in the queue and the one
     * the writer holds while it waits for the pace or the hard limit. The queue alone cannot tell a clean close
     * that the writer still has a frame in hand.
     */
    private final AtomicInteger unsent = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final SlidingWindowGuard hardLimit;
    private final Thread reader;
    private final Thread writer;
    private final String name;
    private final FrameReader frames;
    private final LinkPermit permit;

    private GatewayTransport(Socket socket, RateLimiter rateLimiter, int hardLimitPerSecond, Duration frameTimeout,
                             Listener listener, String name, LinkPermit permit) throws IOException {
        this.socket = socket;
        this.permit = permit;
        this.frames = new FrameReader(socket, frameTimeout.toNanos());
        this.rateLimiter = rateLimiter;
        this.hardLimit = new SlidingWindowGuard(hardLimitPerSecond, System::nanoTime,
                nanos -> {
                    java.util.concurrent.locks.LockSupport.parkNanos(this, nanos);
                    if (Thread.interrupted()) {
                        throw new InterruptedException("closing");
                    }
                });
        this.listener = listener;
        this.name = name;
        this.reader = new Thread(this::readLoop, name + "-reader");
        this.writer = new Thread(this::writeLoop, name + "-writer");
        reader.setDaemon(true);
        writer.setDaemon(true);
    }

    /**
     * Connects and sends the hello. The reader and writer start at once; the first frame the listener gets is
     * the server-version reply.
     *
     * @param rateLimiter       sets the outbound pace; shared by every link of the process
     * @param hardLimitPerSecond never more frames than this in any sliding second
     * @param frameTimeout      a frame must arrive whole within this time of its first byte
     * @param pendingSocket     receives the socket before it connects, so another thread can abort the connect
     * @throws IOException when the TCP connection cannot be made in time
     */
    public static GatewayTransport connect(String host, int port, Duration connectTimeout,
                                           Handshake.ClientHello hello, RateLimiter rateLimiter,
                                           int hardLimitPerSecond, Duration frameTimeout, Listener listener,
                                           String name, java.util.function.Consumer<Socket> pendingSocket)
            throws IOException {
        return connect(host, port, connectTimeout, hello, rateLimiter, hardLimitPerSecond, frameTimeout, listener, name,
                pendingSocket, LinkPermit.ALWAYS);
    }

    /**
     * As {@link #connect(String, int, Duration, Handshake.ClientHello, RateLimiter, int, Duration, Listener, String,
     * java.util.function.Consumer)}, asking {@code permit} before the hello and before every frame: a refusal
     * closes the link with nothing more written.
     *
     * @throws IOException also when {@code permit} refuses before the hello ({@link NotPermittedException})
     */
    public static GatewayTransport connect(String host, int port, Duration connectTimeout,
                                           Handshake.ClientHello hello, RateLimiter rateLimiter,
                                           int hardLimitPerSecond, Duration frameTimeout, Listener listener,
                                           String name, java.util.function.Consumer<Socket> pendingSocket,
                                           LinkPermit permit)
            throws IOException {
        String refused = permit.refusal();
        if (refused != null) {
            throw new NotPermittedException(refused);
        }
        Socket socket = new Socket();
        pendingSocket.accept(socket);
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), (int) connectTimeout.toMillis());
            OutputStream out = socket.getOutputStream();
            refused = permit.refusal(); // the connect itself may have taken seconds
            if (refused != null) {
                throw new NotPermittedException(refused);
            }
            byte[] helloBytes = Handshake.encodeClientHello(hello);
            WireTrace.text("->", "API\\0 v" + hello.minVersion() + ".." + hello.maxVersion());
            out.write(helloBytes);
            out.flush();
        } catch (IOException | RuntimeException e) {
            closeQuietly(socket);
            throw e;
        }
        GatewayTransport transport;
        try {
            transport = new GatewayTransport(socket, rateLimiter, hardLimitPerSecond, frameTimeout, listener, name, permit);
        } catch (IOException e) {
            closeQuietly(socket);
            throw e;
        }
        transport.writer.start();
        transport.reader.start();
        return transport;
    }

    /** Queues a whole frame (length prefix included) for the writer, behind the rate limiter. Ignored once closed. */
    public void send(byte[] frame) {
        enqueue(new Outbound(frame, true));
    }

    /**
     * Queues one of the handshake's frames (startApi and the initial-sync requests). They skip the rate limiter's
     * pace: they are the first frames of a new connection, whose pacing window at the Gateway is empty, and
     * pacing them would add a tenth of a second to every connect. The hard limit still applies.
     */
    public void sendHandshake(byte[] frame) {
        enqueue(new Outbound(frame, false));
    }

    private void enqueue(Outbound frame) {
        if (!closed.get()) {
            // Counted before it is queued, so that the writer's count-down after the write never comes first.
            unsent.incrementAndGet();
            outbound.add(frame);
        }
    }

    /** Frames in the queue, waiting for the writer (the one the writer holds is not among them). */
    public int queuedFrames() {
        return outbound.size();
    }

    /**
     * Frames not yet written to the socket: those queued and the one the writer holds while it waits for the
     * pace. Zero means everything sent so far is on the socket. After a close, the frames it dropped.
     */
    public int unsentFrames() {
        return unsent.get();
    }

    public int localPort() {
        return socket.getLocalPort();
    }

    public boolean isClosed() {
        return closed.get();
    }

    /** True once the peer has sent at least one byte (the start of a frame, complete or not). */
    public boolean anyByteReceived() {
        return frames.anyByteReceived();
    }

    /**
     * Closes the socket at once; queued frames are dropped, and so is the one the writer holds. Idempotent. A
     * clean close waits first until {@link #unsentFrames()} is zero.
     */
    public void close(String reason) {
        closeWith(reason, null);
    }

    @Override
    public void close() {
        close("closed");
    }

    /** Waits for the reader and writer threads to end (after {@link #close}). */
    public void awaitThreads(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        reader.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        writer.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
    }

    private void closeWith(String reason, Throwable cause) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        outbound.clear();
        outbound.add(STOP);
        closeQuietly(socket);
        writer.interrupt();
        // INFO only: the session reports why the link ended (WARN, once), with what it means for the attempt.
        log.info("gateway link {} closed: {}", name, reason);
        try {
            listener.onClosed(reason, cause);
        } catch (RuntimeException e) {
            // The reader or writer thread is ending anyway; a failing listener must not end it with a stack trace.
            log.debug("gateway link {}: close listener failed", name, e);
        }
    }

    private void readLoop() {
        try {
            while (!closed.get()) {
                byte[] payload = frames.next();
                if (payload == null) {
                    closeWith("the Gateway closed the connection", null);
                    return;
                }
                WireTrace.payload("<-", payload, 0, payload.length);
                listener.onFrame(payload);
            }
        } catch (ProtocolException e) {
            closeWith("protocol fault: " + e.getMessage(), e);
        } catch (IOException e) {
            closeWith(closed.get() ? "closed" : "read failed: " + e.getMessage(), closed.get() ? null : e);
        } catch (RuntimeException e) {
            closeWith("frame handling failed: " + e, e);
        }
    }

    private void writeLoop() {
        try {
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
            while (!closed.get()) {
                Outbound next = outbound.take();
                if (next == STOP) {
                    return;
                }
                if (next.paced() && !rateLimiter.acquirePermission()) {
                    return; // interrupted while waiting: closing
                }
                hardLimit.acquire();
                // Asked last, after any wait for the pace: the permit may have lapsed meanwhile.
                String refused = permit.refusal();
                if (refused != null) {
                    closeWith("nothing more sent: " + refused, null);
                    return;
                }
                byte[] frame = next.frame();
                WireTrace.payload("->", frame, Frames.LENGTH_PREFIX_BYTES, frame.length - Frames.LENGTH_PREFIX_BYTES);
                out.write(frame);
                out.flush(); // paced at <= 50 frames a second: a flush each costs nothing and adds no delay
                unsent.decrementAndGet();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            closeWith(closed.get() ? "closed" : "write failed", closed.get() ? null : e);
        }
    }

    /** The {@link LinkPermit} refused before anything was written. */
    public static final class NotPermittedException extends IOException {
        private static final long serialVersionUID = 1L;

        NotPermittedException(String refusal) {
            super("not permitted to write to the Gateway: " + refusal);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            log.debug("closing the gateway socket", e);
        }
    }
}
