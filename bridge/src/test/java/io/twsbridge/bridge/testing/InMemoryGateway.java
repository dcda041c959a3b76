package io.twsbridge.bridge.testing;

import io.twsbridge.bridge.gateway.transport.GatewayConnector;
import io.twsbridge.bridge.gateway.transport.GatewayLink;
import io.twsbridge.protocol.ProtocolException;
import io.twsbridge.protocol.codec.ClientMessageCodec;
import io.twsbridge.protocol.codec.ServerMessageCodec;
import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.protocol.wire.Frames;
import io.twsbridge.protocol.wire.Handshake;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A Gateway in memory, for tests of the session: the {@link GatewayConnector} the session opens links with, and
 * the Gateway's end of each link ({@link Peer}), which the test drives.
 *
 * <p>Each link is a pair of byte pipes that carry real TWS bytes: the bridge's hello and its frames, encoded by the
 * bridge's codec, are read back here with {@link Handshake#readClientHello} and {@link ClientMessageCodec#decode};
 * what the test sends as the Gateway is encoded with {@link ServerMessageCodec} and cut into frames from the byte
 * stream, so partial and oversized frames behave as bytes do. Nothing here knows the session's states.
 *
 * <p>Everything happens on the caller's thread and at once: with a {@code ManualEventLoop}, a test runs the whole
 * state machine without sockets, threads or wall-clock time. The link's own methods are synchronized, so tests
 * that race senders against a close may also use it from several threads.
 */
public final class InMemoryGateway implements GatewayConnector {

    private final Deque<Object> nextOutcomes = new ArrayDeque<>();
    private final List<Peer> peers = new ArrayList<>();
    private final List<PendingAttempt> attempts = new ArrayList<>();
    private boolean holdConnects;

    /** Every later connect waits until {@link #acceptPending()} or {@link #failPending}: a Gateway slow to accept. */
    public void holdConnects() {
        holdConnects = true;
    }

    /** The next connect fails with {@code error} ({@link java.net.ConnectException} for a refused one, say). */
    public void failNextConnect(IOException error) {
        nextOutcomes.add(error);
    }

    /** Accepts the connects that {@link #holdConnects()} held, and accepts later ones at once again. */
    public void acceptPending() {
        holdConnects = false;
        for (PendingAttempt a : attempts) {
            if (!a.future.isDone() && a.abandoned == null) {
                a.accept();
            }
        }
    }

    /** Connection attempts the session made. */
    public int attempts() {
        return attempts.size();
    }

    /** Why the latest attempt was abandoned by the session; null when it was not. */
    public String lastAttemptAbandoned() {
        return attempts.isEmpty() ? null : attempts.get(attempts.size() - 1).abandoned;
    }

    /** The Gateway's end of the latest accepted link. */
    public Peer peer() {
        if (peers.isEmpty()) {
            throw new IllegalStateException("no link accepted yet");
        }
        return peers.get(peers.size() - 1);
    }

    /** The Gateway's end of every accepted link, oldest first. */
    public List<Peer> peers() {
        return List.copyOf(peers);
    }

    @Override
    public Attempt open(String name, Handshake.ClientHello hello, GatewayLink.Listener listener) {
        PendingAttempt attempt = new PendingAttempt(hello, listener);
        attempts.add(attempt);
        Object outcome = nextOutcomes.poll();
        if (outcome instanceof IOException e) {
            attempt.future.completeExceptionally(e);
        } else if (!holdConnects) {
            attempt.accept();
        }
        return attempt;
    }

    private final class PendingAttempt implements Attempt {
        final Handshake.ClientHello hello;
        final GatewayLink.Listener listener;
        final CompletableFuture<GatewayLink> future = new CompletableFuture<>();
        String abandoned;

        PendingAttempt(Handshake.ClientHello hello, GatewayLink.Listener listener) {
            this.hello = hello;
            this.listener = listener;
        }

