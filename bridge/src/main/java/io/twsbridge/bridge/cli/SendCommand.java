package io.twsbridge.bridge.cli;

import io.twsbridge.bridge.app.config.ConfigException;
import io.twsbridge.bridge.commands.CommandValidator;
import io.twsbridge.bridge.results.Rejection;
import io.twsbridge.client.registry.SchemaRegistryClient;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.catalogue.RecordKeys;
import io.twsbridge.schema.catalogue.Topic;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code bridge send --file command.json}: produces one command written in the Avro JSON encoding of Command.
 * The JSON is read and checked completely first; anything malformed is reported and nothing is sent.
 */
@picocli.CommandLine.Command(name = "send", mixinStandardHelpOptions = true,
        description = "Send one command (Avro JSON encoding of Command) to the commands topic.")
public final class SendCommand implements Callable<Integer> {

    @Option(names = "--file", description = "The command as JSON; '-' or absent reads standard input.")
    String file = "-";

    @Mixin
    KafkaOptions kafka;

    @Override
    public Integer call() throws Exception {
        String json;
        try (InputStream in = file.equals("-") ? System.in : Files.newInputStream(Path.of(file))) {
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            System.err.println("cannot read " + file + ": " + e.getMessage());
            return 2;
        }
        Command command;
        try {
            command = parse(json);
        } catch (IllegalArgumentException e) {
            System.err.println("not a valid command, nothing sent: " + e.getMessage());
            return 2;
        }
        Optional<Rejection> problems = new CommandValidator().validate(command);
        if (problems.isPresent()) {
            System.err.println("the bridge would reject this command, nothing sent: " + problems.get().message());
            return 2;
        }
        KafkaOptions.Connection connection;
        try {
            connection = kafka.resolve(System.getenv());
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            System.err.println("nothing sent");
            return 2;
        }
        String topic = connection.kafka().topic(Topic.COMMANDS);
        SchemaRegistryClient registry = new SchemaRegistryClient(connection.registry());
        byte[] value = CommandProducer.encode(registry, topic, command);
        try {
            RecordMetadata meta = CommandProducer.produce(connection, new ProducerRecord<>(topic,
                    RecordKeys.command(command).getBytes(StandardCharsets.UTF_8), value));
            System.out.printf("sent %s to %s-%d@%d%n", command.getCommandId(), meta.topic(), meta.partition(), meta.offset());
        } catch (CommandProducer.NotSent e) {
            // Kafka's answer, said once (a topic that does not exist, a broker that does not answer), not a stack trace.
            System.err.println(e.getMessage());
            return 1;
        }
        return 0;
    }

    /** Parses the Avro JSON encoding of Command, with the reason when it is not one. */
    static Command parse(String json) {
        try {
            return new SpecificDatumReader<>(Command.class).read(null,
                    DecoderFactory.get().jsonDecoder(Command.getClassSchema(), json));
        } catch (IOException | AvroRuntimeException | ClassCastException | NullPointerException e) {
            // The JSON parser's messages run over lines (where in the source); the command line says one.
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            throw new IllegalArgumentException(why.replaceAll("\\s*\\R\\s*", " "), e);
        }
    }
}
