package io.twsbridge.client.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaParseException;

/**
 * A Schema Registry that speaks the Confluent REST API on 127.0.0.1 (a free port), on the JDK's HttpServer, with
 * the error codes and quirks of either Confluent or Apicurio 2.4.2's ccompat API (see
 * /work/shared/notes/infrastructure.md):
 *
 * <table>
 *   <caption>differences by flavor</caption>
 *   <tr><th></th><th>CONFLUENT</th><th>APICURIO</th></tr>
 *   <tr><td>base path</td><td>/</td><td>/apis/ccompat/v7</td></tr>
 *   <tr><td>unknown subject</td><td>404 / 40401</td><td>404 / 40402</td></tr>
 *   <tr><td>schema not under subject</td><td>404 / 40403</td><td>404 / 40401</td></tr>
 *   <tr><td>incompatible register</td><td>409 / 409</td><td>409 / 0</td></tr>
 *   <tr><td>compatibility check reasons</td><td>"messages": [...]</td><td>"reason": "..."</td></tr>
 *   <tr><td>GET /config/{s} without own level</td><td>404 / 40408</td><td>200, the global level</td></tr>
 *   <tr><td>PUT /config/{s} of an unknown subject</td><td>allowed</td><td>404 / 40402</td></tr>
 *   <tr><td>bad compatibility value</td><td>422 / 42203</td><td>500</td></tr>
 *   <tr><td>global level</td><td>BACKWARD</td><td>NONE</td></tr>
 * </table>
 *
 * Schema text is compared literally (as Apicurio does), ids are sequential from 1 and shared by identical text
 * across subjects. Compatibility is judged with Avro's SchemaCompatibility. Every request is recorded; faults
 * (canned answers, dropped connections, hung requests) can be queued for the next requests.
 */
public final class FakeSchemaRegistry implements AutoCloseable {

    public enum Flavor { CONFLUENT, APICURIO }

    /** One request as received. */
    public record Request(String method, String path, String query, String authorization, String contentType,
                          String accept, String body) {
        /** The method and path, e.g. {@code POST /subjects/ib.quotes-value/versions}. */
        public String line() {
            return method + " " + path;
        }
    }

    private sealed interface Fault permits Respond, Drop, Hang {}

    private record Respond(int status, String body, String contentType) implements Fault {}

    private record Drop() implements Fault {}

    private record Hang(CountDownLatch release) implements Fault {}

