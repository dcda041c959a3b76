package io.twsbridge.schema.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.twsbridge.schema.Bar;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.ContractDetails;
import io.twsbridge.schema.Fill;
import io.twsbridge.schema.Position;
import io.twsbridge.schema.Samples;
import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.schema.state.OrderJournalEntry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility.SchemaIncompatibilityType;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

/**
 * BACKWARD_TRANSITIVE guard: today's schemas must read data written with every released version.
 * The fixtures prove that the same check does fail when a change breaks that rule.
 */
class CompatibilityGuardTest {

    private static final String FILL = Fill.getClassSchema().getFullName();

    @Test
    void currentSchemasReadEveryReleasedVersion() {
        NavigableMap<String, Map<String, Schema>> releases = releases();
        assertThat(releases).as("released versions").containsKey("0.1.0");

        CompatibilityGuard.Report report = CompatibilityGuard.check(currentSchemas(), releases);

        assertThat(report.compatible()).as(report.describe()).isTrue();
    }

    @Test
    void everyValueSchemaOfEveryReleasedVersionStillExists() {
        Map<String, Schema> current = currentSchemas();
        releases().forEach((version, released) -> assertThat(current.keySet()).as("schemas of " + version)
                .containsAll(released.keySet()));
    }

    @Test
    void schemasNewSinceTheLastReleaseAreTheOnlyOnesNotCheckedAgainstIt() {
        Map<String, Schema> lastRelease = releases().lastEntry().getValue();
        Set<String> unreleased = new TreeSet<>(currentSchemas().keySet());
        unreleased.removeAll(lastRelease.keySet());

        // Until the next release these have no writer to be compatible with; from then on the guard checks them.
        assertThat(unreleased).containsExactlyInAnyOrder(
                Bar.getClassSchema().getFullName(), ContractDetails.getClassSchema().getFullName());
    }

    @Test
    void payloadsAddedToTheCommandUnionComeAfterEveryReleasedOne() {
        String command = Command.getClassSchema().getFullName();
        List<String> current = payloadNames(Command.getClassSchema());
        releases().forEach((version, released) -> {
            List<String> old = payloadNames(released.get(command));
            // Appending keeps every released branch at its index, so even a reader that does not resolve schemas
            // (one that reads with its own) decodes the commands of the released branches right.
            assertThat(current.subList(0, old.size())).as("payload branches of " + version).isEqualTo(old);
        });
        assertThat(current).endsWith("io.twsbridge.schema.ResolveContract", "io.twsbridge.schema.RequestHistoricalBars",
                "io.twsbridge.schema.SubscribeBars", "io.twsbridge.schema.UnsubscribeBars");
    }

