package io.twsbridge.bridge.cli;

import io.twsbridge.client.registry.SchemaRegistryClient;
import io.twsbridge.client.serde.AvroWireSerializer;
import io.twsbridge.schema.Command;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * How the client commands ({@code send}, {@code resend}) put a command on a commands topic: the Command schema
 * registered (or found) under the topic's subject, the value in the Confluent wire format, a producer that waits
 * for every in-sync replica. One way, so that a resent command is encoded exactly as a sent one.
 */
final class CommandProducer {

    private CommandProducer() {
    }

    /** {@code command} as the bridge reads it from {@code topic}. */
    static byte[] encode(SchemaRegistryClient registry, String topic, Command command) {
        registry.register(topic + "-value", Command.getClassSchema());
        return new AvroWireSerializer(registry).serialize(topic, command);
    }

    /**
     * Produces one record and waits for Kafka's acknowledgement.
     *
     * @throws NotSent with Kafka's answer in one line (a topic that does not exist, a broker that does not answer)
     */
    static RecordMetadata produce(KafkaOptions.Connection connection, ProducerRecord<byte[], byte[]> record)
            throws NotSent, InterruptedException {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(connection.producerConfig())) {
            return producer.send(record).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new NotSent("not sent to " + record.topic() + ": " + cause.getMessage());
        }
    }

    /** Kafka did not take the record; the message says why in one line. */
    static final class NotSent extends Exception {
        private static final long serialVersionUID = 1L;
        NotSent(String message) {
            super(message);
        }
    }
}
