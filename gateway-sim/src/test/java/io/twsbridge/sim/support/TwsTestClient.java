package io.twsbridge.sim.support;

import io.twsbridge.protocol.ProtocolException;
import io.twsbridge.protocol.codec.ClientMessageCodec;
import io.twsbridge.protocol.codec.ServerMessageCodec;
import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.protocol.wire.Frames;
import io.twsbridge.protocol.wire.Handshake;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A minimal TWS API client over a real socket, built on the project's codec, for driving the simulator in
 * tests. A reader thread collects every decoded message; tests wait on them with {@link #await}.
 */
public final class TwsTestClient implements AutoCloseable {

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final BlockingQueue<ServerMessage> inbox = new LinkedBlockingQueue<>();
    private final List<ServerMessage> received = new CopyOnWriteArrayList<>();
    private volatile Handshake.ServerHello hello;
    private volatile ClientMessageCodec clientCodec;
    private volatile boolean ended;
    private volatile Throwable failure;
    private Thread reader;

    private TwsTestClient(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new BufferedInputStream(socket.getInputStream());
    }

    /** Opens the TCP connection only. */
    public static TwsTestClient open(int port) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setTcpNoDelay(true);
        return new TwsTestClient(s);
    }

    /** Opens, handshakes with {@code v157..178} and starts the API with {@code clientId}. */
    public static TwsTestClient connect(int port, int clientId) throws IOException {
        TwsTestClient c = open(port);
        c.sendHello(157, 178);
        c.readServerHello();
        c.startReader();
        c.send(new ClientMessage.StartApi(clientId, ""));
        return c;
    }

    public void sendHello(int min, int max) throws IOException {
        out.write(Handshake.encodeClientHello(new Handshake.ClientHello(min, max, "")));
        out.flush();
    }

    /** Blocks until the server-version reply arrives (or the socket's read timeout passes). */
    public Handshake.ServerHello readServerHello() throws IOException {
        byte[] payload = Frames.readFrame(in);
        if (payload == null) {
            throw new IOException("connection closed before the server-version reply");
        }
        hello = Handshake.decodeServerHello(payload);
        clientCodec = new ClientMessageCodec(Math.max(157, Math.min(178, hello.serverVersion())));
        return hello;
    }

    public Handshake.ServerHello serverHello() {
        return hello;
    }

    /** Sets the socket read timeout used by {@link #readServerHello()} and {@link #readsEndOfStream}. */
    public void readTimeout(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
    }

    /** True when the next read sees the peer's FIN (a clean close), false when data arrives instead. */
    public boolean readsEndOfStream() throws IOException {
        return in.read() < 0;
    }

    public void startReader() {
        ServerMessageCodec codec = new ServerMessageCodec(clientCodec.serverVersion());
        reader = new Thread(() -> {
            try {
                byte[] payload;
                while ((payload = Frames.readFrame(in)) != null) {
                    ServerMessage m = codec.decode(payload);
                    received.add(m);
                    inbox.add(m);
                }
            } catch (IOException | ProtocolException e) {
                if (!socket.isClosed()) {
                    failure = e;
                }
            } finally {
                ended = true;
            }
        }, "test-client-reader");
        reader.setDaemon(true);
        reader.start();
    }

    public synchronized void send(ClientMessage message) throws IOException {
        out.write(clientCodec.encode(message));
        out.flush();
    }

    /** Writes raw bytes, for hostile-input tests. */
    public synchronized void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Waits for the first not-yet-consumed message matching {@code type} and {@code match}. */
    public <T extends ServerMessage> T await(Class<T> type, Predicate<T> match, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ServerMessage> skipped = new ArrayList<>();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                ServerMessage m = left <= 0 ? null : inbox.poll(left, TimeUnit.NANOSECONDS);
                if (m == null) {
                    List<ServerMessage> all = List.copyOf(received);
                    throw new AssertionError("no " + type.getSimpleName() + " matching within " + timeout
                            + "; received " + all.size() + " messages, the last: "
                            + all.subList(Math.max(0, all.size() - 5), all.size()));
                }
                if (type.isInstance(m) && match.test(type.cast(m))) {
                    return type.cast(m);
                }
                skipped.add(m);
            }
        } finally {
            // keep unmatched messages for later awaits, in order
            List<ServerMessage> rest = new ArrayList<>();
            inbox.drainTo(rest);
            inbox.addAll(skipped);
            inbox.addAll(rest);
        }
    }

    public <T extends ServerMessage> T await(Class<T> type, Duration timeout) throws InterruptedException {
        return await(type, m -> true, timeout);
    }

    /** Waits for an error message with {@code code}. */
    public ServerMessage.ErrorMessage awaitError(int code, Duration timeout) throws InterruptedException {
        return await(ServerMessage.ErrorMessage.class, e -> e.code() == code, timeout);
    }

    /** Every message received so far. */
    public List<ServerMessage> received() {
        return List.copyOf(received);
    }

    public <T extends ServerMessage> List<T> received(Class<T> type) {
        return received.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** True once the reader saw the end of the stream (the simulator closed the link). */
    public boolean ended() {
        return ended;
    }

    public Throwable failure() {
        return failure;
    }

    public int localPort() {
        return socket.getLocalPort();
    }

    /**
     * Leaves with a TCP reset instead of a FIN (linger 0): the kernel of the other side drops its socket from
     * CLOSE_WAIT at once, whatever the process holding it does.
     */
    public void reset() throws IOException {
        socket.setSoLinger(true, 0);
        close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
        if (reader != null) {
            try {
                reader.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