    @Test
    void aReleasedReaderReadsAnInstrumentGivenByConIdAlone() throws IOException {
        // Instrument's symbol, secType and currency gained an empty default: a consumer still on the released schema
        // must read such an instrument too (as empty strings), not only today's schema reading released data.
        Schema releasedPosition = releases().firstEntry().getValue().get(Position.getClassSchema().getFullName());
        Position position = Position.newBuilder(Samples.fullPosition()).setInstrument(Samples.byConId(265598L)).build();

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<Position>(Position.getClassSchema()).write(position, encoder);
        encoder.flush();
        GenericRecord read = new GenericDatumReader<GenericRecord>(Position.getClassSchema(), releasedPosition)
                .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));

        GenericRecord instrument = (GenericRecord) read.get("instrument");
        assertThat(instrument.get("symbol")).hasToString("");
        assertThat(instrument.get("conId")).isEqualTo(265598L);
    }

    @Test
    void currentSchemasAreExactlyTheSchemaFiles() {
        Map<String, Schema> files = SchemaDirectory.parse(Path.of("src/main/avro").toAbsolutePath());

        assertThat(files.keySet()).containsExactlyInAnyOrderElementsOf(currentSchemas().keySet());
        assertThat(files).containsKey(OrderJournalEntry.getClassSchema().getFullName());
    }

    @Test
    void newRequiredFieldWithoutDefaultIsReportedIncompatible() {
        CompatibilityGuard.Report report = checkWithFillFrom("incompatible/fill-required-field-added");

        assertThat(report.compatible()).isFalse();
        assertThat(report.findings())
                .singleElement()
                .satisfies(f -> {
                    assertThat(f.schema()).isEqualTo(FILL);
                    assertThat(f.version()).isEqualTo("0.1.0");
                    assertThat(f.type()).isEqualTo(SchemaIncompatibilityType.READER_FIELD_MISSING_DEFAULT_VALUE.name());
                    assertThat(f.message()).contains("venueExecId");
                });
        assertThat(report.describe()).contains("READER_FIELD_MISSING_DEFAULT_VALUE", "venueExecId");
    }

    @Test
    void changedFieldTypeIsReportedIncompatible() {
        CompatibilityGuard.Report report = checkWithFillFrom("incompatible/fill-field-type-changed");

        int orderIdPos = Fill.getClassSchema().getField("orderId").pos();
        assertThat(report.compatible()).isFalse();
        assertThat(report.findings())
                .singleElement()
                .satisfies(f -> {
                    assertThat(f.schema()).isEqualTo(FILL);
                    assertThat(f.type()).isEqualTo(SchemaIncompatibilityType.TYPE_MISMATCH.name());
                    assertThat(f.location()).isEqualTo("/fields/" + orderIdPos + "/type");
                });
    }

    @Test
    void newOptionalFieldWithNullDefaultIsCompatible() {
        CompatibilityGuard.Report report = checkWithFillFrom("compatible/fill-optional-field-added");

        assertThat(report.compatible()).as(report.describe()).isTrue();
    }

    @Test
    void droppingAReleasedSchemaIsReported() {
        Map<String, Schema> current = new LinkedHashMap<>(currentSchemas());
        current.remove(FILL);

        CompatibilityGuard.Report report = CompatibilityGuard.check(current, releases());

        assertThat(report.findings())
                .extracting(CompatibilityGuard.Finding::type, CompatibilityGuard.Finding::schema)
                .containsOnly(org.assertj.core.groups.Tuple.tuple(CompatibilityGuard.MISSING_SCHEMA, FILL));
    }

    @Test
    void versionsAreOrderedNumerically() {
        assertThat(SchemaDirectory.VERSION_ORDER.compare("0.9.0", "0.10.0")).isNegative();
        assertThat(SchemaDirectory.VERSION_ORDER.compare("1.0.0", "0.10.3")).isPositive();
        assertThat(SchemaDirectory.VERSION_ORDER.compare("1.2", "1.2.0")).isZero();
    }

    /**
     * Today's value schemas, as generated classes carry them, by full name: those of the catalogue's
     * topics, then those of the bridge's own state topics ({@code src/main/avro/state}).
     */
    static Map<String, Schema> currentSchemas() {
        Map<String, Schema> current = new LinkedHashMap<>();
        for (Topic topic : Topic.values()) {
            topic.valueSchema().ifPresent(s -> current.put(s.getFullName(), s));
        }
        Schema journal = OrderJournalEntry.getClassSchema();
        current.put(journal.getFullName(), journal);
        return current;
    }

    private static List<String> payloadNames(Schema command) {
        return command.getField("payload").schema().getTypes().stream().map(Schema::getFullName).toList();
    }

    static NavigableMap<String, Map<String, Schema>> releases() {
        return SchemaDirectory.parseReleases(resource("released"));
    }

    /** The production check, run with today's schemas except Fill, which comes from a fixture. */
    private static CompatibilityGuard.Report checkWithFillFrom(String fixture) {
        Map<String, Schema> candidate = SchemaDirectory.parse(resource(fixture));
        assertThat(candidate).containsOnlyKeys(FILL);
        Map<String, Schema> current = new LinkedHashMap<>(currentSchemas());
        current.putAll(candidate);
        return CompatibilityGuard.check(current, releases());
    }

    static Path resource(String name) {
        URL url = Objects.requireNonNull(CompatibilityGuardTest.class.getResource("/" + name), name);
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
