package io.twsbridge.schema.catalogue;

import java.util.List;

/**
 * Headers the bridge adds to a record it moves to the dead-letter topic. The record keeps its
 * original key, value and headers; these come on top. Every value is a UTF-8 string; numbers are
 * written in decimal.
 */
public final class DlqHeaders {

    /** Topic the record was read from. */
    public static final String SOURCE_TOPIC = "dlq.source.topic";

    /** Partition the record was read from. */
    public static final String SOURCE_PARTITION = "dlq.source.partition";

    /** Offset of the record in its source partition. */
    public static final String SOURCE_OFFSET = "dlq.source.offset";

    /** Fully qualified class name of the exception that made the record fail. */
    public static final String ERROR_CLASS = "dlq.error.class";

    /** Message of that exception, cut to at most {@link #MAX_MESSAGE_CHARS} characters. */
    public static final String ERROR_MESSAGE = "dlq.error.message";

    /** When the record was dead-lettered, in milliseconds since the epoch. */
    public static final String FAILED_AT = "dlq.failed.at";

    /** Id of the bridge instance that dead-lettered the record. */
    public static final String BRIDGE_ID = "dlq.bridge.id";

    /**
     * Only on a copy that had to leave out the value (or the key, or the original headers) because Kafka would not
     * take it whole: names what is missing; the original stays at the source offset.
     */
    public static final String OMITTED = "dlq.omitted";

    /** Longest error message written to {@link #ERROR_MESSAGE}. */
    public static final int MAX_MESSAGE_CHARS = 1000;

    /** All header names, in the order they are written ({@link #OMITTED} only when something was left out). */
    public static final List<String> ALL = List.of(SOURCE_TOPIC, SOURCE_PARTITION, SOURCE_OFFSET, ERROR_CLASS,
            ERROR_MESSAGE, FAILED_AT, BRIDGE_ID, OMITTED);

    private DlqHeaders() {}
}
