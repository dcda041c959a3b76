package io.twsbridge.client.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.twsbridge.client.registry.FakeSchemaRegistry.Flavor;
import io.twsbridge.schema.Fill;
import io.twsbridge.schema.Quote;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SchemaRegistryClientTest {

    private static final String QUOTES = "ib.quotes-value";
    private static final String FILLS = "ib.fills-value";
    private static final Schema QUOTE = Quote.getClassSchema();
    private static final Schema FILL = Fill.getClassSchema();

    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    private FakeSchemaRegistry registry;

    @AfterEach
    void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    private FakeSchemaRegistry start(Flavor flavor) {
        registry = FakeSchemaRegistry.start(flavor);
        return registry;
    }

    /** 4 attempts, backoff 100 ms doubling to 1 s without jitter; the sleeper records instead of waiting. */
    private SchemaRegistryClient client(UnaryOperator<SchemaRegistryConfig.Builder> customise) {
        SchemaRegistryConfig.Builder builder = SchemaRegistryConfig.builder(registry.baseUrl())
                .connectTimeout(Duration.ofSeconds(2))
                .requestTimeout(Duration.ofSeconds(5))
                .maxAttempts(4)
                .initialBackoff(Duration.ofMillis(100))
                .backoffMultiplier(2)
                .maxBackoff(Duration.ofSeconds(1))
                .backoffJitter(0);
        return new SchemaRegistryClient(customise.apply(builder).build(), sleeps::add);
    }

    private SchemaRegistryClient client() {
        return client(b -> b);
    }

    // ------------------------------------------------------------------------------------------------ API

    @ParameterizedTest
    @EnumSource(Flavor.class)
    void registersAndCachesTheId(Flavor flavor) throws Exception {
        start(flavor);
        SchemaRegistryClient client = client();

        int id = client.register(QUOTES, QUOTE);

        assertThat(id).isEqualTo(1);
        assertThat(registry.versions(QUOTES)).containsExactly(CanonicalSchema.text(QUOTE));
        FakeSchemaRegistry.Request request = registry.requests().get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).endsWith("/subjects/ib.quotes-value/versions");
        assertThat(request.contentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
        assertThat(request.accept()).startsWith("application/vnd.schemaregistry.v1+json");
        assertThat(new ObjectMapper().readTree(request.body()).get("schema").asText())
                .isEqualTo(QUOTE.toString());

        assertThat(client.register(QUOTES, QUOTE)).isEqualTo(id);
        assertThat(registry.requestCount()).as("second register answered from the cache").isEqualTo(1);
        assertThat(client.cachedId(QUOTES, QUOTE)).hasValue(id);
        assertThat(client.cachedSchema(id)).containsSame(QUOTE);
        assertThat(client.cachedId(FILLS, QUOTE)).isEmpty();
    }

    @Test
    void theSameSchemaUnderTwoSubjectsHasOneId() {
        start(Flavor.APICURIO);
        SchemaRegistryClient client = client();

        int first = client.register(QUOTES, QUOTE);
        int second = client.register("other.quotes-value", QUOTE);
        int fill = client.register(FILLS, FILL);

        assertThat(second).isEqualTo(first);
        assertThat(fill).isNotEqualTo(first);
        assertThat(registry.requestCount()).isEqualTo(3);
    }

    @ParameterizedTest
    @EnumSource(Flavor.class)
    void lookupFindsARegisteredSchema(Flavor flavor) {
        start(flavor);
        registry.preRegister(QUOTES, CanonicalSchema.text(FILL));
        int id = registry.preRegister(QUOTES, CanonicalSchema.text(QUOTE));
        SchemaRegistryClient client = client();

        SubjectVersion found = client.lookup(QUOTES, QUOTE).orElseThrow();

        assertThat(found.id()).isEqualTo(id);
        assertThat(found.version()).isEqualTo(2);
        assertThat(found.subject()).isEqualTo(QUOTES);
        assertThat(found.schemaText()).isEqualTo(CanonicalSchema.text(QUOTE));
        assertThat(client.cachedId(QUOTES, QUOTE)).hasValue(id);
    }

    @ParameterizedTest
    @EnumSource(Flavor.class)
    void lookupOfAnUnknownSubjectOrSchemaIsEmpty(Flavor flavor) {
        start(flavor);
        registry.preRegister(FILLS, CanonicalSchema.text(FILL));
        SchemaRegistryClient client = client();

        assertThat(client.lookup(QUOTES, QUOTE)).as("unknown subject").isEmpty();
        assertThat(client.lookup(FILLS, QUOTE)).as("schema not under the subject").isEmpty();
        assertThat(client.cachedId(QUOTES, QUOTE)).isEmpty();
    }

    @Test
    void schemaTextIsComparedLiterallySoOnlyTheCanonicalTextMatches() {
        start(Flavor.APICURIO);
        registry.preRegister(QUOTES, " " + QUOTE + "\n");
        SchemaRegistryClient client = client();

        assertThat(client.lookup(QUOTES, QUOTE)).as("the same schema with other whitespace is another schema to Apicurio").isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Flavor.class)
    void schemaByIdIsFetchedOnceThenCached(Flavor flavor) {
        start(flavor);
        int id = registry.preRegister(QUOTES, CanonicalSchema.text(QUOTE));
        SchemaRegistryClient client = client();

        assertThat(client.schemaById(id)).isEqualTo(QUOTE);
        assertThat(client.schemaById(id)).isEqualTo(QUOTE);

        assertThat(registry.requests()).extracting(FakeSchemaRegistry.Request::line)
                .containsExactly("GET " + pathOf("/schemas/ids/" + id));
    }

    @Test
    void anUnknownIdIsNotFound() {
        start(Flavor.CONFLUENT);
        SchemaRegistryClient client = client();

        SchemaRegistryException e = catchThrowableOfType(SchemaRegistryException.class, () -> client.schemaById(42));

        assertThat(e.isNotFound()).isTrue();
        assertThat(e.status()).isEqualTo(404);
        assertThat(e.errorCode()).isEqualTo(40403);
        assertThat(e.kind()).isEqualTo(SchemaRegistryException.Kind.HTTP_ERROR);
        assertThat(e.getMessage()).contains("GET", "/schemas/ids/42", "404", "40403", "Schema 42 not found");
        assertThat(registry.requestCount()).as("404 is not retried").isEqualTo(1);
    }

    @Test
    void aSchemaThatIsNotAvroIsUnusable() {
        start(Flavor.CONFLUENT);
        registry.stubOnce("GET", "/schemas/ids/7", 200, "{\"schema\":\"syntax = \\\"proto3\\\";\",\"schemaType\":\"PROTOBUF\"}");
        registry.stubOnce("GET", "/schemas/ids/8", 200, "{\"schema\":\"{not avro\"}");
        SchemaRegistryClient client = client();

        assertThat(catchThrowableOfType(SchemaRegistryException.class, () -> client.schemaById(7)).kind())
                .isEqualTo(SchemaRegistryException.Kind.UNUSABLE_SCHEMA);
        assertThat(catchThrowableOfType(SchemaRegistryException.class, () -> client.schemaById(8)).kind())
                .isEqualTo(SchemaRegistryException.Kind.UNUSABLE_SCHEMA);
    }

    @ParameterizedTest
    @EnumSource(Flavor.class)
    void latestVersion(Flavor flavor) {
        start(flavor);
        SchemaRegistryClient client = client();
        assertThat(client.latestVersion(QUOTES)).isEmpty();

        registry.preRegister(QUOTES, CanonicalSchema.text(FILL));
        int id = registry.preRegister(QUOTES, CanonicalSchema.text(QUOTE));

        assertThat(client.latestVersion(QUOTES)).hasValueSatisfying(v -> {
            assertThat(v.id()).isEqualTo(id);
            assertThat(v.version()).isEqualTo(2);
            assertThat(v.schemaText()).isEqualTo(CanonicalSchema.text(QUOTE));
        });
    }

    @ParameterizedTest
    @EnumSource(Flavor.class)
    void compatibilityCheck(Flavor flavor) {
        start(flavor);
        SchemaRegistryClient client = client();

        assertThat(client.checkCompatibility(FILLS, FILL)).as("no subject yet").isEqualTo(CompatibilityCheck.NO_VERSIONS_YET);

        registry.preRegister(FILLS, SchemaEdits.fillWithoutRealizedPnl());
        client.setCompatibility(FILLS, CompatibilityLevel.BACKWARD);
        assertThat(client.checkCompatibility(FILLS, FILL).compatible()).as("added an optional field").isTrue();

        registry.preRegister(FILLS, SchemaEdits.fillWithPriceAsString());
        CompatibilityCheck refused = client.checkCompatibility(FILLS, FILL);
        assertThat(refused.compatible()).isFalse();
        assertThat(refused.messages()).anySatisfy(m -> assertThat(m).contains("TYPE_MISMATCH", "/fields/9/type"));
        assertThat(registry.requests()).filteredOn(r -> r.path().contains("/compatibility/"))
                .allSatisfy(r -> {
                    assertThat(r.path()).endsWith("/compatibility/subjects/ib.fills-value/versions/latest");
                    assertThat(r.query()).isEqualTo("verbose=true");
                });
    }

    @Test
    void confluentHasNoLevelForASubjectWithoutItsOwn() {
        start(Flavor.CONFLUENT);
        SchemaRegistryClient client = client();

        assertThat(client.compatibility(QUOTES)).isEmpty();
        assertThat(client.setCompatibility(QUOTES, CompatibilityLevel.BACKWARD)).isEqualTo(CompatibilityLevel.BACKWARD);
        assertThat(client.compatibility(QUOTES)).contains(CompatibilityLevel.BACKWARD);
        assertThat(registry.requests()).extracting(FakeSchemaRegistry.Request::line)
                .contains("PUT /config/ib.quotes-value");
    }

    @Test
    void apicurioAnswersTheGlobalLevelForASubjectWithoutItsOwn() {
        start(Flavor.APICURIO);
        SchemaRegistryClient client = client();
        client.register(QUOTES, QUOTE);

        assertThat(client.compatibility(QUOTES)).as("Apicurio's global level").contains(CompatibilityLevel.NONE);
        assertThat(client.setCompatibility(QUOTES, CompatibilityLevel.BACKWARD_TRANSITIVE))
                .isEqualTo(CompatibilityLevel.BACKWARD_TRANSITIVE);
        assertThat(client.compatibility(QUOTES)).contains(CompatibilityLevel.BACKWARD_TRANSITIVE);
    }

    @Test
    void subjectsArePercentEncodedAsOnePathSegment() {
        start(Flavor.CONFLUENT);
        SchemaRegistryClient client = client();

        client.register("odd topic/ü-value", QUOTE);

        assertThat(registry.requests().get(0).path()).isEqualTo("/subjects/odd%20topic%2F%C3%BC-value/versions");
        assertThat(registry.subjects()).containsExactly("odd topic/ü-value");
    }

    @Test
    void apicurioBasePathIsKept() {
        start(Flavor.APICURIO);
        SchemaRegistryClient client = client();

        client.register(QUOTES, QUOTE);

        assertThat(registry.requests().get(0).path()).isEqualTo("/apis/ccompat/v7/subjects/ib.quotes-value/versions");
    }

    // ------------------------------------------------------------------------------------------------ retries

    @Test
    void retries503WithExponentialBackoffThenSucceeds() {
        start(Flavor.CONFLUENT);
        registry.failNext(2, 503);
        SchemaRegistryClient client = client();

        assertThat(client.register(QUOTES, QUOTE)).isEqualTo(1);

        assertThat(registry.requestCount()).isEqualTo(3);
        assertThat(sleeps).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    }

    @Test
    void retries429AndDroppedConnections() {
        start(Flavor.CONFLUENT);
        registry.failNext(1, 429);
        registry.dropNext(2);
        SchemaRegistryClient client = client();

        assertThat(client.register(QUOTES, QUOTE)).isEqualTo(1);

        assertThat(registry.requestCount()).isEqualTo(4);
        assertThat(sleeps).hasSize(3);
    }

    @Test
    void retriesARequestThatTimesOut() {
        start(Flavor.CONFLUENT);
        registry.hangNext();
        SchemaRegistryClient client = client(b -> b.requestTimeout(Duration.ofMillis(300)));

        assertThat(client.register(QUOTES, QUOTE)).isEqualTo(1);

        assertThat(registry.requestCount()).isEqualTo(2);
        assertThat(sleeps).containsExactly(Duration.ofMillis(100));
    }

    @Test
    void givesUpAfterMaxAttemptsWithCappedBackoff() {
        start(Flavor.CONFLUENT);
        registry.failNext(10, 503);
        SchemaRegistryClient client = client(b -> b.maxBackoff(Duration.ofMillis(250)));

        SchemaRegistryException e = catchThrowableOfType(SchemaRegistryException.class,
                () -> client.register(QUOTES, QUOTE));

        assertThat(e.status()).isEqualTo(503);
        assertThat(e.errorCode()).isEqualTo(50301);
        assertThat(e.isRetriable()).isTrue();
        assertThat(e.getMessage()).contains("after 4 attempts");
        assertThat(registry.requestCount()).isEqualTo(4);
        assertThat(sleeps).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(250));
    }

    @Test
    void anUnreachableRegistryFailsAfterMaxAttempts() {
        start(Flavor.CONFLUENT);
        String url = registry.baseUrl();
        registry.close();
        registry = null;
        SchemaRegistryClient client = new SchemaRegistryClient(SchemaRegistryConfig.builder(url).maxAttempts(3)
                .initialBackoff(Duration.ofMillis(10)).backoffJitter(0).build(), sleeps::add);

        SchemaRegistryException e = catchThrowableOfType(SchemaRegistryException.class, () -> client.latestVersion(QUOTES));

        assertThat(e.kind()).isEqualTo(SchemaRegistryException.Kind.NO_RESPONSE);
        assertThat(e.status()).isEqualTo(SchemaRegistryException.NO_RESPONSE);
        assertThat(e.getMessage()).contains("after 3 attempts");
        assertThat(sleeps).hasSize(2);
    }

    // ------------------------------------------------------------------------------------------------ 409 races

    private static final String ALREADY_EXISTS =
            "{\"error_code\":409,\"message\":\"An artifact with ID 'ib.quotes-value' in group 'null' already exists.\"}";

    @Test
    void aRegisterThatLostTheRaceToCreateTheSubjectGetsTheWinnersId() {
        // What Apicurio answered the slower of two bridges: the other one had just created the subject.
        start(Flavor.APICURIO);
        int winners = registry.preRegister(QUOTES, CanonicalSchema.text(QUOTE));
        registry.stubOnce("POST", "/subjects/ib.quotes-value/versions", 409, ALREADY_EXISTS);
        SchemaRegistryClient client = client();

        int id = client.register(QUOTES, QUOTE);

        assertThat(id).isEqualTo(winners);
        assertThat(client.cachedId(QUOTES, QUOTE)).hasValue(winners);
        assertThat(registry.requests()).extracting(FakeSchemaRegistry.Request::path)
                .as("the register, then a lookup that finds the schema")
                .containsExactly("/apis/ccompat/v7/subjects/ib.quotes-value/versions",
                        "/apis/ccompat/v7/subjects/ib.quotes-value");
        assertThat(registry.versions(QUOTES)).hasSize(1);
    }

    @Test
    void aRegisterThatLostTheRaceToAnotherSchemaRegistersAgainAsANewVersion() {
        start(Flavor.APICURIO);
        registry.stubOnce("POST", "/subjects/ib.quotes-value/versions", 409, ALREADY_EXISTS);
        SchemaRegistryClient client = client();

        int id = client.register(QUOTES, QUOTE);

        assertThat(registry.versions(QUOTES)).containsExactly(CanonicalSchema.text(QUOTE));
        assertThat(client.cachedId(QUOTES, QUOTE)).hasValue(id);
        assertThat(registry.requests()).extracting(FakeSchemaRegistry.Request::path)
                .as("register (409), lookup (not there), register again")
                .containsExactly("/apis/ccompat/v7/subjects/ib.quotes-value/versions",
                        "/apis/ccompat/v7/subjects/ib.quotes-value",
                        "/apis/ccompat/v7/subjects/ib.quotes-value/versions");
    }

    @ParameterizedTest
    @EnumSource(Flavor.class)
    void aSchemaRefusedTwiceIsIncompatibleAfterTwoRegistersAndTwoLookups(Flavor flavor) {
        start(flavor);
        registry.stubOnce("POST", "/subjects/ib.quotes-value/versions", 409, ALREADY_EXISTS);
        registry.stubOnce("POST", "/subjects/ib.quotes-value/versions", 409,
                "{\"error_code\":409,\"message\":\"Schema being registered is incompatible\"}");
        SchemaRegistryClient client = client();

        SchemaRegistryException e = catchThrowableOfType(SchemaRegistryException.class,
                () -> client.register(QUOTES, QUOTE));

        assertThat(e.isIncompatible()).isTrue();
        assertThat(e.registryMessage()).isEqualTo("Schema being registered is incompatible");
        assertThat(registry.requestCount()).isEqualTo(4);
        assertThat(client.cachedId(QUOTES, QUOTE)).isEmpty();
    }

    @Test
    void settingTheLevelWhileAnotherClientCreatesTheRuleSetsItAgain() {
        start(Flavor.APICURIO);
        registry.preRegister(QUOTES, CanonicalSchema.text(QUOTE));
        registry.stubOnce("PUT", "/config/ib.quotes-value", 409,
                "{\"error_code\":0,\"message\":\"A rule named 'COMPATIBILITY' already exists.\"}");
        SchemaRegistryClient client = client();

        CompatibilityLevel level = client.setCompatibility(QUOTES, CompatibilityLevel.BACKWARD_TRANSITIVE);

        assertThat(level).isEqualTo(CompatibilityLevel.BACKWARD_TRANSITIVE);
        assertThat(registry.subjectLevel(QUOTES)).hasValue("BACKWARD_TRANSITIVE");
        assertThat(registry.requestCount()).isEqualTo(2);
        assertThat(sleeps).as("a conflict is not an outage: no backoff").isEmpty();
    }

    @Test
    void doesNotRetry422() {
        start(Flavor.CONFLUENT);
        registry.stubOnce("POST", "/versions", 422, "{\"error_code\":42201,\"message\":\"Invalid schema: no type\"}");
        SchemaRegistryClient client = client();

        SchemaRegistryException e = catchThrowableOfType(SchemaRegistryException.class,
                () -> client.register(QUOTES, QUOTE));

        assertThat(e.status()).isEqualTo(422);
        assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.INVALID_SCHEMA);
        assertThat(e.registryMessage()).isEqualTo("Invalid schema: no type");
        assertThat(e.isRetriable()).isFalse();
        assertThat(registry.requestCount()).isEqualTo(1);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void a404WithoutANotFoundCodeIsAnErrorNotAnEmptyAnswer() {
        start(Flavor.CONFLUENT);
        registry.respondNext(404, "<html><body>No such context</body></html>", "text/html");
        SchemaRegistryClient client = client();

        SchemaRegistryException e = catchThrowableOfType(SchemaRegistryException.class, () -> client.latestVersion(QUOTES));

        assertThat(e.isNotFound()).isFalse();
        assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.NO_ERROR_CODE);
        assertThat(e.registryMessage()).contains("No such context");
        assertThat(registry.requestCount()).isEqualTo(1);
    }

    @Test
    void aProxyErrorPageIsRetriedAndKeptAsASnippet() {
        start(Flavor.CONFLUENT);
        for (int i = 0; i < 4; i++) {
            registry.respondNext(502, "<html><body>Bad Gateway</body></html>", "text/html");
        }
        SchemaRegistryClient client = client();

        SchemaRegistryException e = catchThrowableOfType(SchemaRegistryException.class, () -> client.latestVersion(QUOTES));

        assertThat(e.status()).isEqualTo(502);
        assertThat(e.registryMessage()).contains("Bad Gateway");
        assertThat(registry.requestCount()).isEqualTo(4);
    }

    @Test
    void anInterruptedBackoffStopsAtOnce() {
        start(Flavor.CONFLUENT);
        registry.failNext(1, 503);
        SchemaRegistryClient client = new SchemaRegistryClient(SchemaRegistryConfig.builder(registry.baseUrl()).build(),
                d -> {
                    throw new InterruptedException("stop");
                });
        try {
            SchemaRegistryException e = catchThrowableOfType(SchemaRegistryException.class,
                    () -> client.register(QUOTES, QUOTE));
            assertThat(e.kind()).isEqualTo(SchemaRegistryException.Kind.INTERRUPTED);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(registry.requestCount()).isEqualTo(1);
    }

    // ------------------------------------------------------------------------------------------------ credentials

    @Test
    void sendsBasicAuthOnEveryRequest() {
        start(Flavor.CONFLUENT);
        registry.requireBasicAuth("bridge", "s3cr3t-pw");
        SchemaRegistryClient client = client(b -> b.basicAuth("bridge", "s3cr3t-pw"));

        client.register(QUOTES, QUOTE);
        client.lookup(QUOTES, QUOTE);
        client.setCompatibility(QUOTES, CompatibilityLevel.BACKWARD);

        String expected = "Basic " + Base64.getEncoder().encodeToString("bridge:s3cr3t-pw".getBytes(StandardCharsets.UTF_8));
        assertThat(registry.requests()).hasSize(3).allSatisfy(r -> assertThat(r.authorization()).isEqualTo(expected));
    }

    @Test
    void theWrongPasswordFailsWithoutRetryAndWithoutShowingThePassword() {
        start(Flavor.CONFLUENT);
        registry.requireBasicAuth("bridge", "right-pw");
        SchemaRegistryClient client = client(b -> b.basicAuth("bridge", "wr0ng-pw"));

        SchemaRegistryException e = catchThrowableOfType(SchemaRegistryException.class,
                () -> client.register(QUOTES, QUOTE));

        assertThat(e.status()).isEqualTo(401);
        assertThat(registry.requestCount()).isEqualTo(1);
        String encoded = Base64.getEncoder().encodeToString("bridge:wr0ng-pw".getBytes(StandardCharsets.UTF_8));
        for (String shown : List.of(e.getMessage(), String.valueOf(e), client.toString(), client.config().toString(),
                String.valueOf(client.config().basicAuth()))) {
            assertThat(shown).doesNotContain("wr0ng-pw").doesNotContain(encoded);
        }
        assertThat(client.toString()).contains("bridge");
    }

    @Test
    void configRefusesCredentialsInTheUrlWithoutEchoingThem() {
        assertThatThrownBy(() -> SchemaRegistryConfig.builder("http://bridge:s3cr3t@registry:8081").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("registry.url must not carry credentials")
                .message().doesNotContain("s3cr3t");
    }

    @Test
    void configReportsEveryProblemAtOnce() {
        assertThatThrownBy(() -> SchemaRegistryConfig.builder("ftp://registry:8081/")
                .maxAttempts(0)
                .requestTimeout(Duration.ZERO)
                .backoffJitter(1.5)
                .initialBackoff(Duration.ofSeconds(2))
                .maxBackoff(Duration.ofSeconds(1))
                .basicAuth(null, "pw-only")
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("registry.url must be an http or https URL but was ftp://registry:8081",
                        "registry.max-attempts must be >= 1 but was 0",
                        "registry.request-timeout must be a positive duration but was PT0S",
                        "registry.backoff-jitter must be in [0, 1) but was 1.5",
                        "registry.max-backoff (PT1S) must be >= registry.initial-backoff (PT2S)",
                        "registry.user must be set when a password is")
                .message().doesNotContain("pw-only");
    }

    @Test
    void configStripsATrailingSlash() {
        assertThat(SchemaRegistryConfig.builder("http://registry:8080/apis/ccompat/v7/").build().baseUrl())
                .hasToString("http://registry:8080/apis/ccompat/v7");
    }

    private String pathOf(String path) {
        return (registry.flavor() == Flavor.APICURIO ? "/apis/ccompat/v7" : "") + path;
    }
}
