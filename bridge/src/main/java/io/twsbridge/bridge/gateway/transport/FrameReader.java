package io.twsbridge.bridge.gateway.transport;

import io.twsbridge.protocol.ProtocolException;
import io.twsbridge.protocol.wire.Frames;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Reads length-prefixed frames from the Gateway socket through a buffer of its own, enforcing the frame timeout:
 * a frame must arrive whole within that time of its first byte; silence between frames is never a fault.
 *
 * <p>The reader knows how many bytes it holds, so the socket is asked for more only when the buffer is empty
 * (once per up to 64 KiB at market-data rates, not once per frame), and only a read in the middle of a frame
 * carries the timeout. The length is checked before anything is allocated, and a payload larger than what has
 * arrived grows only as its bytes come, so an announced length costs nothing until it is actually sent.
 *
 * <p>Reader thread only.
 */
final class FrameReader {

    private static final int BUFFER_BYTES = 64 * 1024;
    /** First payload buffer for a frame not yet buffered whole; larger ones grow as their bytes arrive. */
    private static final int INITIAL_PAYLOAD_BUFFER = 8 * 1024;

    private final Socket socket;
    private final InputStream in;
    private final long frameTimeoutNanos;
    private final byte[] buffer = new byte[BUFFER_BYTES];
    private int position;
    private int limit;
    /** True while the socket's read timeout is set for the rest of a frame. */
    private boolean timeoutSet;
    private volatile boolean anyByteReceived;

    FrameReader(Socket socket, long frameTimeoutNanos) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.frameTimeoutNanos = frameTimeoutNanos;
    }

    /** True once the peer has sent at least one byte. */
    boolean anyByteReceived() {
        return anyByteReceived;
    }

    /** The next frame's payload, or null at a clean end of stream (between frames). */
    byte[] next() throws IOException {
        if (position == limit && !fillBetweenFrames()) {
            return null;
        }
        anyByteReceived = true;
        long deadline = System.nanoTime() + frameTimeoutNanos;
        int length = 0;
        for (int i = 0; i < Frames.LENGTH_PREFIX_BYTES; i++) {
            if (position == limit) {
                fillWithin(deadline, "length prefix", i, Frames.LENGTH_PREFIX_BYTES);
            }
            length = (length << 8) | (buffer[position++] & 0xFF);
        }
        Frames.checkLength(length);
        if (limit - position >= length) {
            // The common case: the whole frame is already here.
            byte[] payload = Arrays.copyOfRange(buffer, position, position + length);
            position += length;
            return payload;
        }
        byte[] payload = new byte[Math.min(length, Math.max(INITIAL_PAYLOAD_BUFFER, limit - position))];
        int read = 0;
        while (read < length) {
            if (position == limit) {
                fillWithin(deadline, "payload of " + length + " bytes", read, length);
            }
            if (read == payload.length) {
                payload = Arrays.copyOf(payload, (int) Math.min(length, 2L * payload.length));
            }
            int n = Math.min(limit - position, payload.length - read);
            System.arraycopy(buffer, position, payload, read, n);
            position += n;
            read += n;
        }
        return payload;
    }

    /** Waits without limit for the next frame's first bytes; false at the end of the stream. */
    private boolean fillBetweenFrames() throws IOException {
        if (timeoutSet) {
            socket.setSoTimeout(0);
            timeoutSet = false;
        }
        int n = in.read(buffer, 0, buffer.length);
        if (n < 0) {
            return false;
        }
        position = 0;
        limit = n;
        return true;
    }

    /** Reads more of a frame under way, by {@code deadline}. */
    private void fillWithin(long deadline, String what, int got, int wanted) throws IOException {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            throw incomplete(what, got, wanted);
        }
        socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
        timeoutSet = true;
        int n;
        try {
            n = in.read(buffer, 0, buffer.length);
        } catch (SocketTimeoutException e) {
            throw incomplete(what, got, wanted);
        }
        if (n < 0) {
            // The peer went away mid-frame (a crash, a cable): a dropped link, not a peer that breaks the protocol.
            throw new EOFException("the Gateway closed the connection inside a frame's " + what + " after " + got
                    + " of " + wanted + " bytes");
        }
        position = 0;
        limit = n;
    }

    private ProtocolException.TruncatedMessage incomplete(String what, int got, int wanted) {
        return new ProtocolException.TruncatedMessage("frame incomplete: " + got + " of " + wanted + " bytes of its "
                + what + " arrived within " + TimeUnit.NANOSECONDS.toMillis(frameTimeoutNanos)
                + " ms of its first byte (gateway.frame-timeout)");
    }
}
