package io.twsbridge.bridge.gateway;

import io.twsbridge.protocol.codec.ClientMessageCodec;
import io.twsbridge.protocol.codec.ServerMessageCodec;
import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.protocol.wire.FieldWriter;
import io.twsbridge.protocol.wire.Frames;
import io.twsbridge.protocol.wire.Handshake;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake Gateway on a raw server socket that speaks real TWS framing and runs one script per connection: the
 * scripts play a Gateway that breaks the protocol. Written for these tests; only the project's codec is shared.
 *
 * <p>After its script, a connection waits for the bridge to close its side and records whether it did (the
 * bridge must close, never leave the peer to do it), then closes its own side at once, so that no CLOSE_WAIT
 * socket of the peer's making can be mistaken for a zombie by the bridge's probe.
 */
final class HostileGateway implements AutoCloseable {

    static final int SERVER_VERSION = 176;
    static final String ACCOUNT = "DU111111";
    /** How long a connection waits for the bridge to close after its script; far longer than any fault takes. */
    private static final Duration WAIT_FOR_CLOSE = Duration.ofSeconds(30);

    /** What the peer does on one connection. */
    interface Script {
        void run(Connection c) throws IOException;
    }

    /** One accepted connection, as its script sees it, and what it saw of the bridge. */
    static final class Connection {
        final int number;
        final long acceptedNanos;
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final ServerMessageCodec server = new ServerMessageCodec(SERVER_VERSION);
        private final ClientMessageCodec client = new ClientMessageCodec(SERVER_VERSION);
        /** When the script finished its hostile part; the bridge's reaction is timed from here. */
        volatile long faultSentNanos;
        /** When the bridge's end of stream was seen; 0 if never. */
        volatile long bridgeClosedNanos;
        /** Bytes the JVM had allocated when the fault was sent, and when the bridge's close was seen. */
        volatile long allocatedAtFault;
        volatile long allocatedAtClose;

        Connection(int number, Socket socket) throws IOException {
            this.number = number;
            this.acceptedNanos = System.nanoTime();
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
        }

        Handshake.ClientHello readHello() throws IOException {
            return Handshake.readClientHello(in);
        }

        void sendServerHello() throws IOException {
            raw(Handshake.encodeServerHello(new Handshake.ServerHello(SERVER_VERSION, "20260101 12:00:00 UTC")));
        }

        void send(ServerMessage message) throws IOException {
            raw(server.encode(message));
        }

        /** A frame of text fields, each NUL-terminated, as given (numbers or not). */
        void fields(String... fields) throws IOException {
            FieldWriter w = new FieldWriter(64);
            for (String f : fields) {
                w.string(f);
            }
            raw(w.toFrame());
        }

        void raw(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        ClientMessage read() throws IOException {
            byte[] payload = Frames.readFrame(in);
            if (payload == null) {
                throw new SocketException("the bridge closed the connection");
            }
            return client.decode(payload);
        }

        /** The whole handshake and initial sync, as a well-behaved Gateway: afterwards the bridge is READY. */
        void toReady() throws IOException {
            readHello();
            sendServerHello();
            read(); // startApi
            send(new ServerMessage.ManagedAccounts(List.of(ACCOUNT)));
            send(new ServerMessage.NextValidId(1));
            int ends = 0;
            while (ends < 5) {
                ClientMessage request = read();
                if (request instanceof ClientMessage.ReqPositions) {
                    send(new ServerMessage.PositionEnd());
                } else if (request instanceof ClientMessage.ReqAllOpenOrders) {
                    send(new ServerMessage.OpenOrderEnd());
                } else if (request instanceof ClientMessage.ReqCompletedOrders) {
                    send(new ServerMessage.CompletedOrdersEnd());
                } else if (request instanceof ClientMessage.ReqExecutions r) {
                    send(new ServerMessage.ExecDetailsEnd(r.reqId()));
                } else if (request instanceof ClientMessage.ReqAccountSummary r) {
                    send(new ServerMessage.AccountSummaryEnd(r.reqId()));
                } else {
                    continue;
                }
                ends++;
            }
        }

        void faultSent() {
            faultSentNanos = System.nanoTime();
        }

        /** Reads and drops whatever the bridge sends until it closes its side, or the wait ends. */
        void awaitBridgeClose() throws IOException {
            socket.setSoTimeout((int) WAIT_FOR_CLOSE.toMillis());
            byte[] sink = new byte[4096];
            try {
                while (in.read(sink) >= 0) {
                    // the bridge's requests and cancels: not this test's business
                }
                bridgeClosed();
            } catch (SocketTimeoutException e) {
                // the bridge never closed: left at 0 for the test to see
            } catch (SocketException e) {
                bridgeClosed(); // a reset is the bridge closing too
            }
        }

        void bridgeClosed() {
            allocatedAtClose = totalAllocatedBytes();
            bridgeClosedNanos = System.nanoTime();
        }

        /** From the end of the hostile part to the bridge's close; negative when the bridge did not close. */
        Duration reaction() {
            return bridgeClosedNanos == 0 || faultSentNanos == 0 ? Duration.ofNanos(-1)
                    : Duration.ofNanos(bridgeClosedNanos - faultSentNanos);
        }
    }

    private final ServerSocket server;
    private final Script script;
    private final Thread acceptor;
    private final AtomicInteger numbers = new AtomicInteger();
    final List<Connection> connections = new CopyOnWriteArrayList<>();
    final List<Throwable> scriptFailures = new CopyOnWriteArrayList<>();

    private HostileGateway(Script script) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.script = script;
        this.acceptor = new Thread(this::acceptLoop, "hostile-gateway-acceptor");
        acceptor.setDaemon(true);
    }

    static HostileGateway start(Script script) throws IOException {
        HostileGateway g = new HostileGateway(script);
        g.acceptor.start();
        return g;
    }

    int port() {
        return server.getLocalPort();
    }

    int accepted() {
        return connections.size();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Connection c = new Connection(numbers.incrementAndGet(), socket);
                connections.add(c);
                Thread t = new Thread(() -> serve(c, socket), "hostile-gateway-" + c.number);
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Connection c, Socket socket) {
        try (socket) {
            script.run(c);
            if (c.faultSentNanos == 0) {
                c.faultSent();
            }
            c.awaitBridgeClose();
        } catch (SocketException e) {
            // the bridge closed while the script was still talking: its close, seen early
            c.bridgeClosed();
        } catch (IOException | RuntimeException e) {
            scriptFailures.add(e);
        }
    }

    /** A farm notice, as a Gateway sends it after connect and on every farm flap. */
    static ServerMessage.ErrorMessage farmNotice(int code) {
        String text = switch (code) {
            case 2104 -> "Market data farm connection is OK:usfarm";
            case 2106 -> "HMDS data farm connection is OK:ushmds";
            default -> "Sec-def data farm connection is OK:secdefnj";
        };
        return new ServerMessage.ErrorMessage(-1, code, text, "");
    }

    /** Bytes allocated by every thread of this JVM so far (HotSpot's allocation counters). */
    static long totalAllocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getTotalThreadAllocatedBytes();
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
