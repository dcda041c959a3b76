package io.twsbridge.bridge.kafka.publish;

import io.twsbridge.schema.catalogue.DlqHeaders;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The dead-letter copy of a record that could not be processed: the record byte for byte, its headers, and the
 * {@link DlqHeaders} naming where it came from and why it failed.
 *
 * <p>A copy must be one Kafka takes: the original plus these headers can exceed the producer's
 * {@code max.request.size}. Such a copy loses its value, then its key, then its original headers, and says so in
 * {@link DlqHeaders#OMITTED}; the original stays in its topic at the offset the headers name. The size is
 * measured on the headers this class writes, not guessed at.
 */
final class DeadLetters {

    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);
    /** Record batch header (61 bytes) and the record's own varints, rounded up. */
    private static final long RECORD_OVERHEAD = 128;
    private static final long HEADER_OVERHEAD = 10;
    /** What {@link DlqHeaders#OMITTED} adds at most: its text names sizes, the limit and the source. */
    private static final long OMITTED_ALLOWANCE = 512;

    /**
     * A dead letter as it goes to the producer.
     *
     * @param whole whether it is the record whole, value and all; if not, {@link DlqHeaders#OMITTED} says what is not
     */
    record Copy(byte[] key, byte[] value, List<Header> headers, boolean whole) {
    }

    private final String bridgeId;
    private final int maxRecordBytes;
    private final Clock clock;

    DeadLetters(String bridgeId, int maxRecordBytes, Clock clock) {
        this.bridgeId = bridgeId;
        this.maxRecordBytes = maxRecordBytes;
        this.clock = clock;
    }

    /** The copy of {@code source}: whole if Kafka would take it so, else without what would not fit. */
    Copy of(ConsumerRecord<byte[], byte[]> source, Throwable error) {
        List<Header> added = added(source, error);
        List<Header> original = new ArrayList<>();
        source.headers().forEach(original::add);
        if (size(source.key(), source.value(), original, added) <= maxRecordBytes) {
            return new Copy(source.key(), source.value(), concat(original, added), true);
        }
        boolean keepKey = size(source.key(), null, original, added) + OMITTED_ALLOWANCE <= maxRecordBytes;
        boolean keepHeaders = keepKey || size(null, null, original, added) + OMITTED_ALLOWANCE <= maxRecordBytes;
        log.warn("dead letter of {} would exceed max.request.size ({} bytes) whole; copied without its value{}",
                where(source), maxRecordBytes, keepKey ? "" : " and key");
        return stripped(source, added, keepKey, keepHeaders);
    }

    /** The copy of {@code source} without value, key and original headers: for a copy Kafka refused whole. */
    Copy bare(ConsumerRecord<byte[], byte[]> source, Throwable error) {
        return stripped(source, added(source, error), false, false);
    }

    private Copy stripped(ConsumerRecord<byte[], byte[]> source, List<Header> added, boolean keepKey,
                          boolean keepHeaders) {
        List<Header> headers = new ArrayList<>();
        if (keepHeaders) {
            source.headers().forEach(headers::add);
        }
        List<String> omitted = new ArrayList<>();
        omitted.add("value (" + (source.value() == null ? 0 : source.value().length) + " bytes)");
        if (!keepKey && source.key() != null) {
            omitted.add("key (" + source.key().length + " bytes)");
        }
        if (!keepHeaders) {
            omitted.add("headers (" + source.headers().toArray().length + ")");
        }
        headers.add(header(DlqHeaders.OMITTED, String.join(", ", omitted) + ": the copy would exceed the producer's"
                + " max.request.size of " + maxRecordBytes + " bytes; the original is at " + where(source)));
        headers.addAll(added);
        return new Copy(keepKey ? source.key() : null, null, headers, false);
    }

    private List<Header> added(ConsumerRecord<byte[], byte[]> source, Throwable error) {
        String message = String.valueOf(error.getMessage());
        return List.of(header(DlqHeaders.SOURCE_TOPIC, source.topic()),
                header(DlqHeaders.SOURCE_PARTITION, String.valueOf(source.partition())),
                header(DlqHeaders.SOURCE_OFFSET, String.valueOf(source.offset())),
                header(DlqHeaders.ERROR_CLASS, error.getClass().getName()),
                header(DlqHeaders.ERROR_MESSAGE, message.length() > DlqHeaders.MAX_MESSAGE_CHARS
                        ? message.substring(0, DlqHeaders.MAX_MESSAGE_CHARS) : message),
                header(DlqHeaders.FAILED_AT, String.valueOf(clock.millis())),
                header(DlqHeaders.BRIDGE_ID, bridgeId));
    }

    /** An upper bound of a record's size in a batch of its own (format v2: batch header, varints, lengths). */
    private static long size(byte[] key, byte[] value, List<Header> original, List<Header> added) {
        long size = RECORD_OVERHEAD + (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
        for (List<Header> headers : List.of(original, added)) {
            for (Header h : headers) {
                size += HEADER_OVERHEAD + h.key().getBytes(StandardCharsets.UTF_8).length
                        + (h.value() == null ? 0 : h.value().length);
            }
        }
        return size;
    }

    private static List<Header> concat(List<Header> a, List<Header> b) {
        List<Header> all = new ArrayList<>(a.size() + b.size());
        all.addAll(a);
        all.addAll(b);
        return all;
    }

    static String where(ConsumerRecord<?, ?> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }

    static Header header(String key, String value) {
        return new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8));
    }
}
