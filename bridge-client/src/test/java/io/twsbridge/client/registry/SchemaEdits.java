package io.twsbridge.client.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.twsbridge.schema.Fill;
import io.twsbridge.schema.OrderUpdate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Consumer;
import org.apache.avro.Schema;

/** Other versions of the contract's schemas, made by editing the JSON of the current ones. */
public final class SchemaEdits {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SchemaEdits() {}

    /** An older Fill: before the optional {@code realizedPnl} was added. The current Fill reads it (BACKWARD). */
    public static String fillWithoutRealizedPnl() {
        return edit(Fill.getClassSchema(), fields -> removeField(fields, "realizedPnl"));
    }

    /** A Fill whose {@code price} is a string: the current Fill cannot read it (not BACKWARD). */
    public static String fillWithPriceAsString() {
        return edit(Fill.getClassSchema(), fields -> field(fields, "price").put("type", "string"));
    }

    /**
     * A newer Fill with fields the current one does not know, in the middle and at the end, of every kind that has
     * to be skipped: a string, an array, a map and a union.
     */
    public static String fillWithNewFields() {
        return edit(Fill.getClassSchema(), fields -> {
            ArrayNode copy = fields.deepCopy();
            fields.removeAll();
            for (JsonNode f : copy) {
                fields.add(f);
                if (f.get("name").asText().equals("exchange")) {
                    fields.addObject().put("name", "venueMic").put("type", "string").put("default", "");
                }
            }
            ObjectNode tags = fields.addObject().put("name", "tags");
            tags.putObject("type").put("type", "array").put("items", "string");
            tags.putArray("default");
            ObjectNode fees = fields.addObject().put("name", "fees");
            fees.putObject("type").put("type", "map").put("values", "double");
            fees.putObject("default");
            ObjectNode note = fields.addObject().put("name", "note");
            note.putArray("type").add("null").add("string");
            note.putNull("default");
        });
    }

    /** A newer OrderUpdate whose OrderStatus has a symbol the current one lacks; readers see UNKNOWN. */
    public static String orderUpdateWithNewStatus(String newSymbol) {
        return edit(OrderUpdate.getClassSchema(), fields -> {
            ArrayNode symbols = (ArrayNode) field(fields, "status").get("type").get("symbols");
            symbols.insert(0, newSymbol);
        });
    }

    private static String edit(Schema schema, Consumer<ArrayNode> editFields) {
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(schema.toString());
            editFields.accept((ArrayNode) root.get("fields"));
            return new Schema.Parser().parse(root.toString()).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void removeField(ArrayNode fields, String name) {
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).get("name").asText().equals(name)) {
                fields.remove(i);
                return;
            }
        }
        throw new IllegalArgumentException("no field " + name);
    }

    private static ObjectNode field(ArrayNode fields, String name) {
        for (JsonNode f : fields) {
            if (f.get("name").asText().equals(name)) {
                return (ObjectNode) f;
            }
        }
        throw new IllegalArgumentException("no field " + name);
    }
}
