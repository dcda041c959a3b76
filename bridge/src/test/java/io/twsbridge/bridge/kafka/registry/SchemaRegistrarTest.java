package io.twsbridge.bridge.kafka.registry;

import io.twsbridge.client.registry.CanonicalSchema;
import io.twsbridge.client.registry.CompatibilityLevel;
import io.twsbridge.client.registry.FakeSchemaRegistry;
import io.twsbridge.client.registry.SchemaEdits;
import io.twsbridge.client.registry.SchemaRegistryClient;
import io.twsbridge.client.registry.SchemaRegistryConfig;
import io.twsbridge.client.registry.SchemaRegistryException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.twsbridge.bridge.kafka.registry.SubjectRegistration.Outcome;
import io.twsbridge.client.registry.FakeSchemaRegistry.Flavor;
import io.twsbridge.schema.Fill;
import io.twsbridge.schema.catalogue.Topic;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SchemaRegistrarTest {

    private static final List<Topic> WITH_SCHEMA =
            Arrays.stream(Topic.values()).filter(t -> t.valueSchema().isPresent()).toList();

    private FakeSchemaRegistry registry;

    @AfterEach
    void stop() {
        registry.close();
    }

    private SchemaRegistryClient client() {
        return new SchemaRegistryClient(SchemaRegistryConfig.builder(registry.baseUrl())
                .maxAttempts(2).initialBackoff(Duration.ofMillis(1)).build(), d -> {});
    }

    @ParameterizedTest
    @EnumSource(Flavor.class)
    void registersEveryValueSchemaUnderItsTopicSubjectWithBackwardCompatibility(Flavor flavor) {
        registry = FakeSchemaRegistry.start(flavor);
        SchemaRegistryClient client = client();

        Map<Topic, SubjectRegistration> done = new SchemaRegistrar(client).registerAll(SchemaRegistrar.defaultTopicNames());

        assertThat(done.keySet()).containsExactlyElementsOf(WITH_SCHEMA).doesNotContain(Topic.COMMANDS_DLQ);
        assertThat(registry.subjects()).containsExactlyInAnyOrderElementsOf(
                WITH_SCHEMA.stream().map(t -> t.valueSubject().orElseThrow()).toList());
        for (Topic topic : WITH_SCHEMA) {
            SubjectRegistration r = done.get(topic);
            assertThat(r.subject()).isEqualTo(topic.defaultName() + "-value");
            assertThat(r.outcome()).isEqualTo(Outcome.NEW_SUBJECT);
            assertThat(registry.versions(r.subject())).containsExactly(CanonicalSchema.text(topic.valueSchema().orElseThrow()));
            assertThat(registry.subjectLevel(r.subject())).contains("BACKWARD");
            assertThat(client.cachedId(r.subject(), topic.valueSchema().orElseThrow())).hasValue(r.id());
        }
        assertThat(done.values()).extracting(SubjectRegistration::id).doesNotHaveDuplicates();
    }

    @ParameterizedTest
    @EnumSource(Flavor.class)
    void aSecondStartFindsEverythingRegisteredAndRegistersNothing(Flavor flavor) {
        registry = FakeSchemaRegistry.start(flavor);
        Map<Topic, SubjectRegistration> first = new SchemaRegistrar(client()).registerAll(SchemaRegistrar.defaultTopicNames());
        registry.clearRequests();

        Map<Topic, SubjectRegistration> second = new SchemaRegistrar(client()).registerAll(SchemaRegistrar.defaultTopicNames());

        for (Topic topic : WITH_SCHEMA) {
            assertThat(second.get(topic).outcome()).isEqualTo(Outcome.ALREADY_REGISTERED);
            assertThat(second.get(topic).id()).isEqualTo(first.get(topic).id());
            assertThat(registry.versions(second.get(topic).subject())).hasSize(1);
        }
        assertThat(registry.requests()).noneMatch(r -> r.path().endsWith("/versions"));
    }

    @Test
    void subjectsFollowConfiguredTopicNamesAndIgnoreTheDeadLetterTopic() {
        registry = FakeSchemaRegistry.start(Flavor.CONFLUENT);
        Map<Topic, String> names = new EnumMap<>(Topic.class);
        for (Topic topic : Topic.values()) {
            names.put(topic, "prod." + topic.defaultName());
        }

        Map<Topic, SubjectRegistration> done = new SchemaRegistrar(client()).registerAll(names);

        assertThat(done.get(Topic.QUOTES).subject()).isEqualTo("prod.ib.quotes-value");
        assertThat(done.get(Topic.QUOTES).topicName()).isEqualTo("prod.ib.quotes");
        assertThat(registry.subjects()).hasSize(WITH_SCHEMA.size()).allMatch(s -> s.startsWith("prod."))
                .doesNotContain("prod.ib.commands.dlq-value");
    }

    @ParameterizedTest
    @EnumSource(Flavor.class)
    void aCompatibleChangeBecomesANewVersionAfterTheCheck(Flavor flavor) {
        registry = FakeSchemaRegistry.start(flavor);
        int old = registry.preRegister("ib.fills-value", SchemaEdits.fillWithoutRealizedPnl());

        SubjectRegistration fills = new SchemaRegistrar(client()).registerAll(SchemaRegistrar.defaultTopicNames())
                .get(Topic.FILLS);

        assertThat(fills.outcome()).isEqualTo(Outcome.NEW_VERSION);
        assertThat(fills.id()).isNotEqualTo(old);
        assertThat(registry.versions("ib.fills-value")).hasSize(2).last().isEqualTo(CanonicalSchema.text(Fill.getClassSchema()));
        assertThat(registry.requests()).extracting(FakeSchemaRegistry.Request::line)
                .filteredOn(l -> l.contains("ib.fills-value"))
                .map(l -> l.replace("/apis/ccompat/v7", ""))
                .containsExactly(
                        "POST /subjects/ib.fills-value",
                        "GET /subjects/ib.fills-value/versions/latest",
                        "PUT /config/ib.fills-value",
                        "POST /compatibility/subjects/ib.fills-value/versions/latest",
                        "POST /subjects/ib.fills-value/versions");
    }

    @ParameterizedTest
    @EnumSource(Flavor.class)
    void anIncompatibleSchemaStopsStartUpNamingTheSubjectAndTheReason(Flavor flavor) {
        registry = FakeSchemaRegistry.start(flavor);
        registry.preRegister("ib.fills-value", SchemaEdits.fillWithPriceAsString());

        IncompatibleSchemaException e = catchThrowableOfType(IncompatibleSchemaException.class,
                () -> new SchemaRegistrar(client()).registerAll(SchemaRegistrar.defaultTopicNames()));

        assertThat(e.subject()).isEqualTo("ib.fills-value");
        assertThat(e.level()).isEqualTo(CompatibilityLevel.BACKWARD);
        assertThat(e.reasons()).isNotEmpty();
        assertThat(e.getMessage()).contains("ib.fills-value", "io.twsbridge.schema.Fill", "BACKWARD", "TYPE_MISMATCH",
                "/fields/9/type", "latest version 1", "Start-up stopped");
        assertThat(registry.versions("ib.fills-value")).hasSize(1);
        assertThat(registry.requests()).noneMatch(r -> r.line().endsWith("/subjects/ib.fills-value/versions"));
    }

    @ParameterizedTest
    @EnumSource(Flavor.class)
    void aRefusalAtRegistrationIsTheSameStop(Flavor flavor) {
        registry = FakeSchemaRegistry.start(flavor);
        registry.preRegister("ib.fills-value", SchemaEdits.fillWithPriceAsString());
        // The check says yes (a registry whose check and register disagree), the register says 409.
        registry.stubOnce("POST", "/compatibility/subjects/ib.fills-value/versions/latest", 200, "{\"is_compatible\":true}");

        IncompatibleSchemaException e = catchThrowableOfType(IncompatibleSchemaException.class,
                () -> new SchemaRegistrar(client()).registerAll(SchemaRegistrar.defaultTopicNames()));

        assertThat(e.subject()).isEqualTo("ib.fills-value");
        assertThat(e.getCause()).isInstanceOfSatisfying(SchemaRegistryException.class, cause -> {
            assertThat(cause.status()).isEqualTo(409);
            assertThat(cause.errorCode()).isEqualTo(flavor == Flavor.APICURIO ? 0 : 409);
        });
        assertThat(e.getMessage()).contains("ib.fills-value",
                flavor == Flavor.APICURIO ? "Incompatible artifact" : "incompatible with an earlier schema");
    }

    @Test
    void apicuriosGlobalLevelDoesNotStopTheSubjectLevelFromBeingSet() {
        registry = FakeSchemaRegistry.start(Flavor.APICURIO);
        registry.setGlobalLevel("BACKWARD");

        new SchemaRegistrar(client()).registerAll(SchemaRegistrar.defaultTopicNames());

        for (Topic topic : WITH_SCHEMA) {
            assertThat(registry.subjectLevel(topic.valueSubject().orElseThrow())).contains("BACKWARD");
        }
    }

    @Test
    void theLevelCanBeMadeTransitive() {
        registry = FakeSchemaRegistry.start(Flavor.CONFLUENT);

        new SchemaRegistrar(client(), CompatibilityLevel.BACKWARD_TRANSITIVE).registerAll(SchemaRegistrar.defaultTopicNames());

        assertThat(registry.subjectLevel("ib.quotes-value")).contains("BACKWARD_TRANSITIVE");
    }

    @Test
    void missingAndSharedTopicNamesAreAllReportedBeforeAnyCall() {
        registry = FakeSchemaRegistry.start(Flavor.CONFLUENT);
        Map<Topic, String> names = new EnumMap<>(SchemaRegistrar.defaultTopicNames());
        names.remove(Topic.QUOTES);
        names.put(Topic.FILLS, " ");
        names.put(Topic.POSITIONS, "ib.orders");

        assertThatThrownBy(() -> new SchemaRegistrar(client()).registerAll(names))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("no topic name for QUOTES (default ib.quotes)",
                        "no topic name for FILLS (default ib.fills)",
                        "topic name ib.orders is given to both POSITIONS and ORDERS");
        assertThat(registry.requestCount()).isZero();
    }

    @Test
    void aRegistryErrorIsNotMistakenForIncompatibility() {
        registry = FakeSchemaRegistry.start(Flavor.CONFLUENT);
        registry.failNext(2, 503);

        SchemaRegistryException e = catchThrowableOfType(SchemaRegistryException.class,
                () -> new SchemaRegistrar(client()).registerAll(SchemaRegistrar.defaultTopicNames()));

        assertThat(e.status()).isEqualTo(503);
    }
}
