package io.twsbridge.bridge.cli;

import io.twsbridge.schema.Command;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The {@code --set PATH=VALUE} fixes of {@code bridge resend}, applied to a decoded command: {@code PATH} names a
 * field by the schema's names, dotted into records ({@code payload.quantity}, {@code payload.instrument.symbol},
 * {@code expiresAt}); {@code payload.} goes into whichever command type the payload is. {@code VALUE} is read by the
 * field's type: text as is, numbers, {@code true}/{@code false}, an enum symbol, a decimal with at most the schema's
 * digits after the point, a time in the forms of {@link TimeArgument} or from now ({@code +15m}), and {@code null}
 * for a field that may be null. Pure: the command given is not changed.
 */
final class CommandEdits {

    /** One {@code PATH=VALUE}. */
    record Assignment(String path, String value) {

        /** @throws IllegalArgumentException when the text has no {@code =} or an empty path */
        static Assignment parse(String text) {
            int eq = text.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--set takes PATH=VALUE (payload.quantity=10) but was '" + text
                        + "'");
            }
            return new Assignment(text.substring(0, eq).trim(), text.substring(eq + 1));
        }
    }

    private static final SpecificData MODEL = SpecificData.getForClass(Command.class);

    private CommandEdits() {
    }

    /**
     * The command with every assignment applied in order.
     *
     * @throws IllegalArgumentException naming the assignment and what is wrong with it (no such field, a value of
     *                                  the wrong type, a path through a field that is null or not a record)
     */
    static Command apply(Command command, List<Assignment> assignments, Clock clock) {
        Command copy = MODEL.deepCopy(Command.getClassSchema(), command);
        for (Assignment a : assignments) {
            try {
                set(copy, a, clock);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--set " + a.path() + "=" + a.value() + ": " + e.getMessage(), e);
            }
        }
        return copy;
    }

    private static void set(Command command, Assignment a, Clock clock) {
        String[] names = a.path().split("\\.", -1);
        SpecificRecord record = command;
        StringBuilder where = new StringBuilder();
        for (int i = 0; i < names.length - 1; i++) {
            Schema.Field field = field(record, names[i]);
            where.append(where.isEmpty() ? "" : ".").append(field.name());
            Object inner = record.get(field.pos());
            if (inner == null) {
                throw new IllegalArgumentException(where + " is null; nothing to set inside it");
            }
            if (!(inner instanceof SpecificRecord r)) {
                throw new IllegalArgumentException(where + " is not a record but " + describe(field.schema()));
            }
            record = r;
        }
        Schema.Field field = field(record, names[names.length - 1]);
        record.put(field.pos(), value(field.schema(), a.value(), clock));
    }

    private static Schema.Field field(SpecificRecord record, String name) {
        Schema schema = record.getSchema();
        Schema.Field field = schema.getField(name);
        if (field == null) {
            throw new IllegalArgumentException("no field '" + name + "' in " + schema.getName() + "; its fields: "
                    + schema.getFields().stream().map(Schema.Field::name).collect(Collectors.joining(", ")));
        }
        return field;
    }

    /** The value of {@code text} for a field of {@code schema}. */
    private static Object value(Schema schema, String text, Clock clock) {
        if (schema.getType() == Schema.Type.UNION) {
            List<Schema> branches = new ArrayList<>(schema.getTypes());
            boolean nullable = branches.removeIf(s -> s.getType() == Schema.Type.NULL);
            if (nullable && text.equals("null")) {
                return null;
            }
            if (branches.size() != 1) {
                throw new IllegalArgumentException("the field is one of " + branches.stream().map(Schema::getName)
                        .collect(Collectors.joining(", ")) + "; --set changes the fields inside it, not which one it"
                        + " is (write the whole command with --file for that)");
            }
            return value(branches.get(0), text, clock);
        }
        LogicalType logical = schema.getLogicalType();
        try {
            if (logical instanceof LogicalTypes.Decimal decimal) {
                BigDecimal d = new BigDecimal(text.trim());
                if (d.precision() - d.scale() > decimal.getPrecision() - decimal.getScale()) {
                    throw new IllegalArgumentException("'" + text + "' has more than " + (decimal.getPrecision()
                            - decimal.getScale()) + " digits before the point");
                }
                try {
                    return d.setScale(decimal.getScale(), RoundingMode.UNNECESSARY);
                } catch (ArithmeticException e) {
                    throw new IllegalArgumentException("'" + text + "' has more than " + decimal.getScale()
                            + " digits after the point");
                }
            }
            if (logical instanceof LogicalTypes.TimestampMillis) {
                return TimeArgument.parseFuture(text, clock);
            }
            return switch (schema.getType()) {
                case STRING -> text;
                case INT -> Integer.valueOf(text.trim());
                case LONG -> Long.valueOf(text.trim());
                case DOUBLE -> Double.valueOf(text.trim());
                case FLOAT -> Float.valueOf(text.trim());
                case BOOLEAN -> switch (text.trim().toLowerCase(Locale.ROOT)) {
                    case "true" -> Boolean.TRUE;
                    case "false" -> Boolean.FALSE;
                    default -> throw new IllegalArgumentException("'" + text + "' is not true or false");
                };
                case ENUM -> {
                    if (!schema.getEnumSymbols().contains(text.trim())) {
                        throw new IllegalArgumentException("'" + text + "' is not one of " + schema.getEnumSymbols());
                    }
                    yield MODEL.createEnum(text.trim(), schema);
                }
                default -> throw new IllegalArgumentException("the field is " + describe(schema)
                        + "; set the fields inside it (payload.instrument.symbol=AAPL) or write the whole command"
                        + " with --file");
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not " + describe(schema));
        } catch (AvroRuntimeException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    private static String describe(Schema schema) {
        if (schema.getLogicalType() instanceof LogicalTypes.Decimal) {
            return "a decimal";
        }
        return switch (schema.getType()) {
            case RECORD -> "a record (" + schema.getName() + ")";
            case INT, LONG -> "a whole number";
            case DOUBLE, FLOAT -> "a number";
            case ARRAY -> "a list";
            case MAP -> "a map";
            default -> "of type " + schema.getType().getName();
        };
    }
}
