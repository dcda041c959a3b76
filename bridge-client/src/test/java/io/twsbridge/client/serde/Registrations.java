package io.twsbridge.client.serde;

import io.twsbridge.client.registry.SchemaRegistryClient;
import io.twsbridge.schema.catalogue.Topic;
import java.util.EnumMap;
import java.util.Map;

/** Registers every topic's value schema under its default subject, as a writer must before it serializes. */
final class Registrations {

    private Registrations() {}

    /** The schema id of each topic that has a value schema. */
    static Map<Topic, Integer> registerAll(SchemaRegistryClient client) {
        Map<Topic, Integer> ids = new EnumMap<>(Topic.class);
        for (Topic topic : Topic.values()) {
            topic.valueSchema().ifPresent(schema ->
                    ids.put(topic, client.register(topic.valueSubject().orElseThrow(), schema)));
        }
        return ids;
    }
}
