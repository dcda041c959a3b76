package io.twsbridge.protocol.wire;

import io.twsbridge.protocol.ProtocolException;

import java.io.IOException;
import java.io.InputStream;

/**
 * The TWS frame: a 4-byte big-endian length, then that many payload bytes of NUL-terminated text fields.
 *
 * <p>Reading guards the length before allocating anything, so a hostile or corrupted prefix ends in
 * {@link ProtocolException.FrameTooLarge} and never in an OutOfMemoryError.
 */
public final class Frames {

    /** Bytes in the length prefix. */
    public static final int LENGTH_PREFIX_BYTES = 4;
    /** Largest payload IB's own clients accept; a longer prefix is a protocol error, not a reason to allocate. */
    public static final int MAX_FRAME_LENGTH = 0xFFFFFF;

    private Frames() {
    }

    /**
     * Reads one frame's payload from a blocking stream.
     *
     * @return the payload, or {@code null} when the stream ended cleanly before a new frame began
     * @throws ProtocolException.FrameTooLarge when the prefix is negative or above {@link #MAX_FRAME_LENGTH}
     * @throws ProtocolException.TruncatedMessage when the stream ends inside a frame
     * @throws IOException when the stream fails
     */
    public static byte[] readFrame(InputStream in) throws IOException {
        int b0 = in.read();
        if (b0 < 0) {
            return null;
        }
        int b1 = in.read();
        int b2 = in.read();
        int b3 = in.read();
        if ((b1 | b2 | b3) < 0) {
            throw new ProtocolException.TruncatedMessage("stream ended inside a length prefix");
        }
        int length = (b0 << 24) | (b1 << 16) | (b2 << 8) | b3;
        checkLength(length);
        // readNBytes grows its buffer as bytes arrive, so a peer that announces a large frame and then stalls
        // or disconnects costs only what it actually sent.
        byte[] payload = in.readNBytes(length);
        if (payload.length < length) {
            throw new ProtocolException.TruncatedMessage(
                    "stream ended after " + payload.length + " of " + length + " payload bytes");
        }
        return payload;
    }

    /** Throws unless {@code length} is a payload length a peer may legitimately send. */
    public static void checkLength(int length) {
        if (length < 0 || length > MAX_FRAME_LENGTH) {
            throw new ProtocolException.FrameTooLarge(
                    "frame length " + Integer.toUnsignedString(length) + " exceeds the maximum " + MAX_FRAME_LENGTH);
        }
    }
}
