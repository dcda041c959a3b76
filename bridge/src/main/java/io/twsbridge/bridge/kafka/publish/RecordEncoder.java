package io.twsbridge.bridge.kafka.publish;

import org.apache.avro.specific.SpecificRecord;

/** Turns a record into the bytes of a Kafka value for a topic (the Confluent wire format in the bridge). */
@FunctionalInterface
public interface RecordEncoder {

    byte[] encode(String topicName, SpecificRecord record);
}
