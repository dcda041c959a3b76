package io.twsbridge.client.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of the Confluent Schema Registry REST API, written to Confluent's documented API and tolerant of the
 * differences of Apicurio Registry's Confluent-compatible API ({@code /apis/ccompat/v7}).
 *
 * <p><b>Calls.</b> Every call is a blocking HTTP request with the configured timeouts. I/O errors, timeouts, 5xx and
 * 429 are retried with exponential, randomised backoff ({@link #backoff(int)})
 * up to {@link SchemaRegistryConfig#maxAttempts()} attempts; every other non-2xx answer fails at once. Failures are
 * {@link SchemaRegistryException}s carrying the HTTP status, the registry's {@code error_code} and its message.
 * "Not found" answers of lookups become empty results; see {@link SchemaRegistryException#isNotFound()} for the
 * codes either registry uses.
 *
 * <p><b>Caches.</b> (subject, schema text) → id and id → parsed {@link Schema} are filled by every successful
 * register, lookup and fetch, and never expire: a schema id names one immutable schema. {@link #cachedId} and
 * {@link #cachedSchema} read the caches only and never make a call, which is what the serializer's hot path uses.
 * Schemas are always sent as {@link CanonicalSchema#text(Schema)}.
 *
 * <p><b>Credentials.</b> The basic-auth header is built once and only ever set on requests; it does not appear in
 * logs, exception messages or {@link #toString()}.
 *
 * <p><b>Threading.</b> Thread-safe. Calls block the calling thread, including while backing off between attempts
 * (through the injected {@link Sleeper}), so the registry is called at start-up and on cache misses, never on a
 * latency-sensitive thread.
 */
public final class SchemaRegistryClient {

    /** Content type of Confluent API requests. */
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    /** What the client accepts, in Confluent's own client's order of preference. */
    static final String ACCEPT =
            "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5";

    private static final Logger log = LoggerFactory.getLogger(SchemaRegistryClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ERROR_SNIPPET = 300;
    /** Register or set-level calls made when the registry answers 409 to a concurrent create (see {@link #register}). */
    private static final int CONFLICT_ROUNDS = 2;

    /** Waits between attempts; injected so that tests of backoff run without waiting. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final SchemaRegistryConfig config;
    private final String baseUrl;
    private final String authorization;
    private final HttpClient http;
    private final Sleeper sleeper;

    private final ConcurrentMap<SubjectText, Integer> idsBySubjectAndText = new ConcurrentHashMap<>();
    private final ConcurrentMap<Integer, Schema> schemasById = new ConcurrentHashMap<>();

    private record SubjectText(String subject, String text) {}

    /** A client that backs off by sleeping the calling thread. */
    public SchemaRegistryClient(SchemaRegistryConfig config) {
        this(config, duration -> TimeUnit.NANOSECONDS.sleep(duration.toNanos()));
    }

    public SchemaRegistryClient(SchemaRegistryConfig config, Sleeper sleeper) {
        this.config = Objects.requireNonNull(config, "config");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.baseUrl = config.baseUrl().toString();
        this.authorization = config.credentials()
                .map(c -> "Basic " + Base64.getEncoder().encodeToString(
                        (c.user() + ':' + c.password()).getBytes(StandardCharsets.UTF_8)))
                .orElse(null);
        this.http = HttpClient.newBuilder()
                .connectTimeout(config.connectTimeout())
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** The configuration this client was built with. */
    public SchemaRegistryConfig config() {
        return config;
    }

    // ------------------------------------------------------------------------------------------------ the API

    /**
     * Registers {@code schema} under {@code subject} ({@code POST /subjects/{subject}/versions}) and returns its id.
     * Registering a schema the subject already has returns the existing id. Answered from the cache, without a
     * call, when this client has registered or looked up the same schema under the same subject before. Two clients
     * registering a new subject at the same instant both get its id: the loser's 409 is resolved by a lookup (and,
     * when the winner registered another schema, one more register) instead of being reported as incompatible.
     *
     * @throws SchemaRegistryException 409 ({@link SchemaRegistryException#isIncompatible()}) when the registry refuses
     *                                 the schema as incompatible (Apicurio: error_code 0), 422 when it is invalid
     */
    public int register(String subject, Schema schema) {
        String text = CanonicalSchema.text(schema);
        SubjectText key = new SubjectText(requireSubject(subject), text);
        Integer cached = idsBySubjectAndText.get(key);
        if (cached != null) {
            return cached;
        }
        for (int round = 1; ; round++) {
            try {
                Reply reply = call("POST", subjectPath(subject) + "/versions", schemaBody(text));
                int id = reply.requiredInt("id");
                remember(key, id, schema);
                return id;
            } catch (SchemaRegistryException e) {
                if (!e.isIncompatible()) {
                    throw e;
                }
                // A 409 is also what a create gets when it loses a race: another client created the subject a
                // moment earlier (Apicurio: "artifact already exists", error_code 409, the very status and code
                // Confluent gives an incompatible schema). If the subject now holds this schema, that is success.
                // If it holds another one, register again: the subject exists now, so the registry judges the
                // schema on its merits, and a second 409 is a real refusal.
                Optional<SubjectVersion> winner = lookup(subject, schema);
                if (winner.isPresent()) {
                    log.info("Schema Registry subject {}: register answered HTTP 409 ({}), but the subject holds this"
                            + " schema as id {}: another client registered it at the same time", subject,
                            e.registryMessage(), winner.get().id());
                    return winner.get().id();
                }
                if (round == CONFLICT_ROUNDS) {
                    throw e;
                }
            }
        }
    }

    /**
     * Looks up whether {@code schema} is registered under {@code subject} ({@code POST /subjects/{subject}}).
     *
     * @return the subject's version of the schema, or empty when the subject does not exist or does not have this
     *         exact schema (Confluent 40401/40403, Apicurio 40402/40401)
     */
    public Optional<SubjectVersion> lookup(String subject, Schema schema) {
        String text = CanonicalSchema.text(schema);
        SubjectText key = new SubjectText(requireSubject(subject), text);
        Reply reply;
        try {
            reply = call("POST", subjectPath(subject), schemaBody(text));
        } catch (SchemaRegistryException e) {
            if (e.isNotFound()) {
                return Optional.empty();
            }
            throw e;
        }
        int id = reply.requiredInt("id");
        remember(key, id, schema);
        return Optional.of(new SubjectVersion(subject, id, reply.optionalInt("version", -1),
                reply.optionalText("schema", text)));
    }

    /**
     * The schema with {@code id} ({@code GET /schemas/ids/{id}}), from the cache when this client has seen it.
     *
     * @throws SchemaRegistryException {@link SchemaRegistryException#isNotFound()} when no schema has this id;
     *                                 {@link SchemaRegistryException.Kind#UNUSABLE_SCHEMA} when it is not an Avro
     *                                 schema this client can parse
     */
    public Schema schemaById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        String path = "/schemas/ids/" + id;
        Reply reply = call("GET", path, null);
        String type = reply.optionalText("schemaType", "AVRO");
        if (!"AVRO".equalsIgnoreCase(type)) {
            throw SchemaRegistryException.unusableSchema("GET", baseUrl + path, reply.status,
                    "schema " + id + " is of type " + type + ", not AVRO", null);
        }
        JsonNode references = reply.body.path("references");
        if (references.isArray() && !references.isEmpty()) {
            throw SchemaRegistryException.unusableSchema("GET", baseUrl + path, reply.status,
                    "schema " + id + " has references, which this client does not resolve", null);
        }
        String text = reply.requiredText("schema");
        Schema schema;
        try {
            schema = new Schema.Parser().parse(text);
        } catch (SchemaParseException | IllegalArgumentException e) {
            throw SchemaRegistryException.unusableSchema("GET", baseUrl + path, reply.status,
                    "schema " + id + " does not parse: " + e.getMessage(), e);
        }
        Schema previous = schemasById.putIfAbsent(id, schema);
        return previous != null ? previous : schema;
    }

    /**
     * The latest version of {@code subject} ({@code GET /subjects/{subject}/versions/latest}), or empty when the
     * subject has no versions.
     */
    public Optional<SubjectVersion> latestVersion(String subject) {
        Reply reply;
        try {
            reply = call("GET", subjectPath(requireSubject(subject)) + "/versions/latest", null);
        } catch (SchemaRegistryException e) {
            if (e.isNotFound()) {
                return Optional.empty();
            }
            throw e;
        }
        return Optional.of(new SubjectVersion(reply.optionalText("subject", subject), reply.requiredInt("id"),
                reply.requiredInt("version"), reply.requiredText("schema")));
    }

    /**
     * Asks whether {@code schema} could be registered under {@code subject}, under the subject's compatibility level,
     * against its latest version ({@code POST /compatibility/subjects/{subject}/versions/latest?verbose=true}).
     * A subject that does not exist yet is compatible.
     */
    public CompatibilityCheck checkCompatibility(String subject, Schema schema) {
        String text = CanonicalSchema.text(schema);
        Reply reply;
        try {
            reply = call("POST", "/compatibility" + subjectPath(requireSubject(subject)) + "/versions/latest?verbose=true",
                    schemaBody(text));
        } catch (SchemaRegistryException e) {
            if (e.isNotFound()) {
                return CompatibilityCheck.NO_VERSIONS_YET;
            }
            throw e;
        }
        JsonNode verdict = reply.body.get("is_compatible");
        if (verdict == null || !verdict.isBoolean()) {
            throw reply.bad("no boolean is_compatible");
        }
        List<String> messages = new ArrayList<>();
        JsonNode m = reply.body.get("messages");
        if (m != null && m.isArray()) {
            m.forEach(node -> messages.add(node.isTextual() ? node.asText() : node.toString()));
        } else if (m != null && m.isTextual()) {
            messages.add(m.asText());
        }
        for (String field : new String[] {"reason", "message"}) {
            JsonNode r = reply.body.get(field);
            if (r != null && r.isTextual() && !r.asText().isEmpty()) {
                messages.add(r.asText());
            }
        }
        return new CompatibilityCheck(verdict.booleanValue(), messages);
    }

    /**
     * Sets the compatibility level of {@code subject} ({@code PUT /config/{subject}}) and returns the level the
     * registry reports back. Under Apicurio the subject must exist (have a version) first.
     */
    public CompatibilityLevel setCompatibility(String subject, CompatibilityLevel level) {
        Objects.requireNonNull(level, "level");
        ObjectNode body = JSON.createObjectNode().put("compatibility", level.name());
        String path = "/config/" + encodePathSegment(requireSubject(subject));
        for (int round = 1; ; round++) {
            try {
                return levelIn(call("PUT", path, body)).orElse(level);
            } catch (SchemaRegistryException e) {
                // Apicurio keeps the level as a rule it creates on the first PUT; two clients doing that at the same
                // instant leave one with 409 "rule already exists". The rule exists now: the same PUT updates it.
                if (!e.isIncompatible() || round == CONFLICT_ROUNDS) {
                    throw e;
                }
                log.info("Schema Registry subject {}: setting the compatibility level answered HTTP 409 ({}); another"
                        + " client set it at the same time, setting it again", subject, e.registryMessage());
            }
        }
    }

    /**
     * The compatibility level of {@code subject} ({@code GET /config/{subject}}), or empty when the registry says
     * the subject has none of its own (Confluent: 404). <b>Apicurio answers the global level instead</b> for a
     * subject without a level of its own, so a present result does not prove the subject has its own level.
     */
    public Optional<CompatibilityLevel> compatibility(String subject) {
        Reply reply;
        try {
            reply = call("GET", "/config/" + encodePathSegment(requireSubject(subject)), null);
        } catch (SchemaRegistryException e) {
            if (e.isNotFound() || (e.status() == 404 && e.errorCode() == SchemaRegistryException.SUBJECT_LEVEL_NOT_CONFIGURED)) {
                return Optional.empty();
            }
            throw e;
        }
        Optional<CompatibilityLevel> level = levelIn(reply);
        if (level.isEmpty()) {
            throw reply.bad("no known compatibilityLevel");
        }
        return level;
    }

    /** The id of {@code schema} under {@code subject} if this client has registered or looked it up; never calls. */
    public OptionalInt cachedId(String subject, Schema schema) {
        Integer id = idsBySubjectAndText.get(new SubjectText(subject, CanonicalSchema.text(schema)));
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** The schema with {@code id} if this client has registered, looked up or fetched it; never calls. */
    public Optional<Schema> cachedSchema(int id) {
        return Optional.ofNullable(schemasById.get(id));
    }

    @Override
    public String toString() {
        return "SchemaRegistryClient[" + baseUrl
                + config.credentials().map(c -> ", basic auth as " + c.user()).orElse("") + "]";
    }

    // ------------------------------------------------------------------------------------------------ plumbing

    private void remember(SubjectText key, int id, Schema schema) {
        idsBySubjectAndText.put(key, id);
        schemasById.putIfAbsent(id, schema);
    }

    private static Optional<CompatibilityLevel> levelIn(Reply reply) {
        for (String field : new String[] {"compatibilityLevel", "compatibility"}) {
            JsonNode node = reply.body.get(field);
            if (node != null && node.isTextual()) {
                Optional<CompatibilityLevel> level = CompatibilityLevel.parse(node.asText());
                if (level.isPresent()) {
                    return level;
                }
            }
        }
        return Optional.empty();
    }

    private static ObjectNode schemaBody(String text) {
        return JSON.createObjectNode().put("schema", text);
    }

    private static String requireSubject(String subject) {
        if (subject == null || subject.isEmpty()) {
            throw new IllegalArgumentException("subject must not be empty");
        }
        return subject;
    }

    private static String subjectPath(String subject) {
        return "/subjects/" + encodePathSegment(subject);
    }

    /** Percent-encodes everything but RFC 3986 unreserved characters, so any subject is one path segment. */
    static String encodePathSegment(String segment) {
        byte[] bytes = segment.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length + 8);
        for (byte b : bytes) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /** A 2xx answer's JSON body. */
    private static final class Reply {
        final String method;
        final String url;
        final int status;
        final JsonNode body;

        Reply(String method, String url, int status, JsonNode body) {
            this.method = method;
            this.url = url;
            this.status = status;
            this.body = body;
        }

        int requiredInt(String field) {
            JsonNode node = body.get(field);
            if (node == null || !node.canConvertToInt() || !node.isIntegralNumber()) {
                throw bad("no integer " + field);
            }
            return node.intValue();
        }

        int optionalInt(String field, int absent) {
            JsonNode node = body.get(field);
            return node != null && node.isIntegralNumber() && node.canConvertToInt() ? node.intValue() : absent;
        }

        String requiredText(String field) {
            JsonNode node = body.get(field);
            if (node == null || !node.isTextual()) {
                throw bad("no text " + field);
            }
            return node.asText();
        }

        String optionalText(String field, String absent) {
            JsonNode node = body.get(field);
            return node != null && node.isTextual() ? node.asText() : absent;
        }

        SchemaRegistryException bad(String what) {
            return SchemaRegistryException.badResponse(method, url, status, what, null);
        }
    }

    /** One API call with retries; returns the 2xx body or throws. */
    private Reply call(String method, String pathAndQuery, JsonNode body) {
        String url = baseUrl + pathAndQuery;
        HttpRequest request = request(method, url, body);
        for (int attempt = 1; ; attempt++) {
            SchemaRegistryException failure;
            long started = System.nanoTime();
            try {
                HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                int status = response.statusCode();
                if (log.isDebugEnabled()) {
                    log.debug("Schema Registry {} {} -> {} in {} ms", method, url, status,
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                }
                if (status >= 200 && status < 300) {
                    return new Reply(method, url, status, parseBody(method, url, status, response.body()));
                }
                failure = errorFrom(method, url, status, response.body(), attempt);
            } catch (IOException e) {
                failure = SchemaRegistryException.ioError(method, url, attempt, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw SchemaRegistryException.interrupted(method, url, e);
            }
            if (!failure.isRetriable() || attempt >= config.maxAttempts()) {
                throw failure;
            }
            long delayMillis = backoff(attempt).toMillis();
            log.warn("Schema Registry {} {} failed (attempt {} of {}): {}; retrying in {} ms", method, url, attempt,
                    config.maxAttempts(), failure.status() == SchemaRegistryException.NO_RESPONSE
                            ? String.valueOf(failure.getCause()) : "HTTP " + failure.status(), delayMillis);
            try {
                sleeper.sleep(Duration.ofMillis(delayMillis));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw SchemaRegistryException.interrupted(method, url, e);
            }
        }
    }

    /**
     * The wait after failed attempt {@code attempt} (1 for the first): {@link SchemaRegistryConfig#initialBackoff()}
     * times {@link SchemaRegistryConfig#backoffMultiplier()} to the power {@code attempt - 1}, capped at
     * {@link SchemaRegistryConfig#maxBackoff()}, then spread uniformly by ± {@link SchemaRegistryConfig#backoffJitter()}
     * of itself, so that clients failing together do not retry together.
     */
    Duration backoff(int attempt) {
        double exponential = config.initialBackoff().toMillis() * Math.pow(config.backoffMultiplier(), attempt - 1);
        double capped = Math.min(exponential, config.maxBackoff().toMillis());
        double jitter = config.backoffJitter();
        double spread = jitter == 0 ? capped : capped * (1 - jitter + 2 * jitter * ThreadLocalRandom.current().nextDouble());
        return Duration.ofMillis(Math.max(1, Math.round(spread)));
    }

    private HttpRequest request(String method, String url, JsonNode body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .timeout(config.requestTimeout())
                .header("Accept", ACCEPT);
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            byte[] bytes;
            try {
                bytes = JSON.writeValueAsBytes(body);
            } catch (IOException e) {
                throw new IllegalStateException("cannot write a JSON tree", e);
            }
            b.header("Content-Type", CONTENT_TYPE).method(method, HttpRequest.BodyPublishers.ofByteArray(bytes));
        }
        return b.build();
    }

    private static JsonNode parseBody(String method, String url, int status, byte[] bytes) {
        try {
            JsonNode node = JSON.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw SchemaRegistryException.badResponse(method, url, status, "not a JSON object: " + snippet(bytes), null);
            }
            return node;
        } catch (IOException e) {
            throw SchemaRegistryException.badResponse(method, url, status, "not JSON: " + snippet(bytes), e);
        }
    }

    /** Confluent's error body is {@code {"error_code": 40401, "message": "..."}}; anything else is kept as a snippet. */
    private static SchemaRegistryException errorFrom(String method, String url, int status, byte[] bytes, int attempt) {
        int errorCode = SchemaRegistryException.NO_ERROR_CODE;
        String message = null;
        try {
            JsonNode node = bytes.length == 0 ? null : JSON.readTree(bytes);
            if (node != null && node.isObject()) {
                JsonNode code = node.get("error_code");
                if (code != null && code.isIntegralNumber() && code.canConvertToInt()) {
                    errorCode = code.intValue();
                }
                JsonNode text = node.get("message");
                if (text != null && text.isTextual()) {
                    message = text.asText();
                }
            }
        } catch (IOException notJson) {
            // fall through: keep a snippet of whatever came back (a proxy's HTML page, say)
        }
        if (message == null && bytes.length > 0) {
            message = snippet(bytes);
        }
        return SchemaRegistryException.httpError(method, url, status, errorCode, message, attempt);
    }

    private static String snippet(byte[] bytes) {
        String text = new String(bytes, 0, Math.min(bytes.length, MAX_ERROR_SNIPPET * 4), StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_ERROR_SNIPPET + 1));
        for (int i = 0; i < text.length() && out.length() < MAX_ERROR_SNIPPET; i++) {
            char c = text.charAt(i);
            out.append(Character.isISOControl(c) ? ' ' : c);
        }
        if (text.length() > MAX_ERROR_SNIPPET) {
            out.append('…');
        }
        return out.toString().trim();
    }
}
