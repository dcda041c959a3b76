package io.twsbridge.bridge.events;

import io.twsbridge.schema.catalogue.Topic;
import org.apache.avro.specific.SpecificRecord;

import java.util.concurrent.CompletableFuture;

/**
 * Where records go whose command completes only once Kafka has them (contract details, historical bars): the
 * publisher's {@code send}, whose future completes when the record is acknowledged. Records with the same key keep
 * their order.
 */
@FunctionalInterface
public interface AcknowledgedSink {

    CompletableFuture<?> send(Topic topic, String key, SpecificRecord value);
}
