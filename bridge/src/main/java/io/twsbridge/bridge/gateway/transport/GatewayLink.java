package io.twsbridge.bridge.gateway.transport;

/**
 * One open link to the Gateway, as the session sees it: frames in, frames out, and one end.
 *
 * <p>{@link GatewayTransport} is the link over a TCP socket; tests use one over in-memory pipes that speaks the
 * same frames, so the session's state machine runs without sockets or wall-clock time.
 *
 * <p>Threading contract, for every implementation: {@link #send} and {@link #sendHandshake} may be called from
 * any thread, concurrently with {@link #close}, and their answer is exact: a frame for which they return true
 * was taken before the link closed, so it is either written or counted in {@link #unsentFrames()} after the
 * close; a frame for which they return false was taken by nobody. {@link Listener#onFrame} is called in order,
 * from one thread, and never before {@link #start()}; {@link Listener#onClosed} exactly once.
 */
public interface GatewayLink {

    /** Receives what the link reads. */
    interface Listener {
        /** One frame's payload; the first is the server-version reply. */
        void onFrame(byte[] payload);

        /** The link is closed, for {@code reason}; {@code cause} is null for a clean end. Called once. */
        void onClosed(String reason, Throwable cause);
    }

    /**
     * Begins reading and writing. Frames reach the listener only from here on, so that whoever opened the link
     * has recorded it before its first frame arrives. Does nothing on a closed link.
     */
    void start();

    /**
     * Queues a whole frame (length prefix included) behind the outbound pace.
     *
     * @return false, with nothing queued, when the link is closed
     */
    boolean send(byte[] frame);

    /**
     * Queues one of the handshake's frames (startApi and the initial-sync requests), which skip the pace but not
     * the hard limit: they are the first frames of a connection, whose pacing window at the Gateway is empty.
     *
     * @return false, with nothing queued, when the link is closed
     */
    boolean sendHandshake(byte[] frame);

    /** Frames waiting in the queue (a frame the writer holds is not among them). */
    int queuedFrames();

    /**
     * Frames taken and not yet written: queued or held by the writer. Zero means everything taken is written.
     * After a close, the frames it dropped.
     */
    int unsentFrames();

    boolean isClosed();

    /** True once the peer has sent at least one byte (the start of a frame, complete or not). */
    boolean anyByteReceived();

    /** Closes at once; what is unsent is dropped (and counted). Idempotent. */
    void close(String reason);
}
