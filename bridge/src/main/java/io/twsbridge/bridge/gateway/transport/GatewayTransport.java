package io.twsbridge.bridge.gateway.transport;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.twsbridge.protocol.ProtocolException;
import io.twsbridge.protocol.wire.Frames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The {@link GatewayLink} over a TCP socket: reads frames on a reader thread and writes queued frames on a writer
 * thread behind the outbound rate limiter. {@link TcpGatewayConnector} makes the connection and writes the hello;
 * together they are the only code that touches the Gateway socket.
 *
 * <p>Threading contract: {@link #send} may be called from any thread and only enqueues. Frames are handed to
 * the {@link GatewayLink.Listener} on the reader thread, in order. {@link GatewayLink.Listener#onClosed} is called
 * exactly once, from whichever thread saw the end first (reader on EOF or a protocol error, writer on a write
 * error, or the caller of {@link #close}).
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
public final class GatewayTransport implements GatewayLink, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GatewayTransport.class);

    /** A queued frame; {@code paced} frames wait for the rate limiter, every frame for the hard limit. */
    private record Outbound(byte[] frame, boolean paced) {
    }

    private static final Outbound STOP = new Outbound(new byte[0], false);

    private final Socket socket;
    private final RateLimiter rateLimiter;
    private final GatewayLink.Listener listener;
    private final LinkedBlockingQueue<Outbound> outbound = new LinkedBlockingQueue<>();
    /**
     * Frames handed to {@link #send}/{@link #sendHandshake} and not yet written: those in the queue and the one
     * the writer holds while it waits for the pace or the hard limit. The queue alone cannot tell a clean close
     * that the writer still has a frame in hand.
     */
    private final AtomicInteger unsent = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Makes "not closed, so queue it" and "close, so clear the queue" exclusive (see {@link #enqueue}). */
    private final Object queueLock = new Object();
    private final SlidingWindowGuard hardLimit;
    private final Thread reader;
    private final Thread writer;
    private final String name;
    private final FrameReader frames;
    private final LinkPermit permit;

    /** A transport over {@code socket}, connected and with the hello written (see {@link TcpGatewayConnector}). */
    GatewayTransport(Socket socket, RateLimiter rateLimiter, int hardLimitPerSecond, Duration frameTimeout,
                     GatewayLink.Listener listener, String name, LinkPermit permit) throws IOException {
        this.socket = socket;
        this.permit = permit;
        this.frames = new FrameReader(socket, frameTimeout.toNanos());
        this.rateLimiter = rateLimiter;
        this.hardLimit = new SlidingWindowGuard(hardLimitPerSecond, System::nanoTime,
                nanos -> {
                    LockSupport.parkNanos(this, nanos);
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

    /** Starts the reader and the writer (see {@link GatewayLink#start()}). */
    @Override
    public void start() {
        if (closed.get()) {
            return;
        }
        writer.start();
        reader.start();
    }

    @Override
    public boolean send(byte[] frame) {
        return enqueue(new Outbound(frame, true));
    }

    /**
     * {@inheritDoc} Pacing them would add a tenth of a second to every connect.
     */
    @Override
    public boolean sendHandshake(byte[] frame) {
        return enqueue(new Outbound(frame, false));
    }

    /**
     * Takes a frame unless the link is closed. The check and the take share the close's lock: without it, a
     * sender could see the link open, a close could then clear the queue, and the frame would land behind the
     * writer's stop, dropped while its sender was told it was taken.
     */
    private boolean enqueue(Outbound frame) {
        synchronized (queueLock) {
            if (closed.get()) {
                return false;
            }
            // Counted before it is queued, so that the writer's count-down after the write never comes first.
            unsent.incrementAndGet();
            outbound.add(frame);
            return true;
        }
    }

    @Override
    public int queuedFrames() {
        return outbound.size();
    }

    @Override
    public int unsentFrames() {
        return unsent.get();
    }

    public int localPort() {
        return socket.getLocalPort();
    }

    @Override
    public boolean isClosed() {
        return closed.get();
    }

    @Override
    public boolean anyByteReceived() {
        return frames.anyByteReceived();
    }

    /**
     * Closes the socket at once; queued frames are dropped, and so is the one the writer holds. Idempotent. A
     * clean close waits first until {@link #unsentFrames()} is zero.
     */
    @Override
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
        synchronized (queueLock) {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            outbound.clear();
            outbound.add(STOP);
        }
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
