package io.twsbridge.bridge.kafka.consume;

import io.twsbridge.bridge.kafka.publish.EventPublisher;
import io.twsbridge.schema.CommandResult;
import io.twsbridge.schema.catalogue.Topic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.util.concurrent.CompletableFuture;

/**
 * Where a command's answers go: its one result, and the dead-letter copy of a record that cannot be carried out.
 * Each completes once Kafka has acknowledged it.
 */
public interface CommandAnswers {

    CompletableFuture<RecordMetadata> result(CommandResult result);

    CompletableFuture<RecordMetadata> deadLetter(ConsumerRecord<byte[], byte[]> record, Throwable error);

    /** The bridge's: results to the results topic keyed by commandId, dead letters by the publisher's rules. */
    static CommandAnswers through(EventPublisher publisher) {
        return new CommandAnswers() {
            @Override
            public CompletableFuture<RecordMetadata> result(CommandResult result) {
                return publisher.send(Topic.COMMAND_RESULTS, result.getCommandId(), result);
            }

            @Override
            public CompletableFuture<RecordMetadata> deadLetter(ConsumerRecord<byte[], byte[]> record, Throwable error) {
                return publisher.deadLetter(record, error);
            }
        };
    }
}