    private record Stub(String method, String pathSuffix, int status, String body) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        // Without TCP_NODELAY the server's separate header and body writes meet the client's delayed ACK: 40 ms a
        // response. Read once, when the JDK's HttpServer configuration is first loaded.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final Flavor flavor;
    private final String basePath;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-schema-registry");
        t.setDaemon(true);
        return t;
    });
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<CountDownLatch> hangs = new CopyOnWriteArrayList<>();

    // state, guarded by this
    private final Deque<Fault> faults = new ArrayDeque<>();
    private final List<Stub> stubs = new ArrayList<>();
    private final Map<String, List<Integer>> subjects = new LinkedHashMap<>();
    private final Map<Integer, String> textById = new HashMap<>();
    private final Map<String, Integer> idByText = new HashMap<>();
    private final Map<String, String> subjectLevels = new HashMap<>();
    private String globalLevel;
    private int nextId = 1;
    private String requiredAuthorization;

    private FakeSchemaRegistry(Flavor flavor) throws IOException {
        this.flavor = flavor;
        this.basePath = flavor == Flavor.APICURIO ? "/apis/ccompat/v7" : "";
        this.globalLevel = flavor == Flavor.APICURIO ? "NONE" : "BACKWARD";
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public static FakeSchemaRegistry start(Flavor flavor) {
        try {
            return new FakeSchemaRegistry(flavor);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Flavor flavor() {
        return flavor;
    }

    /** The URL to configure the client with: {@code http://127.0.0.1:port} plus Apicurio's base path. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + basePath;
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public int requestCount() {
        return requests.size();
    }

    public void clearRequests() {
        requests.clear();
    }

    /** Answers 401 to every request without exactly these basic-auth credentials. */
    public synchronized void requireBasicAuth(String user, String password) {
        requiredAuthorization = "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** The next {@code times} requests are answered {@code status} with a Confluent error body. */
    public synchronized void failNext(int times, int status) {
        for (int i = 0; i < times; i++) {
            faults.add(new Respond(status, "{\"error_code\":" + (status * 100 + 1) + ",\"message\":\"injected " + status
                    + "\"}", "application/vnd.schemaregistry.v1+json"));
        }
    }

    /** The next request is answered {@code status} with this body and content type. */
    public synchronized void respondNext(int status, String body, String contentType) {
        faults.add(new Respond(status, body, contentType));
    }

    /** The next {@code times} requests get no response: the connection is closed. */
    public synchronized void dropNext(int times) {
        for (int i = 0; i < times; i++) {
            faults.add(new Drop());
        }
    }

    /** The next request is held without an answer until {@link #close()}. */
    public synchronized void hangNext() {
        CountDownLatch latch = new CountDownLatch(1);
        hangs.add(latch);
        faults.add(new Hang(latch));
    }

    /** The next request with this method whose path ends with {@code pathSuffix} is answered this way, once. */
    public synchronized void stubOnce(String method, String pathSuffix, int status, String body) {
        stubs.add(new Stub(method, pathSuffix, status, body));
    }

    /** Puts {@code schemaText} under {@code subject} as is, bypassing every check; returns its id. */
    public synchronized int preRegister(String subject, String schemaText) {
        int id = idFor(schemaText);
        subjects.computeIfAbsent(subject, s -> new ArrayList<>()).add(id);
        return id;
    }

    public synchronized List<String> subjects() {
        return List.copyOf(subjects.keySet());
    }

    /** The schema texts of the subject's versions, oldest first. */
    public synchronized List<String> versions(String subject) {
        return subjects.getOrDefault(subject, List.of()).stream().map(textById::get).toList();
    }

    /** The subject's own level, if one was set. */
    public synchronized Optional<String> subjectLevel(String subject) {
        return Optional.ofNullable(subjectLevels.get(subject));
    }

    public synchronized void setGlobalLevel(String level) {
        globalLevel = level;
    }

    @Override
    public void close() {
        hangs.forEach(CountDownLatch::countDown);
        server.stop(0);
        executor.shutdownNow();
    }

    // ------------------------------------------------------------------------------------------------ HTTP

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String rawPath = exchange.getRequestURI().getRawPath();
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            requests.add(new Request(method, rawPath, exchange.getRequestURI().getRawQuery(),
                    exchange.getRequestHeaders().getFirst("Authorization"),
                    exchange.getRequestHeaders().getFirst("Content-Type"),
                    exchange.getRequestHeaders().getFirst("Accept"), body));
            Fault fault;
            Stub stub = null;
            synchronized (this) {
                fault = faults.poll();
                if (fault == null) {
                    for (Stub s : stubs) {
                        if (s.method.equals(method) && rawPath.endsWith(s.pathSuffix)) {
                            stub = s;
                            break;
                        }
                    }
                    stubs.remove(stub);
                }
            }
            if (fault instanceof Drop) {
                return; // closing the exchange without a response closes the connection
            }
            if (fault instanceof Hang hang) {
                try {
                    hang.release().await(1, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            Respond response;
            if (fault instanceof Respond r) {
                response = r;
            } else if (stub != null) {
                response = new Respond(stub.status, stub.body, "application/vnd.schemaregistry.v1+json");
            } else {
                response = answer(method, rawPath, exchange.getRequestHeaders().getFirst("Authorization"), body);
            }
            byte[] bytes = response.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", response.contentType());
            exchange.sendResponseHeaders(response.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    private synchronized Respond answer(String method, String rawPath, String authorization, String body) {
        if (requiredAuthorization != null && !requiredAuthorization.equals(authorization)) {
            return error(401, 40101, "Unauthorized");
        }
        if (!rawPath.startsWith(basePath + "/")) {
            return error(404, 404, "HTTP 404 Not Found");
        }
        List<String> p = new ArrayList<>();
        for (String segment : rawPath.substring(basePath.length() + 1).split("/", -1)) {
            p.add(URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8));
        }
        try {
            if (p.size() == 3 && p.get(0).equals("subjects") && p.get(2).equals("versions") && method.equals("POST")) {
                return register(p.get(1), schemaIn(body));
            }
            if (p.size() == 2 && p.get(0).equals("subjects") && method.equals("POST")) {
                return lookup(p.get(1), schemaIn(body));
            }
            if (p.size() == 4 && p.get(0).equals("subjects") && p.get(2).equals("versions")
                    && p.get(3).equals("latest") && method.equals("GET")) {
                return latest(p.get(1));
            }
            if (p.size() == 3 && p.get(0).equals("schemas") && p.get(1).equals("ids") && method.equals("GET")) {
                return byId(p.get(2));
            }
            if (p.size() == 5 && p.get(0).equals("compatibility") && p.get(1).equals("subjects")
                    && p.get(3).equals("versions") && p.get(4).equals("latest") && method.equals("POST")) {
                return compatibility(p.get(2), schemaIn(body));
            }
            if (p.size() == 2 && p.get(0).equals("config") && method.equals("PUT")) {
                return putConfig(p.get(1), JSON.readTree(body).path("compatibility").asText(null));
            }
            if (p.size() == 2 && p.get(0).equals("config") && method.equals("GET")) {
                return getConfig(p.get(1));
            }
        } catch (InvalidSchema e) {
            return error(422, 42201, "Invalid schema: " + e.getMessage());
        } catch (IOException e) {
            return error(400, 400, "Unrecognized request body");
        }
        return error(404, 404, "HTTP 404 Not Found");
    }

    private Respond register(String subject, String text) {
        List<Integer> versions = subjects.get(subject);
        if (versions != null) {
            for (int id : versions) {
                if (textById.get(id).equals(text)) {
                    return ok(JSON.createObjectNode().put("id", id));
                }
            }
            List<String> problems = problems(subject, text);
            if (!problems.isEmpty()) {
                return flavor == Flavor.APICURIO
                        ? error(409, 0, "Incompatible artifact: " + subject + " [" + level(subject) + "], causes: "
                                + String.join("; ", problems))
                        : error(409, 409, "Schema being registered is incompatible with an earlier schema for subject \""
                                + subject + "\", details: " + problems);
            }
        }
        int id = idFor(text);
        subjects.computeIfAbsent(subject, s -> new ArrayList<>()).add(id);
        return ok(JSON.createObjectNode().put("id", id));
    }

    private Respond lookup(String subject, String text) {
        List<Integer> versions = subjects.get(subject);
        if (versions == null) {
            return subjectNotFound(subject);
        }
        for (int i = 0; i < versions.size(); i++) {
            if (textById.get(versions.get(i)).equals(text)) {
                return ok(version(subject, i));
            }
        }
        return flavor == Flavor.APICURIO
                ? error(404, 40401, "No artifact with ID '" + subject + "' in group 'null' was found.")
                : error(404, 40403, "Schema not found");
    }

    private Respond latest(String subject) {
        List<Integer> versions = subjects.get(subject);
        if (versions == null || versions.isEmpty()) {
            return subjectNotFound(subject);
        }
        return ok(version(subject, versions.size() - 1));
    }

    private Respond byId(String idText) {
        String text;
        try {
            text = textById.get(Integer.parseInt(idText));
        } catch (NumberFormatException e) {
            text = null;
        }
        if (text == null) {
            return error(404, 40403, "Schema " + idText + " not found");
        }
        return ok(JSON.createObjectNode().put("schema", text));
    }

    private Respond compatibility(String subject, String text) {
        List<Integer> versions = subjects.get(subject);
        if (versions == null || versions.isEmpty()) {
            return subjectNotFound(subject);
        }
        List<String> problems = problems(subject, text);
        ObjectNode node = JSON.createObjectNode().put("is_compatible", problems.isEmpty());
        if (!problems.isEmpty()) {
            if (flavor == Flavor.APICURIO) {
                node.put("reason", String.join("; ", problems)); // Apicurio's CompatibilityCheckResponse
            } else {
                problems.forEach(node.putArray("messages")::add); // Confluent's verbose answer
            }
        }
        return ok(node);
    }

    private Respond putConfig(String subject, String level) {
        if (level == null || CompatibilityLevel.parse(level).isEmpty()) {
            return flavor == Flavor.APICURIO
                    ? error(500, 50001, "Internal Server Error")
                    : error(422, 42203, "Invalid compatibility level");
        }
        if (flavor == Flavor.APICURIO && !subjects.containsKey(subject)) {
            return subjectNotFound(subject);
        }
        subjectLevels.put(subject, level);
        return ok(JSON.createObjectNode().put("compatibility", level));
    }

    private Respond getConfig(String subject) {
        String level = subjectLevels.get(subject);
        if (level == null) {
            if (flavor == Flavor.CONFLUENT) {
                return error(404, 40408, "Subject '" + subject + "' does not have subject-level compatibility configured");
            }
            level = globalLevel;
        }
        return ok(JSON.createObjectNode().put("compatibilityLevel", level));
    }

    private Respond subjectNotFound(String subject) {
        return flavor == Flavor.APICURIO
                ? error(404, 40402, "No artifact with ID '" + subject + "' in group 'null' was found.")
                : error(404, 40401, "Subject '" + subject + "' not found.");
    }

    private ObjectNode version(String subject, int index) {
        int id = subjects.get(subject).get(index);
        return JSON.createObjectNode().put("subject", subject).put("version", index + 1).put("id", id)
                .put("schema", textById.get(id));
    }

    private String level(String subject) {
        return subjectLevels.getOrDefault(subject, globalLevel);
    }

    /** Why {@code text} may not join the subject under its level; empty when it may. */
    private List<String> problems(String subject, String text) {
        String level = level(subject);
        List<Integer> versions = subjects.get(subject);
        if (level.equals("NONE") || versions == null || versions.isEmpty()) {
            return List.of();
        }
        Schema candidate = new Schema.Parser().parse(text);
        List<Integer> against = level.endsWith("_TRANSITIVE") ? versions : List.of(versions.get(versions.size() - 1));
        List<String> problems = new ArrayList<>();
        for (int id : against) {
            Schema existing = new Schema.Parser().parse(textById.get(id));
            if (level.startsWith("BACKWARD") || level.startsWith("FULL")) {
                describe(SchemaCompatibility.checkReaderWriterCompatibility(candidate, existing), problems);
            }
            if (level.startsWith("FORWARD") || level.startsWith("FULL")) {
                describe(SchemaCompatibility.checkReaderWriterCompatibility(existing, candidate), problems);
            }
        }
        return problems;
    }

    private static void describe(SchemaCompatibility.SchemaPairCompatibility result, List<String> problems) {
        result.getResult().getIncompatibilities().forEach(i ->
                problems.add("{errorType:'" + i.getType() + "', description:'" + i.getMessage() + "', location:'"
                        + i.getLocation() + "'}"));
    }

    private int idFor(String text) {
        Integer id = idByText.get(text);
        if (id == null) {
            id = nextId++;
            idByText.put(text, id);
            textById.put(id, text);
        }
        return id;
    }

    private static final class InvalidSchema extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidSchema(String message) {
            super(message);
        }
    }

    private static String schemaIn(String body) throws IOException, InvalidSchema {
        JsonNode node = JSON.readTree(body);
        String text = node.path("schema").asText(null);
        if (text == null) {
            throw new InvalidSchema("no schema");
        }
        try {
            new Schema.Parser().parse(text);
        } catch (SchemaParseException e) {
            throw new InvalidSchema(e.getMessage());
        }
        return text;
    }

    private static Respond ok(JsonNode node) {
        return new Respond(200, node.toString(), "application/vnd.schemaregistry.v1+json");
    }

    private static Respond error(int status, int code, String message) {
        return new Respond(status, JSON.createObjectNode().put("error_code", code).put("message", message).toString(),
                "application/vnd.schemaregistry.v1+json");
    }
}
