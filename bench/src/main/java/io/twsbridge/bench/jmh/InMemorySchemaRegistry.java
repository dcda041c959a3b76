package io.twsbridge.bench.jmh;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.twsbridge.client.registry.SchemaRegistryClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Just enough of the Confluent Schema Registry API, on 127.0.0.1, for a {@link SchemaRegistryClient} to register
 * schemas at a benchmark's setup: {@code POST /subjects/{subject}/versions} answers an id (one per distinct schema
 * text, from 1). Registering fills the client's caches, which is all the serializer and the deserializer read
 * afterwards, so the registry can be closed before the measurement starts.
 */
final class InMemorySchemaRegistry implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final Map<String, Integer> idsByText = new ConcurrentHashMap<>();

    private InMemorySchemaRegistry(HttpServer server) {
        this.server = server;
    }

    static InMemorySchemaRegistry start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry(server);
        server.createContext("/", registry::handle);
        server.start();
        return registry;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            if (!"POST".equals(exchange.getRequestMethod()) || !path.startsWith("/subjects/")
                    || !path.endsWith("/versions")) {
                reply(exchange, 404, "{\"error_code\":40401,\"message\":\"not supported here: " + path + "\"}");
                return;
            }
            String text;
            try (InputStream in = exchange.getRequestBody()) {
                text = JSON.readTree(in).path("schema").asText();
            }
            int id = idsByText.computeIfAbsent(text, t -> idsByText.size() + 1);
            reply(exchange, 200, "{\"id\":" + id + "}");
        }
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", SchemaRegistryClient.CONTENT_TYPE);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
