package io.twsbridge.protocol.wire;

import io.twsbridge.protocol.ProtocolException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The connection handshake, the only exchange that is not a plain frame of fields.
 *
 * <p>The client sends the raw bytes {@code API\0} (no length), then a length-prefixed version range
 * {@code v<min>..<max>} without a trailing NUL, optionally followed by a space and connect options such as
 * {@code +PACEAPI}. The server answers with an ordinary frame of exactly two fields: the chosen server version
 * and its connection time.
 */
public final class Handshake {

    /** The four bytes every client sends first. */
    private static final byte[] API_PREFIX = {'A', 'P', 'I', 0};
    /** Generous bound on the version-range text; real clients send about 10 bytes. */
    private static final int MAX_HELLO_LENGTH = 1024;
    private static final Pattern VERSION_RANGE = Pattern.compile("v(\\d{1,9})(?:\\.\\.(\\d{1,9}))?(?: (.*))?");

    private Handshake() {
    }

    /** What a client offers: the versions it can speak and its connect options ("" when none). */
    public record ClientHello(int minVersion, int maxVersion, String connectOptions) {

        public ClientHello {
            if (minVersion > maxVersion) {
                throw new IllegalArgumentException("min version " + minVersion + " > max version " + maxVersion);
            }
            connectOptions = connectOptions == null ? "" : connectOptions;
        }

        /** The highest version both sides speak, or empty when the ranges do not meet. */
        public OptionalInt negotiate(int serverMinVersion, int serverMaxVersion) {
            int chosen = Math.min(maxVersion, serverMaxVersion);
            return chosen >= Math.max(minVersion, serverMinVersion) ? OptionalInt.of(chosen) : OptionalInt.empty();
        }
    }

    /** What the server answers: the negotiated version and its connection time (opaque text). */
    public record ServerHello(int serverVersion, String connectionTime) {
    }

    /** The client's opening bytes: prefix, length, version range. */
    public static byte[] encodeClientHello(ClientHello hello) {
        String text = "v" + hello.minVersion() + ".." + hello.maxVersion()
                + (hello.connectOptions().isEmpty() ? "" : " " + hello.connectOptions());
        byte[] body = text.getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(API_PREFIX, API_PREFIX.length + Frames.LENGTH_PREFIX_BYTES + body.length);
        int p = API_PREFIX.length;
        out[p] = (byte) (body.length >>> 24);
        out[p + 1] = (byte) (body.length >>> 16);
        out[p + 2] = (byte) (body.length >>> 8);
        out[p + 3] = (byte) body.length;
        System.arraycopy(body, 0, out, p + Frames.LENGTH_PREFIX_BYTES, body.length);
        return out;
    }

    /**
     * Reads a client's opening bytes.
     *
     * @return the hello, or {@code null} when the peer closed the stream before sending anything
     * @throws ProtocolException.BadHandshake when the bytes are not a TWS API hello
     */
    public static ClientHello readClientHello(InputStream in) throws IOException {
        byte[] prefix = in.readNBytes(API_PREFIX.length);
        if (prefix.length == 0) {
            return null;
        }
        if (!Arrays.equals(prefix, API_PREFIX)) {
            throw new ProtocolException.BadHandshake("connection did not start with the API prefix");
        }
        byte[] lengthBytes = in.readNBytes(Frames.LENGTH_PREFIX_BYTES);
        if (lengthBytes.length < Frames.LENGTH_PREFIX_BYTES) {
            throw new ProtocolException.TruncatedMessage("stream ended inside the handshake length");
        }
        int length = ((lengthBytes[0] & 0xFF) << 24) | ((lengthBytes[1] & 0xFF) << 16)
                | ((lengthBytes[2] & 0xFF) << 8) | (lengthBytes[3] & 0xFF);
        if (length <= 0 || length > MAX_HELLO_LENGTH) {
            throw new ProtocolException.BadHandshake("version range length " + Integer.toUnsignedString(length)
                    + " is outside 1.." + MAX_HELLO_LENGTH);
        }
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
            throw new ProtocolException.TruncatedMessage("stream ended inside the version range");
        }
        return parseVersionRange(new String(body, StandardCharsets.US_ASCII));
    }

    /** Parses {@code v<min>..<max>[ options]}; a lone {@code v<n>} offers exactly one version. */
    public static ClientHello parseVersionRange(String text) {
        Matcher m = VERSION_RANGE.matcher(text);
        if (!m.matches()) {
            throw new ProtocolException.BadHandshake("not a version range: '" + printable(text) + "'");
        }
        int min = Integer.parseInt(m.group(1));
        int max = m.group(2) == null ? min : Integer.parseInt(m.group(2));
        if (min > max) {
            throw new ProtocolException.BadHandshake("empty version range: '" + printable(text) + "'");
        }
        return new ClientHello(min, max, m.group(3) == null ? "" : m.group(3).trim());
    }

    /** The server's reply frame. */
    public static byte[] encodeServerHello(ServerHello hello) {
        return new FieldWriter(48).int32(hello.serverVersion()).string(hello.connectionTime()).toFrame();
    }

    /**
     * Decodes the server's reply from its frame payload.
     *
     * @throws ProtocolException.BadHandshake unless the frame has exactly the two fields of the reply: any other
     *         message arriving first (an error, nextValidId) is a peer that does not follow the handshake, and its
     *         first field must not be taken for a server version
     * @throws ProtocolException.MalformedField when the version is not a number
     */
    public static ServerHello decodeServerHello(byte[] payload) {
        FieldReader reader = FieldReader.of(payload);
        int fields = reader.remaining();
        if (fields != 2) {
            throw new ProtocolException.BadHandshake("the first frame has " + fields
                    + " fields; the server-version reply has 2 (version, connection time)");
        }
        int version = reader.int32();
        String time = reader.string();
        if (version <= 0) {
            throw new ProtocolException.BadHandshake("server version " + version + " is not positive");
        }
        return new ServerHello(version, time);
    }

    private static String printable(String text) {
        String cut = text.length() > 40 ? text.substring(0, 40) : text;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
