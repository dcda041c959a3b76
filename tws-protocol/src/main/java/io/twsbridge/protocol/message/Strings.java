package io.twsbridge.protocol.message;

/** Null-to-empty normalisation shared by the message records: on the wire, null and "" are the same field. */
final class Strings {

    private Strings() {
    }

    static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
