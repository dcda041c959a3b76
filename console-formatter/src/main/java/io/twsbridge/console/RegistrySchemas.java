package io.twsbridge.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.avro.Schema;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Schemas by id from a Confluent-compatible registry ({@code GET <url>/schemas/ids/<id>}), each asked once. The
 * formatter's own small client: the console tools' classpath has no registry client, and this jar should not bring
 * one.
 */
public final class RegistrySchemas implements SchemaSource {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final String baseUrl;
    private final String authorization;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final ObjectMapper json = new ObjectMapper();
    private final Map<Integer, Schema> byId = new ConcurrentHashMap<>();

    /** @param userInfo {@code user:password} for HTTP basic authentication, or null */
    public RegistrySchemas(String baseUrl, String userInfo) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.authorization = userInfo == null || userInfo.isEmpty() ? null
                : "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public Schema byId(int id) throws IOException, InterruptedException {
        Schema known = byId.get(id);
        if (known != null) {
            return known;
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + "/schemas/ids/" + id))
                .timeout(TIMEOUT).header("Accept", "application/vnd.schemaregistry.v1+json, application/json");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> response = http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("schema registry GET " + baseUrl + "/schemas/ids/" + id + ": HTTP "
                    + response.statusCode() + " " + response.body());
        }
        JsonNode body = json.readTree(response.body());
        String type = body.path("schemaType").asText("AVRO");
        if (!type.equals("AVRO")) {
            throw new IOException("schema " + id + " is " + type + ", not Avro");
        }
        Schema schema = new Schema.Parser().parse(body.path("schema").asText());
        byId.put(id, schema);
        return schema;
    }
}
