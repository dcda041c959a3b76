package io.twsbridge.bridge.events;

import io.twsbridge.schema.catalogue.Topic;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the {@link EventMapper} did, counted since it was created. Written on the session's event loop, readable
 * from any thread (metrics, status): every count is a {@link LongAdder} and the per-topic map is filled once and
 * never changed.
 */
public final class EventCounters {

    private final Map<Topic, LongAdder> published;
    private final LongAdder droppedTicks = new LongAdder();
    private final LongAdder ignoredTicks = new LongAdder();
    private final LongAdder duplicateFillsSuppressed = new LongAdder();
    private final LongAdder fillsWithoutCommission = new LongAdder();
    private final LongAdder lateCommissionReports = new LongAdder();
    private final LongAdder unparsableExecutionTimes = new LongAdder();
    private final LongAdder unmappableMessages = new LongAdder();

    EventCounters() {
        Map<Topic, LongAdder> byTopic = new EnumMap<>(Topic.class);
        for (Topic topic : Topic.values()) {
            byTopic.put(topic, new LongAdder());
        }
        published = Collections.unmodifiableMap(byTopic);
    }

    /** Records handed to the sink for {@code topic} (and accepted by it: a sink that threw is not counted). */
    public long published(Topic topic) {
        return published.get(topic).sum();
    }

    /**
     * Tick messages and real-time bars for a request id with no active subscription (e.g. just cancelled): dropped.
     */
    public long droppedTicks() {
        return droppedTicks.sum();
    }

    /** Tick messages of a subscribed instrument whose tick type has no Quote field (high, low, open, ...). */
    public long ignoredTicks() {
        return ignoredTicks.sum();
    }

    /** execDetails for an execId already published (or already waiting for its commission) in this run. */
    public long duplicateFillsSuppressed() {
        return duplicateFillsSuppressed.sum();
    }

    /** Fills published with a null commission because the report did not arrive within the grace period. */
    public long fillsWithoutCommission() {
        return fillsWithoutCommission.sum();
    }

    /** Commission reports that arrived after their fill had been published without one: that commission is lost. */
    public long lateCommissionReports() {
        return lateCommissionReports.sum();
    }

    /** Executions whose time could not be read; their executionTime is when the bridge received them. */
    public long unparsableExecutionTimes() {
        return unparsableExecutionTimes.sum();
    }

    /** Messages that could not be mapped (or whose record the sink refused); each is logged with the reason. */
    public long unmappableMessages() {
        return unmappableMessages.sum();
    }

    void countPublished(Topic topic) {
        published.get(topic).increment();
    }

    void droppedTick() {
        droppedTicks.increment();
    }

    void ignoredTick() {
        ignoredTicks.increment();
    }

    void duplicateFill() {
        duplicateFillsSuppressed.increment();
    }

    void fillWithoutCommission() {
        fillsWithoutCommission.increment();
    }

    void lateCommissionReport() {
        lateCommissionReports.increment();
    }

    void unparsableExecutionTime() {
        unparsableExecutionTimes.increment();
    }

    void unmappableMessage() {
        unmappableMessages.increment();
    }
}
