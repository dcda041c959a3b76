package io.twsbridge.schema.catalogue;

import io.twsbridge.schema.AccountValue;
import io.twsbridge.schema.Bar;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.CommandResult;
import io.twsbridge.schema.ContractDetails;
import io.twsbridge.schema.Fill;
import io.twsbridge.schema.GatewayStatus;
import io.twsbridge.schema.OrderUpdate;
import io.twsbridge.schema.Position;
import io.twsbridge.schema.Quote;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * The topics of the bridge: default name, what the record key is, the value schema, the cleanup
 * policy and the Schema Registry subject. The schemas README has the same table and a test keeps
 * the two in step.
 *
 * <p>Topic names can be changed in the bridge's configuration; {@link #valueSubject(String)} gives
 * the subject for a renamed topic. Every key is a plain UTF-8 string, built by {@link RecordKeys}.
 */
public enum Topic {
    COMMANDS(
            "ib.commands",
            "`account`, or `" + RecordKeys.NO_ACCOUNT_KEY + "` when the command has none",
            Command.class,
            Command.getClassSchema(),
            CleanupPolicy.DELETE),
    COMMAND_RESULTS(
            "ib.command-results",
            "`commandId`",
            CommandResult.class,
            CommandResult.getClassSchema(),
            CleanupPolicy.DELETE),
    ACCOUNTS(
            "ib.accounts",
            "`account|key|currency` (currency empty when null)",
            AccountValue.class,
            AccountValue.getClassSchema(),
            CleanupPolicy.COMPACT),
    POSITIONS(
            "ib.positions",
            "`account|conId`",
            Position.class,
            Position.getClassSchema(),
            CleanupPolicy.COMPACT),
    ORDERS(
            "ib.orders",
            "`orderRef`, else `perm:<permId>`, else `order:<clientId>:<orderId>`",
            OrderUpdate.class,
            OrderUpdate.getClassSchema(),
            CleanupPolicy.COMPACT),
    FILLS("ib.fills", "`execId`", Fill.class, Fill.getClassSchema(), CleanupPolicy.DELETE),
    QUOTES(
            "ib.quotes",
            "instrument key: `conId`, else `symbol|secType|exchange|currency[|expiry|strike|right|multiplier]`",
            Quote.class,
            Quote.getClassSchema(),
            CleanupPolicy.DELETE),
    STATUS(
            "ib.status",
            "`bridgeId`",
            GatewayStatus.class,
            GatewayStatus.getClassSchema(),
            CleanupPolicy.COMPACT),
    /** Every contract the bridge resolved, its latest full description by conId. */
    CONTRACTS(
            "ib.contracts",
            "`conId`",
            ContractDetails.class,
            ContractDetails.getClassSchema(),
            CleanupPolicy.COMPACT),
    /**
     * Historical and real-time bars. Keyed by instrument, not by command, so that all bars of one instrument (one
     * command's answer included) share a partition and are read in the order they were published.
     */
    BARS(
            "ib.bars",
            "instrument key: `conId`, else `symbol|secType|exchange|currency[|expiry|strike|right|multiplier]`",
            Bar.class,
            Bar.getClassSchema(),
            CleanupPolicy.DELETE),
    /**
     * Commands the bridge could not read or process. The value is the original record's bytes, so
     * it has no schema; {@link DlqHeaders} names the headers that say where it came from and why it
     * failed.
     */
    COMMANDS_DLQ(
            "ib.commands.dlq", "the failed record's own key, byte for byte", null, null, CleanupPolicy.DELETE);

    /** Suffix of value subjects under Schema Registry's TopicNameStrategy. */
    public static final String VALUE_SUBJECT_SUFFIX = "-value";

    private final String defaultName;
    private final String key;
    private final Class<? extends SpecificRecord> valueClass;
    private final Schema valueSchema;
    private final CleanupPolicy cleanupPolicy;

    Topic(
            String defaultName,
            String key,
            Class<? extends SpecificRecord> valueClass,
            Schema valueSchema,
            CleanupPolicy cleanupPolicy) {
        this.defaultName = defaultName;
        this.key = key;
        this.valueClass = valueClass;
        this.valueSchema = valueSchema;
        this.cleanupPolicy = cleanupPolicy;
    }

    /** The topic's name unless configured otherwise, e.g. {@code ib.commands}. */
    public String defaultName() {
        return defaultName;
    }

    /** What the record key holds, as the README's topic table says it (Markdown code spans). */
    public String key() {
        return key;
    }

    /** The generated class of the value, or empty for the dead-letter topic, whose values are raw bytes. */
    public Optional<Class<? extends SpecificRecord>> valueClass() {
        return Optional.ofNullable(valueClass);
    }

    /** The Avro schema of the value, or empty for the dead-letter topic. */
    public Optional<Schema> valueSchema() {
        return Optional.ofNullable(valueSchema);
    }

    /** Kafka cleanup policy the topic is created with. */
    public CleanupPolicy cleanupPolicy() {
        return cleanupPolicy;
    }

    /** Schema Registry subject of the value under its default name, or empty when it has no schema. */
    public Optional<String> valueSubject() {
        return valueSubject(defaultName);
    }

    /**
     * Schema Registry subject of the value when the topic is called {@code topicName}
     * (TopicNameStrategy: {@code <topic>-value}), or empty when the topic has no schema.
     */
    public Optional<String> valueSubject(String topicName) {
        Objects.requireNonNull(topicName, "topicName");
        return valueSchema().map(schema -> topicName + VALUE_SUBJECT_SUFFIX);
    }

    /** The topic whose default name is {@code name}, if there is one. */
    public static Optional<Topic> byDefaultName(String name) {
        return Arrays.stream(values()).filter(t -> t.defaultName.equals(name)).findFirst();
    }
}
