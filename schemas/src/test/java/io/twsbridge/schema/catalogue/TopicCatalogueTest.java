package io.twsbridge.schema.catalogue;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The topic catalogue in code, the schema files and the README's tables say the same thing. */
class TopicCatalogueTest {

    private static final Path MODULE = Path.of("").toAbsolutePath();
    private static String readme;

    /** One row of the README's topic table, cells with Markdown escapes of pipes undone. */
    record Row(String topic, String key, String valueSchema, String cleanupPolicy, String subject) {}

    @BeforeAll
    static void readReadme() throws IOException {
        readme = Files.readString(MODULE.resolve("README.md"));
    }

    @Test
    void catalogueHasTheElevenTopics() {
        assertThat(Arrays.stream(Topic.values()).map(Topic::defaultName)).containsExactly(
                "ib.commands", "ib.command-results", "ib.accounts", "ib.positions", "ib.orders",
                "ib.fills", "ib.quotes", "ib.status", "ib.contracts", "ib.bars", "ib.commands.dlq");
    }

    @Test
    void compactedTopicsAreTheStateTables() {
        assertThat(Arrays.stream(Topic.values()).filter(t -> t.cleanupPolicy() == CleanupPolicy.COMPACT))
                .containsExactlyInAnyOrder(Topic.ACCOUNTS, Topic.POSITIONS, Topic.ORDERS, Topic.STATUS, Topic.CONTRACTS);
        assertThat(CleanupPolicy.COMPACT.configValue()).isEqualTo("compact");
        assertThat(CleanupPolicy.DELETE.configValue()).isEqualTo("delete");
    }

    @Test
    void barsAreKeyedLikeQuotesByInstrument() {
        assertThat(Topic.BARS.key()).isEqualTo(Topic.QUOTES.key());
    }

    @Test
    void subjectsFollowTopicNameStrategy() {
        for (Topic topic : Topic.values()) {
            if (topic == Topic.COMMANDS_DLQ) {
                assertThat(topic.valueSubject()).isEmpty();
                assertThat(topic.valueSchema()).isEmpty();
                assertThat(topic.valueClass()).isEmpty();
            } else {
                assertThat(topic.valueSubject()).contains(topic.defaultName() + "-value");
                assertThat(topic.valueClass().orElseThrow().getSimpleName())
                        .isEqualTo(topic.valueSchema().orElseThrow().getName());
            }
        }
        assertThat(Topic.QUOTES.valueSubject("prod.ib.quotes")).contains("prod.ib.quotes-value");
        assertThat(Topic.byDefaultName("ib.fills")).contains(Topic.FILLS);
        assertThat(Topic.byDefaultName("ib.nope")).isEmpty();
    }

    @Test
    void everyValueSchemaFileBelongsToExactlyOneTopic() throws IOException {
        Set<String> files;
        try (Stream<Path> list = Files.list(MODULE.resolve("src/main/avro"))) {
            files = list.filter(Files::isRegularFile)
                    .map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".avsc"))
                    .map(n -> n.substring(0, n.length() - ".avsc".length()))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        List<String> catalogued = Arrays.stream(Topic.values())
                .flatMap(t -> t.valueSchema().stream())
                .map(Schema::getName)
                .toList();

        assertThat(catalogued).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(files);
    }

    @Test
    void readmeTopicTableMatchesTheCatalogue() {
        List<Row> rows = topicTable();

        assertThat(rows).extracting(Row::topic)
                .containsExactly(Arrays.stream(Topic.values()).map(Topic::defaultName).toArray(String[]::new));
        for (Topic topic : Topic.values()) {
            Row row = rows.stream().filter(r -> r.topic().equals(topic.defaultName())).findFirst().orElseThrow();
            assertThat(row.key()).as("key of " + topic).isEqualTo(topic.key());
            assertThat(row.cleanupPolicy()).as("cleanup of " + topic).isEqualTo(topic.cleanupPolicy().configValue());
            assertThat(row.valueSchema()).as("value of " + topic)
                    .isEqualTo(topic.valueSchema().map(s -> "`" + s.getName() + "`").orElse("raw bytes of the failed record"));
            assertThat(row.subject()).as("subject of " + topic)
                    .isEqualTo(topic.valueSubject().map(s -> "`" + s + "`").orElse("none"));
        }
    }

    @Test
    void readmeListsEveryReasonCodeAndDlqHeader() throws IllegalAccessException {
        List<String> codes = new ArrayList<>();
        for (Field field : ReasonCodes.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
                codes.add((String) field.get(null));
            }
        }
        assertThat(codes).hasSizeGreaterThan(10);
        for (String code : codes) {
            assertThat(readme).as("README mentions reason code " + code).contains("`" + code);
        }
        for (String header : DlqHeaders.ALL) {
            assertThat(readme).as("README mentions DLQ header " + header).contains("`" + header + "`");
        }
        assertThat(readme).contains("`" + RecordKeys.NO_ACCOUNT_KEY + "`");
    }

    /** Rows of the table under the "## Topics" heading. */
    private static List<Row> topicTable() {
        List<String> lines = readme.lines().toList();
        int heading = lines.indexOf("## Topics");
        assertThat(heading).as("README has a '## Topics' section").isNotNegative();
        List<Row> rows = new ArrayList<>();
        boolean inTable = false;
        for (String line : lines.subList(heading + 1, lines.size())) {
            if (line.startsWith("|")) {
                inTable = true;
                List<String> cells = cells(line);
                if (cells.get(0).equals("Topic") || cells.get(0).startsWith("---")) {
                    continue;
                }
                assertThat(cells).as(line).hasSize(5);
                rows.add(new Row(unquote(cells.get(0)), cells.get(1), cells.get(2), cells.get(3), cells.get(4)));
            } else if (inTable) {
                break;
            }
        }
        return rows;
    }

    private static List<String> cells(String line) {
        String inner = line.substring(1, line.endsWith("|") ? line.length() - 1 : line.length());
        return Arrays.stream(inner.split("(?<!\\\\)\\|"))
                .map(c -> c.strip().replace("\\|", "|"))
                .toList();
    }

    private static String unquote(String cell) {
        return cell.startsWith("`") && cell.endsWith("`") ? cell.substring(1, cell.length() - 1) : cell;
    }
}