        void accept() {
            Peer peer = new Peer(listener);
            peer.link.writeRaw(Handshake.encodeClientHello(hello));
            peers.add(peer);
            future.complete(peer.link);
        }

        @Override
        public CompletableFuture<GatewayLink> link() {
            return future;
        }

        /** As the TCP connector: a connect under way fails; a link already made is closed. */
        @Override
        public void abandon(String reason) {
            if (abandoned != null) {
                return;
            }
            abandoned = reason;
            if (!future.completeExceptionally(new IOException("attempt abandoned: " + reason))
                    && !future.isCompletedExceptionally()) {
                future.join().close("attempt abandoned: " + reason);
            }
        }
    }

    /** The Gateway's end of one link. */
    public static final class Peer {
        private final Link link;
        private ServerMessageCodec serverCodec;
        private ClientMessageCodec clientCodec;
        private int readOffset;
        private Handshake.ClientHello hello;

        Peer(GatewayLink.Listener listener) {
            this.link = new Link(listener);
        }

        /** The bridge's hello, read from the bytes it wrote first. */
        public Handshake.ClientHello hello() {
            if (hello == null) {
                ByteArrayInputStream in = new ByteArrayInputStream(link.written());
                try {
                    hello = Handshake.readClientHello(in);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                readOffset = link.written().length - in.available();
            }
            return hello;
        }

        /** Answers the hello with {@code serverVersion}; later messages in both directions use that version. */
        public Peer replyHello(int serverVersion) {
            hello();
            sendBytes(Handshake.encodeServerHello(new Handshake.ServerHello(serverVersion, "20261207 14:30:00 UTC")));
            useVersion(serverVersion);
            return this;
        }

        /** Decodes and encodes later messages as {@code serverVersion} without sending a reply (a peer that lies). */
        public void useVersion(int serverVersion) {
            serverCodec = new ServerMessageCodec(serverVersion);
            clientCodec = new ClientMessageCodec(serverVersion);
        }

        /** Sends messages as the Gateway, each encoded by the real codec. */
        public Peer send(ServerMessage... messages) {
            for (ServerMessage m : messages) {
                sendBytes(serverCodec.encode(m));
            }
            return this;
        }

        /** Sends raw bytes: a partial frame, an oversized length, a frame the codec would not write. */
        public Peer sendBytes(byte[] bytes) {
            link.arrive(bytes);
            return this;
        }

        /**
         * Hands a frame to the bridge although the link is closed: what a reader thread does that had read the
         * frame just before the close (the hand-over to the event loop and the close race).
         */
        public void sendLate(ServerMessage message) {
            byte[] frame = serverCodec.encode(message);
            link.listener.onFrame(Arrays.copyOfRange(frame, Frames.LENGTH_PREFIX_BYTES, frame.length));
        }

        /** What the bridge has sent since the hello, decoded by the real codec; each message is returned once. */
        public List<ClientMessage> received() {
            hello();
            byte[] all = link.written();
            List<ClientMessage> out = new ArrayList<>();
            ByteArrayInputStream in = new ByteArrayInputStream(all, readOffset, all.length - readOffset);
            try {
                while (in.available() > 0) {
                    out.add(clientCodec.decode(Frames.readFrame(in)));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            readOffset = all.length;
            return out;
        }

        /** The first message of {@code type} among those {@link #received()} returns now. */
        public <T extends ClientMessage> T receivedOne(Class<T> type) {
            return received().stream().filter(type::isInstance).map(type::cast).findFirst()
                    .orElseThrow(() -> new AssertionError("the bridge sent no " + type.getSimpleName()));
        }

        /** The Gateway closes the connection (the bridge's reader sees the end of the stream). */
        public void close() {
            link.end("the Gateway closed the connection", null);
        }

        /** The link ends for {@code fault}, as the bridge's transport reports a fault it detects itself. */
        public void closeWithFault(ProtocolException fault) {
            link.end("protocol fault: " + fault.getMessage(), fault);
        }

        public boolean isClosed() {
            return link.isClosed();
        }

        /** Why the link closed; null while open. */
        public String closeReason() {
            return link.closeReason();
        }
    }

    /** The bridge's end: frames it sends go into one pipe, frames the peer sends come out of the other. */
    private static final class Link implements GatewayLink {
        private final GatewayLink.Listener listener;
        private final ByteArrayOutputStream toGateway = new ByteArrayOutputStream();
        private byte[] fromGateway = new byte[0];
        private final List<byte[]> readBeforeStart = new ArrayList<>();
        private boolean started;
        private boolean anyByte;
        private String closeReason;

        Link(GatewayLink.Listener listener) {
            this.listener = listener;
        }

        synchronized void writeRaw(byte[] bytes) {
            toGateway.writeBytes(bytes);
        }

        synchronized byte[] written() {
            return toGateway.toByteArray();
        }

        /** Bytes from the Gateway: cut into frames as the transport's reader does, and delivered in order. */
        void arrive(byte[] bytes) {
            List<byte[]> frames = new ArrayList<>();
            ProtocolException fault = null;
            synchronized (this) {
                if (closeReason != null) {
                    return;
                }
                anyByte |= bytes.length > 0;
                byte[] buffer = Arrays.copyOf(fromGateway, fromGateway.length + bytes.length);
                System.arraycopy(bytes, 0, buffer, fromGateway.length, bytes.length);
                int p = 0;
                while (buffer.length - p >= Frames.LENGTH_PREFIX_BYTES) {
                    int length = ((buffer[p] & 0xFF) << 24) | ((buffer[p + 1] & 0xFF) << 16)
                            | ((buffer[p + 2] & 0xFF) << 8) | (buffer[p + 3] & 0xFF);
                    try {
                        Frames.checkLength(length);
                    } catch (ProtocolException e) {
                        fault = e;
                        break;
                    }
                    if (buffer.length - p - Frames.LENGTH_PREFIX_BYTES < length) {
                        break;
                    }
                    frames.add(Arrays.copyOfRange(buffer, p + Frames.LENGTH_PREFIX_BYTES,
                            p + Frames.LENGTH_PREFIX_BYTES + length));
                    p += Frames.LENGTH_PREFIX_BYTES + length;
                }
                fromGateway = Arrays.copyOfRange(buffer, p, buffer.length);
                if (!started) {
                    readBeforeStart.addAll(frames);
                    frames.clear();
                }
            }
            frames.forEach(listener::onFrame);
            if (fault != null) {
                end("protocol fault: " + fault.getMessage(), fault);
            }
        }

        @Override
        public void start() {
            List<byte[]> pending;
            synchronized (this) {
                if (started || closeReason != null) {
                    return;
                }
                started = true;
                pending = new ArrayList<>(readBeforeStart);
                readBeforeStart.clear();
            }
            pending.forEach(listener::onFrame);
        }

        @Override
        public synchronized boolean send(byte[] frame) {
            if (closeReason != null) {
                return false;
            }
            toGateway.writeBytes(frame);
            return true;
        }

        @Override
        public boolean sendHandshake(byte[] frame) {
            return send(frame);
        }

        /** Frames are written the moment they are taken: nothing ever waits. */
        @Override
        public int queuedFrames() {
            return 0;
        }

        @Override
        public int unsentFrames() {
            return 0;
        }

        @Override
        public synchronized boolean isClosed() {
            return closeReason != null;
        }

        synchronized String closeReason() {
            return closeReason;
        }

        @Override
        public synchronized boolean anyByteReceived() {
            return anyByte;
        }

        @Override
        public void close(String reason) {
            end(reason, null);
        }

        void end(String reason, Throwable cause) {
            synchronized (this) {
                if (closeReason != null) {
                    return;
                }
                closeReason = reason;
            }
            listener.onClosed(reason, cause);
        }
    }
}
