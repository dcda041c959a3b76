package io.twsbridge.bridge.kafka.publish;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the publisher's watchdog saw at its last look, for {@code GET /status}.
 *
 * @param oldestUnacknowledgedSeconds how long the oldest record the producer has not acknowledged has waited
 * @param stuckPartitions             partitions whose oldest record has not moved on for {@code kafka.stuck-partition-timeout} while Kafka answers (or
 *                                    overtaken), each with what was seen; empty when none
 * @param heals                       times the producer was replaced to heal a stuck partition
 * @param recordsSentAgain            records those heals sent again
 * @param lastHeal                    what the last heal saw and did, with its time; empty before the first
 */
public record PublisherHealth(double oldestUnacknowledgedSeconds, List<String> stuckPartitions, long heals,
                              long recordsSentAgain, String lastHeal) {

    public PublisherHealth {
        stuckPartitions = List.copyOf(stuckPartitions);
        lastHeal = lastHeal == null ? "" : lastHeal;
    }

    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("oldestUnacknowledgedSeconds", Math.round(oldestUnacknowledgedSeconds * 1000) / 1000.0);
        json.put("stuckPartitions", stuckPartitions);
        json.put("heals", heals);
        json.put("recordsSentAgain", recordsSentAgain);
        json.put("lastHeal", lastHeal);
        return json;
    }
}
