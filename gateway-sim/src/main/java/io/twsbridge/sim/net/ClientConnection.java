package io.twsbridge.sim.net;

import io.twsbridge.protocol.ProtocolException;
import io.twsbridge.protocol.ServerVersion;
import io.twsbridge.protocol.codec.ClientMessageCodec;
import io.twsbridge.protocol.codec.ServerMessageCodec;
import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.protocol.wire.Frames;
import io.twsbridge.protocol.wire.Handshake;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One accepted API socket: the handshake, the decode loop and an outbound queue with its own writer thread.
 *
 * <p>Threading: the reader thread runs the handshake and hands each decoded request to the {@link ConnectionHost};
 * any thread may {@link #send} (the market-data pump, order handling, the admin endpoint), which only enqueues,
 * so a slow or vanished client never blocks the simulator. The writer thread batches queued frames into the
 * socket and flushes when the queue is empty.
 */
public final class ClientConnection {

    private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);
    private static final DateTimeFormatter CONNECTION_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd HH:mm:ss z", Locale.US);
    /** Frames queued for a client that does not read; past this the link is dropped, as the Gateway does. */
    private static final int MAX_QUEUED_FRAMES = 500_000;
    /** Ends the writer. */
    private static final byte[] POISON = new byte[0];
    /** Makes the writer deliver everything queued before it, then close the connection. */
    private static final byte[] CLOSE_AFTER_FLUSH = new byte[0];

    private final long id;
    private final Socket socket;
    private final ConnectionHost host;
    private final PacingMonitor pacing;
    private final LinkedBlockingQueue<byte[]> outbound = new LinkedBlockingQueue<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicLong messagesReceived = new AtomicLong();
    private final Thread reader;
    private final Thread writer;
    /** Longest wait for the unread bytes {@link #close} discards. */
    private static final int DRAIN_TIMEOUT_MILLIS = 50;

    private volatile ConnectionState state = ConnectionState.HANDSHAKING;
    private volatile int clientId = -1;
    private volatile ServerMessageCodec serverCodec;
    private volatile String closeReason = "";
    private volatile boolean muted;

    public ClientConnection(long id, Socket socket, ConnectionHost host, PacingMonitor pacing) {
        this.id = id;
        this.socket = socket;
        this.host = host;
        this.pacing = pacing;
        this.reader = new Thread(this::readLoop, "sim-conn-" + id + "-reader");
        this.writer = new Thread(this::writeLoop, "sim-conn-" + id + "-writer");
        reader.setDaemon(true);
        writer.setDaemon(true);
    }

    public void start() {
        writer.start();
        reader.start();
    }

    public long id() {
        return id;
    }

    public int clientId() {
        return clientId;
    }

    public ConnectionState state() {
        return state;
    }

    public String remoteAddress() {
        return String.valueOf(socket.getRemoteSocketAddress());
    }

    public int serverVersion() {
        ServerMessageCodec codec = serverCodec;
        return codec == null ? 0 : codec.serverVersion();
    }

    public long messagesReceived() {
        return messagesReceived.get();
    }

    public long pacingViolations() {
        return pacing.violations();
    }

    /** From now on, nothing more is sent to this client (fault injection). */
    public void mute() {
        muted = true;
    }

    /** Queues a message for the client; ignored unless the API session is up. */
    public void send(ServerMessage message) {
        ServerMessageCodec codec = serverCodec;
        ConnectionState s = state;
        if (muted || codec == null || !(s == ConnectionState.ACTIVE || s == ConnectionState.AWAITING_START_API)) {
            return;
        }
        if (outbound.size() >= MAX_QUEUED_FRAMES) {
            log.warn("connection {} (client {}) does not read; dropping it", id, clientId);
            close("client does not read");
            return;
        }
        outbound.add(codec.encode(message));
    }

    /** Closes both sides, releasing the clientId. Idempotent, callable from any thread. */
    public void close(String reason) {
        synchronized (this) {
            if (state == ConnectionState.CLOSED) {
                return;
            }
            state = ConnectionState.CLOSED;
        }
        log.info("connection {} (client {}) closed: {}", id, clientId, reason);
        closed.countDown();
        outbound.clear();
        outbound.add(POISON);
        try {
            // Discard what the client sent and we did not read, so the kernel ends the link with FIN, not RST,
            // and the client still reads what we sent last. The reader thread may take those bytes between
            // available() and skip(), and skip() would then wait for more that never come (a client waiting for
            // our reply): the timeout bounds that wait, or a close from another thread could hang for ever.
            socket.setSoTimeout(DRAIN_TIMEOUT_MILLIS);
            InputStream in = socket.getInputStream();
            int pending = in.available();
            if (pending > 0) {
                in.skip(pending);
            }
        } catch (IOException e) {
            log.trace("draining connection {}", id, e);
        }
        try {
            socket.close();
        } catch (IOException e) {
            log.debug("closing connection {}", id, e);
        }
        host.onClosed(this);
    }

    /** Waits for this connection's threads to end after {@link #close}. */
    public void awaitThreads(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        reader.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        writer.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    }

    public boolean threadsAlive() {
        return reader.isAlive() || writer.isAlive();
    }

    private void readLoop() {
        try {
            InputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            if (!handshake(in)) {
                return;
            }
            ClientMessageCodec codec = new ClientMessageCodec(serverCodec.serverVersion());
            while (state != ConnectionState.CLOSED && closeReason.isEmpty()) {
                byte[] payload = Frames.readFrame(in);
                if (payload == null) {
                    clientLeft();
                    return;
                }
                messagesReceived.incrementAndGet();
                if (!checkPacing()) {
                    return;
                }
                dispatch(codec, payload);
            }
        } catch (ProtocolException e) {
            log.warn("connection {} (client {}) sent a bad frame: {}", id, clientId, e.getMessage());
            close("protocol error: " + e.getMessage());
        } catch (IOException e) {
            if (state != ConnectionState.CLOSED) {
                clientLeft();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close("interrupted");
        } catch (RuntimeException e) {
            log.error("connection {} (client {}) failed", id, clientId, e);
            close("internal error: " + e);
        }
    }

    /** Runs the handshake; false when the connection must not go on reading. */
    private boolean handshake(InputStream in) throws IOException, InterruptedException {
        Handshake.ClientHello hello = Handshake.readClientHello(in);
        if (hello == null) {
            clientLeft();
            return false;
        }
        if (host.handshakesBlocked()) {
            // What zombies do to a real Gateway: the socket is accepted, and nothing ever answers.
            state = ConnectionState.STALLED;
            log.info("connection {} stalled: handshakes are blocked while zombies exist", id);
            return false;
        }
        if (waitOrClosed(host.handshakeDelay())) {
            return false;
        }
        int max = host.maxServerVersion();
        OptionalInt negotiated = hello.negotiate(ServerVersion.MIN_SUPPORTED, max);
        int chosen = negotiated.orElse(max);
        serverCodec = ClientQuirks.codecFor(hello, chosen);
        state = ConnectionState.AWAITING_START_API;
        writeDirect(Handshake.encodeServerHello(new Handshake.ServerHello(chosen,
                ZonedDateTime.now(ZoneId.of("America/New_York")).format(CONNECTION_TIME))));
        if (negotiated.isEmpty()) {
            // The Gateway answers with its own version and leaves it to the client to refuse it.
            log.info("connection {} offered v{}..{}, outside {}..{}; closing", id, hello.minVersion(),
                    hello.maxVersion(), ServerVersion.MIN_SUPPORTED, max);
            // Flush first: close() would discard the queued version reply (and close the socket under the
            // writer), so the client would see the link end without ever learning the server's version.
            closeAfterFlush("unsupported client version range");
            return false;
        }
        return true;
    }

    private boolean checkPacing() {
        PacingMonitor.Verdict verdict = pacing.onMessage();
        if (verdict == PacingMonitor.Verdict.OK) {
            return true;
        }
        send(new ServerMessage.ErrorMessage(-1, 100, "Max rate of messages per second has been exceeded."));
        if (verdict == PacingMonitor.Verdict.DISCONNECT) {
            log.warn("connection {} (client {}) keeps exceeding the pacing limit; dropping it", id, clientId);
            closeAfterFlush("pacing limit exceeded repeatedly");
            return false;
        }
        return true;
    }

    private void dispatch(ClientMessageCodec codec, byte[] payload) throws InterruptedException {
        ClientMessage message;
        try {
            message = codec.decode(payload);
        } catch (ProtocolException.UnknownMessage | ProtocolException.UnsupportedFeature e) {
            // A request the simulator does not model: answer as the Gateway answers a request it cannot
            // validate, and keep the link.
            send(new ServerMessage.ErrorMessage(-1, 321, "Error validating request: " + e.getMessage()));
            return;
        }
        if (state == ConnectionState.AWAITING_START_API) {
            if (message instanceof ClientMessage.StartApi start) {
                startApi(start);
            } else {
                log.debug("connection {} sent {} before startApi; ignored", id, message.getClass().getSimpleName());
            }
            return;
        }
        host.onMessage(this, message);
    }

    private void startApi(ClientMessage.StartApi start) throws InterruptedException {
        clientId = start.clientId();
        if (!host.claimClientId(start.clientId(), this)) {
            clientId = -1;
            send(new ServerMessage.ErrorMessage(-1, 326, "Unable to connect as the client id is already in use. "
                    + "Retry with a unique client id."));
            closeAfterFlush("client id " + start.clientId() + " already in use");
            return;
        }
        if (waitOrClosed(host.apiDelay())) {
            return;
        }
        state = ConnectionState.ACTIVE;
        host.onApiStarted(this);
    }

    private void clientLeft() {
        if (state == ConnectionState.CLOSED) {
            return;
        }
        if (host.zombieOnDisconnect()) {
            synchronized (this) {
                if (state == ConnectionState.CLOSED) {
                    return;
                }
                state = ConnectionState.ZOMBIE;
            }
            outbound.clear();
            outbound.add(POISON);
            log.info("connection {} (client {}) left; keeping the socket open (zombie)", id, clientId);
            host.onZombie(this);
        } else {
            close("client disconnected");
        }
    }

    /** Waits {@code delay} unless the connection closes first; true when it closed. */
    private boolean waitOrClosed(Duration delay) throws InterruptedException {
        if (delay.isZero()) {
            return state == ConnectionState.CLOSED;
        }
        return closed.await(delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void writeDirect(byte[] frame) {
        outbound.add(frame);
    }

    /** Delivers what is queued, then closes; the reader stops reading at once. */
    private void closeAfterFlush(String reason) {
        closeReason = reason;
        outbound.add(CLOSE_AFTER_FLUSH);
    }

    private void writeLoop() {
        try {
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
            while (true) {
                byte[] frame = outbound.take();
                byte[] next = frame;
                do {
                    if (next == POISON) {
                        out.flush();
                        return;
                    }
                    if (next == CLOSE_AFTER_FLUSH) {
                        out.flush();
                        close(closeReason);
                        return;
                    }
                    out.write(next);
                } while ((next = outbound.poll()) != null);
                out.flush();
            }
        } catch (IOException e) {
            if (state != ConnectionState.CLOSED && state != ConnectionState.ZOMBIE) {
                log.debug("connection {} write failed: {}", id, e.toString());
                clientLeft();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
