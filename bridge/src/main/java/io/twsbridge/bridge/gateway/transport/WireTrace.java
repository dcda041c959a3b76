package io.twsbridge.bridge.gateway.transport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;

/**
 * The wire-trace logger: every frame in and out, as its field list. Off unless the logger
 * {@code io.twsbridge.wire} is set to TRACE (it is costly on the tick path, and it shows account data).
 */
final class WireTrace {

    private static final Logger wire = LoggerFactory.getLogger("io.twsbridge.wire");

    private WireTrace() {
    }

    static boolean enabled() {
        return wire.isTraceEnabled();
    }

    /** Logs a payload (fields without length prefix) with its direction. */
    static void payload(String direction, byte[] payload, int offset, int length) {
        if (!wire.isTraceEnabled()) {
            return;
        }
        StringBuilder sb = new StringBuilder(length + 16).append('[');
        int start = offset;
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            if (payload[i] == 0) {
                if (start > offset) {
                    sb.append(", ");
                }
                sb.append(new String(payload, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        wire.trace("{} {}]", direction, sb);
    }

    static void text(String direction, String text) {
        wire.trace("{} {}", direction, text);
    }
}
