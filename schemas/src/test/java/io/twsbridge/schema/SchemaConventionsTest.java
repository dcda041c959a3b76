package io.twsbridge.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.schema.compat.SchemaDirectory;
import io.twsbridge.schema.state.OrderJournalEntry;
import io.twsbridge.schema.support.Decimals;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.JsonProperties;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** House rules every schema follows, checked on the schemas the generated classes carry. */
class SchemaConventionsTest {

    /** Value schemas of the bridge's own state topics (under {@code src/main/avro/state}), not in {@link Topic}. */
    static final List<Schema> STATE_SCHEMAS = List.of(OrderJournalEntry.getClassSchema());

    private static final Map<String, Schema> NAMED = new LinkedHashMap<>();
    private static final List<FieldAt> FIELDS = new ArrayList<>();

    record FieldAt(String path, Schema.Field field) {}

    @BeforeAll
    static void collect() {
        for (Topic topic : Topic.values()) {
            topic.valueSchema().ifPresent(s -> walk(s, s.getName()));
        }
        STATE_SCHEMAS.forEach(s -> walk(s, s.getName()));
    }

    private static void walk(Schema schema, String path) {
        switch (schema.getType()) {
            case RECORD -> {
                if (NAMED.putIfAbsent(schema.getFullName(), schema) != null) {
                    return;
                }
                for (Schema.Field field : schema.getFields()) {
                    String fieldPath = schema.getName() + "." + field.name();
                    FIELDS.add(new FieldAt(fieldPath, field));
                    walk(field.schema(), fieldPath);
                }
            }
            case ENUM -> NAMED.putIfAbsent(schema.getFullName(), schema);
            case UNION -> schema.getTypes().forEach(t -> walk(t, path));
            case ARRAY -> walk(schema.getElementType(), path);
            case MAP -> walk(schema.getValueType(), path);
            default -> {}
        }
    }

    @Test
    void everySchemaFileIsChecked() {
        Map<String, Schema> files = SchemaDirectory.parse(Path.of("src/main/avro").toAbsolutePath());

        assertThat(NAMED).containsKeys(files.keySet().toArray(String[]::new));
    }

    @Test
    void everyNamedTypeLivesInTheProjectNamespaceAndHasADoc() {
        assertThat(NAMED).containsKeys(
                "io.twsbridge.schema.Instrument", "io.twsbridge.schema.PlaceOrder",
                "io.twsbridge.schema.state.OrderJournalEntry", "io.twsbridge.schema.state.OrderJournalState");
        assertThat(NAMED.values()).allSatisfy(s -> {
            assertThat(s.getNamespace()).as(s.getName()).isIn("io.twsbridge.schema", "io.twsbridge.schema.state");
            assertThat(s.getDoc()).as("doc of " + s.getName()).isNotBlank();
        });
        assertThat(NAMED.values())
                .filteredOn(s -> s.getNamespace().equals("io.twsbridge.schema.state"))
                .extracting(Schema::getName)
                .as("the state namespace holds only the state schemas' own types")
                .containsExactlyInAnyOrder("OrderJournalEntry", "OrderJournalState");
    }

    @Test
    void everyFieldHasADoc() {
        assertThat(FIELDS).hasSizeGreaterThan(100);
        assertThat(FIELDS).allSatisfy(f -> assertThat(f.field().doc()).as("doc of " + f.path()).isNotBlank());
    }

    @Test
    void everyOptionalFieldIsNullFirstAndDefaultsToNull() {
        List<FieldAt> optional = FIELDS.stream()
                .filter(f -> f.field().schema().isUnion() && f.field().schema().isNullable())
                .toList();
        assertThat(optional).isNotEmpty();
        assertThat(optional).allSatisfy(f -> {
            Schema union = f.field().schema();
            assertThat(union.getTypes()).as(f.path()).hasSize(2);
            assertThat(union.getTypes().get(0).getType()).as(f.path()).isEqualTo(Schema.Type.NULL);
            assertThat(f.field().hasDefaultValue()).as(f.path() + " has a default").isTrue();
            assertThat(f.field().defaultVal()).as(f.path() + " defaults to null").isEqualTo(JsonProperties.NULL_VALUE);
        });
    }

    @Test
    void everyDecimalIsDecimal38Scale10OnBytes() {
        List<String> decimals = new ArrayList<>();
        for (FieldAt f : FIELDS) {
            for (Schema s : branches(f.field().schema())) {
                LogicalType logical = s.getLogicalType();
                if (logical instanceof LogicalTypes.Decimal decimal) {
                    decimals.add(f.path());
                    assertThat(s.getType()).as(f.path()).isEqualTo(Schema.Type.BYTES);
                    assertThat(decimal.getPrecision()).as(f.path()).isEqualTo(Decimals.PRECISION);
                    assertThat(decimal.getScale()).as(f.path()).isEqualTo(Decimals.SCALE);
                }
            }
        }
        assertThat(decimals).contains(
                "PlaceOrder.quantity", "Position.quantity", "Position.averageCost", "OrderUpdate.filled",
                "OrderUpdate.remaining", "Fill.shares", "Fill.cumulativeQuantity", "Fill.commission",
                "Fill.realizedPnl", "AccountValue.numericValue", "OrderJournalEntry.quantity",
                "OrderJournalEntry.filled", "Bar.open", "Bar.high", "Bar.low", "Bar.close", "Bar.volume", "Bar.wap",
                "ContractDetails.minSize", "ContractDetails.sizeIncrement", "ContractDetails.suggestedSizeIncrement");
    }

    @Test
    void everyTimeIsTimestampMillis() {
        List<FieldAt> times = FIELDS.stream()
                .filter(f -> f.field().name().endsWith("At") || f.field().name().endsWith("Time")
                        || Set.of("since", "timestamp").contains(f.field().name()))
                .toList();
        assertThat(times).hasSizeGreaterThan(10);
        assertThat(times).allSatisfy(f -> {
            Schema s = branches(f.field().schema()).stream()
                    .filter(b -> b.getType() != Schema.Type.NULL)
                    .findFirst()
                    .orElseThrow();
            assertThat(s.getType()).as(f.path()).isEqualTo(Schema.Type.LONG);
            assertThat(s.getLogicalType()).as(f.path()).isInstanceOf(LogicalTypes.TimestampMillis.class);
        });
    }

    @Test
    void enumsThatMayGrowHaveUnknownAsDefault() {
        Map<String, String> defaults = new LinkedHashMap<>();
        NAMED.values().stream()
                .filter(s -> s.getType() == Schema.Type.ENUM)
                .forEach(s -> defaults.put(s.getName(), String.valueOf(s.getEnumDefault())));

        assertThat(defaults).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
                Map.entry("BarSize", "UNKNOWN"),
                Map.entry("WhatToShow", "UNKNOWN"),
                Map.entry("OrderJournalState", "UNKNOWN"),
                Map.entry("OrderAction", "UNKNOWN"),
                Map.entry("OrderType", "UNKNOWN"),
                Map.entry("TimeInForce", "UNKNOWN"),
                Map.entry("CommandStatus", "UNKNOWN"),
                Map.entry("OrderStatus", "UNKNOWN"),
                Map.entry("MarketDataType", "UNKNOWN"),
                Map.entry("SessionState", "UNKNOWN"),
                Map.entry("CircuitBreakerState", "UNKNOWN"),
                Map.entry("ExecutionSide", "null")));
    }

    private static List<Schema> branches(Schema schema) {
        return schema.isUnion() ? schema.getTypes() : List.of(schema);
    }
}
