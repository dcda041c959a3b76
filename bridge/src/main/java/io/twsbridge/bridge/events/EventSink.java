package io.twsbridge.bridge.events;

import io.twsbridge.schema.catalogue.Topic;
import org.apache.avro.specific.SpecificRecord;

/**
 * Where mapped events go: the Kafka publisher in the bridge, a list in tests. Records with the same key keep
 * their order. The publisher decides what may be shed under pressure (only quotes, which a newer quote
 * supersedes); everything else is kept until Kafka acknowledges it.
 */
public interface EventSink {

    void publish(Topic topic, String key, SpecificRecord value);
}
