package io.twsbridge.bridge.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decodes a Confluent-wire-format value the way any consumer would, without the bridge's code: read the magic
 * byte and schema id, fetch the schema from the registry over plain HTTP, decode with Avro's generic reader.
 */
final class PlainAvro {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Schema> SCHEMAS = new ConcurrentHashMap<>();

    private PlainAvro() {
    }

    static GenericRecord decode(String registryUrl, byte[] value) {
        ByteBuffer buffer = ByteBuffer.wrap(value);
        if (buffer.get() != 0) {
            throw new IllegalArgumentException("not the Confluent wire format: magic byte " + value[0]);
        }
        int id = buffer.getInt();
        Schema schema = SCHEMAS.computeIfAbsent(registryUrl + "#" + id, k -> fetch(registryUrl, id));
        try {
            return new GenericDatumReader<GenericRecord>(schema).read(null,
                    DecoderFactory.get().binaryDecoder(value, 5, value.length - 5, null));
        } catch (IOException e) {
            throw new IllegalArgumentException("value does not decode with schema " + id, e);
        }
    }

    private static Schema fetch(String registryUrl, int id) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(registryUrl + "/schemas/ids/" + id))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("registry answered " + r.statusCode() + " for schema " + id);
            }
            return new Schema.Parser().parse(JSON.readTree(r.body()).get("schema").asText());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
