package io.twsbridge.bridge.cli;

import io.twsbridge.bridge.app.config.ConfigException;
import io.twsbridge.bridge.commands.CommandValidator;
import io.twsbridge.bridge.commands.ExecutedCommands;
import io.twsbridge.bridge.kafka.CommandHistory;
import io.twsbridge.client.registry.SchemaRegistryClient;
import io.twsbridge.client.registry.SchemaRegistryException;
import io.twsbridge.client.serde.AvroWireDeserializer;
import io.twsbridge.client.serde.SchemaLookupException;
import io.twsbridge.client.serde.WireFormatException;
import io.twsbridge.bridge.results.Rejection;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.catalogue.DlqHeaders;
import io.twsbridge.schema.catalogue.RecordKeys;
import io.twsbridge.schema.catalogue.Topic;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.JsonEncoder;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * {@code bridge resend --topic T --partition P --offset N}: puts one record of a commands-format topic (a dead
 * letter, or a command as recorded) back on the commands topic, so that an operator can fix a dead letter and have it
 * carried out. Byte for byte by default (key, value and headers as they were, without the {@code dlq.*} headers,
 * with {@value #RESENT_FROM} naming where it came from); decoded, fixed ({@code --set}) or replaced ({@code --file})
 * and encoded again as {@code bridge send} encodes; under a new commandId on request.
 *
 * <p>Before it sends, it reads {@code ib.command-results} within {@code commands.duplicate-window} as the bridge does
 * at start ({@link CommandHistory}) and refuses a commandId the bridge has already carried out: the bridge would only
 * answer it DUPLICATE. An id whose only results were refusals that do not spend it (validation failed, not
 * connected, ...) may be resent as it is. It also refuses, as {@code send} does, a command the bridge would reject
 * or answer EXPIRED, so a fix is checked before it reaches the bridge.
 *
 * <p>Exit codes: 0 resent; 1 the record, its topic, Kafka or the registry refuse (no such offset, a record that does
 * not decode when decoding is needed, a commandId already carried out, a command as recorded that the bridge would
 * reject); 2 what was typed is wrong (options, a {@code --set} path or value, the {@code --file}, a fixed command the
 * bridge would reject). Every refusal is one line on standard error.
 */
@picocli.CommandLine.Command(name = "resend", mixinStandardHelpOptions = true,
        description = {"Put a record of a commands-format topic (a dead letter, or a command as recorded) back on the"
                + " commands topic: byte for byte, fixed with --set, replaced with --file, or under a new commandId.",
                "A commandId the bridge has already carried out within commands.duplicate-window is refused (the"
                        + " bridge would answer DUPLICATE and not execute it); one that was only refused (validation"
                        + " failed, not connected, ...) is resent as it is.",
                "Look first: bridge replay --topic ib.commands.dlq prints each dead letter with its partition,"
                        + " offset and why it failed."},
        footer = {"", "Exit codes: 0 resent; 1 the record, Kafka or the registry refuse (no such offset, already"
                + " carried out, would be rejected as recorded); 2 bad options, --set or --file."})
public final class ResendCommand implements Callable<Integer> {

    /** Header on a resent record: the topic-partition@offset it was resent from. */
    public static final String RESENT_FROM = "resent.from";
    private static final String FRESH = "\u0000fresh";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Option(names = "--topic", required = true, description = "The topic the record is on: the dead-letter topic"
            + " (its full name, e.g. ib.commands.dlq) or any topic of commands.")
    String topic;

    @Option(names = "--partition", required = true, description = "Its partition.")
    int partition;

    @Option(names = "--offset", required = true, description = "Its offset.")
    long offset;

    @Option(names = "--to", description = "Where to send it (default: the configured commands topic, ib.commands).")
    String to;

    @Option(names = "--set", paramLabel = "PATH=VALUE", description = "Fix a field of the decoded command before"
            + " sending, by its name in the Command schema, dotted: payload.quantity=10, payload.limitPrice=101.5,"
            + " payload.instrument.symbol=AAPL, expiresAt=+15m (or a time, or null), account=DU111111. Repeatable."
            + " Needs a record that decodes as a Command; for one that does not, use --file.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--file", description = "Send this command instead of the record's value (bridge send's JSON,"
            + " the Avro JSON encoding of Command; --dry-run prints the record's in that form); '-' reads standard"
            + " input. The key is the command's, as send makes it; the record's own headers are kept and it is"
            + " named in " + RESENT_FROM + ".")
    Path file;

    @Option(names = "--new-command-id", arity = "0..1", fallbackValue = FRESH, paramLabel = "ID",
            description = "Send it under this commandId (a fresh UUID when none is given): the bridge carries it out"
                    + " as a new command, even if the old id was carried out (a PlaceOrder places another order).")
    String newCommandId;

    @Option(names = "--allow-executed", description = "Send even a commandId the bridge has already carried out."
            + " Within commands.duplicate-window the bridge answers it DUPLICATE with the first outcome and does"
            + " not execute it again.")
    boolean allowExecuted;

    @Option(names = "--dry-run", description = "Check everything and print the command as it would be sent (JSON,"
            + " the form --file takes); send nothing.")
    boolean dryRun;

    @Mixin
    KafkaOptions kafka;

    /** A refusal: one line, and the exit code. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        final int exit;

        Refused(int exit, String message) {
            super(message);
            this.exit = exit;
        }
    }

    @Override
    public Integer call() throws Exception {
        try {
            return resend(Clock.systemUTC());
        } catch (Refused e) {
            System.err.println(e.getMessage());
            return e.exit;
        }
    }

    private int resend(Clock clock) throws Refused, InterruptedException {
        List<CommandEdits.Assignment> assignments = new ArrayList<>();
        for (String s : sets) {
            try {
                assignments.add(CommandEdits.Assignment.parse(s));
            } catch (IllegalArgumentException e) {
                throw new Refused(2, e.getMessage());
            }
        }
        if (file != null && !assignments.isEmpty()) {
            throw new Refused(2, "--set and --file do not go together: fix the fields in the file");
        }
        if (partition < 0 || offset < 0) {
            throw new Refused(2, "--partition and --offset must not be negative");
        }
        Command fromFile = file == null ? null : readFile(file);
        KafkaOptions.Connection connection;
        try {
            connection = kafka.resolve(System.getenv());
        } catch (ConfigException e) {
            throw new Refused(2, e.getMessage() + "; nothing sent");
        }
        String target = to != null ? to : connection.kafka().topic(Topic.COMMANDS);
        SchemaRegistryClient registry = new SchemaRegistryClient(connection.registry());
        ConsumerRecord<byte[], byte[]> record = fetch(connection);
        String source = where(record.topic(), record.partition(), record.offset());
        boolean reencode = fromFile != null || !assignments.isEmpty() || newCommandId != null;

        Command command = fromFile;
        String undecodable = null;
        if (command == null) {
            Header omitted = record.headers().lastHeader(DlqHeaders.OMITTED);
            if (omitted != null) {
                throw new Refused(1, source + " is a dead letter without its value (" + DlqHeaders.OMITTED + ": "
                        + text(omitted) + "); resend the original it names, or give the command with --file");
            }
            if (record.value() == null) {
                throw new Refused(1, source + " has no value (a tombstone); nothing to resend");
            }
            try {
                command = new AvroWireDeserializer<>(Command.class, registry).deserialize(record.value());
            } catch (SchemaLookupException e) {
                throw new Refused(1, "the schema registry at " + connection.registry().baseUrl() + " did not answer: "
                        + e.getMessage() + "; nothing sent");
            } catch (WireFormatException e) {
                undecodable = e.getMessage();
            }
        }
        if (undecodable != null && reencode) {
            throw new Refused(1, source + " does not decode as a Command (" + undecodable + "): --set and"
                    + " --new-command-id need a decoded command; resend it byte for byte (no options) once what"
                    + " failed is mended, or write the fixed command as JSON (bridge send's form) and give --file");
        }
        if (command != null && !assignments.isEmpty()) {
            try {
                command = CommandEdits.apply(command, assignments, clock);
            } catch (IllegalArgumentException e) {
                throw new Refused(2, e.getMessage() + "; nothing sent");
            }
        }
        if (command != null && newCommandId != null) {
            command.setCommandId(newCommandId.equals(FRESH) ? UUID.randomUUID().toString() : newCommandId);
        }
        if (command != null) {
            check(command, source, reencode, clock);
        }
        String commandId = command != null ? command.getCommandId()
                : new AvroWireDeserializer<>(Command.class, registry).readWriterStringField(record.value(), "commandId")
                .orElse(null);
        checkNotCarriedOut(connection, registry, commandId, clock);

        byte[] key;
        byte[] value;
        if (reencode) {
            key = RecordKeys.command(command).getBytes(StandardCharsets.UTF_8);
            try {
                value = CommandProducer.encode(registry, target, command);
            } catch (SchemaRegistryException | SerializationException e) {
                throw new Refused(1, "cannot encode the command for " + target + ": " + e.getMessage()
                        + "; nothing sent");
            }
        } else {
            key = record.key();
            value = record.value();
        }
        Headers headers = resentHeaders(record.headers(), source);
        String named = commandId == null ? "a record without a readable commandId" : commandId;
        if (dryRun) {
            if (command != null) {
                System.out.println(json(command));
            }
            System.out.printf("would resend %s from %s to %s%s (--dry-run: nothing sent)%n", named, source, target,
                    reencode ? "" : ", byte for byte");
            return 0;
        }
        try {
            RecordMetadata meta = CommandProducer.produce(connection,
                    new ProducerRecord<>(target, null, key, value, headers));
            System.out.printf("resent %s from %s to %s%n", named, source,
                    where(meta.topic(), meta.partition(), meta.offset()));
        } catch (CommandProducer.NotSent e) {
            throw new Refused(1, e.getMessage());
        }
        return 0;
    }

    /** What the bridge would refuse of {@code command} (or answer EXPIRED), refused here instead. */
    private static void check(Command command, String source, boolean reencode, Clock clock) throws Refused {
        Optional<Rejection> problems = new CommandValidator(clock).validate(command);
        if (problems.isPresent()) {
            throw reencode
                    ? new Refused(2, "the bridge would reject the fixed command, nothing sent: "
                    + problems.get().reasonCode() + ": " + problems.get().message())
                    : new Refused(1, "the bridge would reject " + source + " again, nothing sent: "
                    + problems.get().reasonCode() + ": " + problems.get().message()
                    + "; fix it with --set PATH=VALUE (or --file)");
        }
        if (command.getExpiresAt() != null && !command.getExpiresAt().isAfter(clock.instant())) {
            throw new Refused(reencode ? 2 : 1, "the command expired at " + command.getExpiresAt() + ": the bridge"
                    + " would answer EXPIRED, which spends its commandId; nothing sent. Give it time with --set"
                    + " expiresAt=+15m (or --set expiresAt=null)");
        }
    }

    /** Refuses a commandId the bridge has carried out within its window, unless --allow-executed. */
    private void checkNotCarriedOut(KafkaOptions.Connection connection, SchemaRegistryClient registry,
                                    String commandId, Clock clock) throws Refused {
        String results = connection.kafka().topic(Topic.COMMAND_RESULTS);
        Duration window = connection.kafka().duplicateWindow();
        if (commandId == null) {
            System.err.println("the record's commandId cannot be read; not checked against " + results);
            return;
        }
        CommandHistory.History history;
        try {
            history = CommandHistory.load(connection.kafka(), registry, clock, TIMEOUT);
        } catch (KafkaException | IllegalStateException e) {
            throw new Refused(1, "cannot read " + results + " to check commandId " + commandId + ": "
                    + e.getMessage() + "; nothing sent");
        }
        Optional<ExecutedCommands.First> first = history.executed().first(commandId, clock.instant());
        if (first.isEmpty()) {
            if (history.unreadable() > 0) {
                System.err.println(history.unreadable() + " record(s) on " + results + " since " + history.since()
                        + " could not be read; commandId " + commandId + " was checked against the others only");
            }
            return;
        }
        String earlier = "commandId " + commandId + " was already carried out at " + first.get().at() + " ("
                + first.get().status() + " " + first.get().reasonCode() + ")";
        if (!allowExecuted) {
            throw new Refused(1, "not resent: " + earlier + "; within commands.duplicate-window (" + window
                    + ") the bridge would answer DUPLICATE and not execute it. --new-command-id sends it as a new"
                    + " command; --allow-executed sends it anyway");
        }
        System.err.println(earlier + "; sent anyway (--allow-executed): within commands.duplicate-window (" + window
                + ") the bridge answers it DUPLICATE and does not execute it again");
    }

    /** The record at --topic/--partition/--offset, read committed (an aborted write never happened). */
    private ConsumerRecord<byte[], byte[]> fetch(KafkaOptions.Connection connection) throws Refused {
        String at = where(topic, partition, offset);
        Map<String, Object> config = connection.consumerConfig();
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, TIMEOUT);
            if (partitions == null || partitions.isEmpty()) {
                throw new Refused(1, "no topic " + topic + "; nothing sent");
            }
            if (partitions.stream().noneMatch(p -> p.partition() == partition)) {
                throw new Refused(1, topic + " has no partition " + partition + " (it has " + partitions.size()
                        + "); nothing sent");
            }
            TopicPartition tp = new TopicPartition(topic, partition);
            consumer.assign(List.of(tp));
            long begin = consumer.beginningOffsets(List.of(tp), TIMEOUT).get(tp);
            long end = consumer.endOffsets(List.of(tp), TIMEOUT).get(tp);
            if (offset < begin) {
                throw new Refused(1, "no record at " + at + ": the partition now begins at " + begin
                        + " (retention removed the older ones); nothing sent");
            }
            if (offset >= end) {
                throw new Refused(1, "no record at " + at + ": the partition ends at " + end + "; nothing sent");
            }
            consumer.seek(tp, offset);
            Instant deadline = Instant.now().plus(TIMEOUT);
            while (consumer.position(tp, TIMEOUT) < end) {
                if (Instant.now().isAfter(deadline)) {
                    throw new Refused(1, "reading " + at + " took longer than " + TIMEOUT + "; nothing sent");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() == offset) {
                        return r;
                    }
                    throw new Refused(1, "no record at " + at + " (compacted away, or a transaction marker); the next"
                            + " is at " + r.offset() + "; nothing sent");
                }
            }
            throw new Refused(1, "no record at " + at + " (compacted away, aborted, or a transaction marker);"
                    + " nothing sent");
        } catch (KafkaException e) {
            throw new Refused(1, "cannot read " + at + ": " + e.getMessage() + "; nothing sent");
        }
    }

    /**
     * The headers a resent record carries: the original's without the dead-letter ones (they told of the failure
     * and would be wrong on the resent record) and without an earlier {@value #RESENT_FROM}, plus
     * {@value #RESENT_FROM} naming {@code source}.
     */
    static Headers resentHeaders(Headers original, String source) {
        RecordHeaders headers = new RecordHeaders();
        for (Header h : original) {
            if (!DlqHeaders.ALL.contains(h.key()) && !h.key().equals(RESENT_FROM)) {
                headers.add(h);
            }
        }
        headers.add(new RecordHeader(RESENT_FROM, source.getBytes(StandardCharsets.UTF_8)));
        return headers;
    }

    private static Command readFile(Path file) throws Refused {
        String json;
        try (InputStream in = file.toString().equals("-") ? System.in : Files.newInputStream(file)) {
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new Refused(2, "cannot read " + file + ": " + e.getMessage());
        }
        try {
            return SendCommand.parse(json);
        } catch (IllegalArgumentException e) {
            throw new Refused(2, "not a valid command in " + file + ", nothing sent: " + e.getMessage());
        }
    }

    /** The Avro JSON encoding of {@code command}, the form {@code send} and {@code --file} take. */
    static String json(Command command) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            JsonEncoder encoder = EncoderFactory.get().jsonEncoder(Command.getClassSchema(), out);
            new SpecificDatumWriter<>(Command.class).write(command, encoder);
            encoder.flush();
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a command as JSON", e);
        }
    }

    private static String where(String topic, int partition, long offset) {
        return topic + "-" + partition + "@" + offset;
    }

    private static String text(Header h) {
        return h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
    }
}
