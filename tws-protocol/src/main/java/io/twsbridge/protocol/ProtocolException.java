package io.twsbridge.protocol;

/**
 * A violation of the TWS protocol found while reading or writing the wire.
 *
 * <p>Every decoding failure surfaces as one of these subtypes, never as a stray runtime exception or an
 * OutOfMemoryError, so that the owner of a link can close it cleanly and say why. The subtypes are sealed:
 * a caller can switch over them exhaustively.
 */
public abstract sealed class ProtocolException extends RuntimeException
        permits ProtocolException.FrameTooLarge, ProtocolException.MalformedField,
        ProtocolException.TruncatedMessage, ProtocolException.UnknownMessage,
        ProtocolException.UnsupportedVersion, ProtocolException.UnsupportedFeature,
        ProtocolException.BadHandshake {

    private static final long serialVersionUID = 1L;

    protected ProtocolException(String message) {
        super(message);
    }

    protected ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A length prefix that is negative or larger than the protocol's maximum frame. */
    public static final class FrameTooLarge extends ProtocolException {
        private static final long serialVersionUID = 1L;

        public FrameTooLarge(String message) {
            super(message);
        }
    }

    /** A field whose text does not parse as the type its position requires. */
    public static final class MalformedField extends ProtocolException {
        private static final long serialVersionUID = 1L;

        public MalformedField(String message, Throwable cause) {
            super(message, cause);
        }

        public MalformedField(String message) {
            super(message);
        }
    }

    /** A message with fewer fields than its layout needs, or a frame missing its final NUL. */
    public static final class TruncatedMessage extends ProtocolException {
        private static final long serialVersionUID = 1L;

        public TruncatedMessage(String message) {
            super(message);
        }
    }

    /** A message id the codec does not know. */
    public static final class UnknownMessage extends ProtocolException {
        private static final long serialVersionUID = 1L;
        private final int messageId;

        public UnknownMessage(int messageId) {
            super("unknown message id " + messageId);
            this.messageId = messageId;
        }

        public int messageId() {
            return messageId;
        }
    }

    /** A server version outside the supported range. */
    public static final class UnsupportedVersion extends ProtocolException {
        private static final long serialVersionUID = 1L;

        public UnsupportedVersion(String message) {
            super(message);
        }
    }

    /** A well-formed message using a part of the protocol this codec does not model (combo legs, say). */
    public static final class UnsupportedFeature extends ProtocolException {
        private static final long serialVersionUID = 1L;

        public UnsupportedFeature(String message) {
            super(message);
        }
    }

    /** Handshake bytes that are not the TWS API prefix and version range. */
    public static final class BadHandshake extends ProtocolException {
        private static final long serialVersionUID = 1L;

        public BadHandshake(String message) {
            super(message);
        }
    }
}
