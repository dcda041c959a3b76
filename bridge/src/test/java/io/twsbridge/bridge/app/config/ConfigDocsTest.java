package io.twsbridge.bridge.app.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Keeps docs/configuration.md and the example file in step with the settings table. */
class ConfigDocsTest {

    private static final Pattern TABLE_ROW = Pattern.compile("^\\| `([a-z][a-z0-9.<>-]*)` \\| ([^|]*) \\|.*$");
    private static final Pattern COMMENTED_SETTING = Pattern.compile("^#([a-z][a-z0-9.-]*)=(.*)$");

    private static final Path ROOT = repositoryRoot();
    private static final Path DOCS = ROOT.resolve("docs/configuration.md");
    private static final Path EXAMPLE = ROOT.resolve("bridge/src/main/dist/bridge.properties.example");

    @Test
    void theReferenceListsEveryKeyWithItsDefault() throws Exception {
        Map<String, String> defaults = new ConfigLoader(Map.of()).loadWithoutFile().settings();
        Map<String, String> documented = new LinkedHashMap<>();
        for (String line : Files.readAllLines(DOCS, StandardCharsets.UTF_8)) {
            Matcher m = TABLE_ROW.matcher(line);
            // Rows of the settings tables; the variables table has a BRIDGE_* second column.
            if (m.matches() && defaults.containsKey(m.group(1)) && !m.group(2).startsWith("`BRIDGE_")) {
                assertThat(documented.put(m.group(1), m.group(2).trim())).as("%s documented twice", m.group(1))
                        .isNull();
            }
        }
        assertThat(documented.keySet()).containsExactlyInAnyOrderElementsOf(ConfigLoader.keys());
        documented.forEach((key, cell) -> {
            String value = defaults.get(key);
            if (!value.isEmpty()) {
                assertThat(cell).as("documented default of %s", key).contains("`" + value + "`");
            }
        });
    }

    @Test
    void theReferencesVariablesFollowTheRule() throws Exception {
        Pattern envRow = Pattern.compile("^\\| `([a-z][a-z0-9.-]*)` \\| `(BRIDGE_[A-Z0-9_]+)` \\|$");
        int rows = 0;
        for (String line : Files.readAllLines(DOCS, StandardCharsets.UTF_8)) {
            Matcher m = envRow.matcher(line);
            if (m.matches()) {
                assertThat(m.group(2)).isEqualTo(ConfigLoader.envName(m.group(1)));
                rows++;
            }
        }
        assertThat(rows).isGreaterThanOrEqualTo(4);
    }

    @Test
    void theReferencesCompleteExampleLoads() throws Exception {
        String docs = Files.readString(DOCS, StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("```properties\n(.*?)```", Pattern.DOTALL).matcher(docs);
        assertThat(m.find()).as("a properties example in the reference").isTrue();
        Path file = Files.createTempFile("bridge-example", ".properties");
        try {
            Files.writeString(file, m.group(1), StandardCharsets.UTF_8);
            LoadedConfig loaded = new ConfigLoader(Map.of(
                    "BRIDGE_REGISTRY_PASSWORD", "example-pw",
                    "BRIDGE_KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule"
                            + " required username=\"bridge\" password=\"example-pw\";")).load(file);
            assertThat(loaded.bridge().orders().enabled()).isTrue();
            assertThat(loaded.bridge().kafka().clientProperties())
                    .containsEntry("security.protocol", "SASL_SSL")
                    .containsKey("sasl.jaas.config");
            assertThat(loaded.bridge().registry().credentials()).isPresent();
            assertThat(loaded.warnings()).isEmpty();
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void theExampleFileListsEveryKeyWithItsDefault() throws Exception {
        Map<String, String> defaults = new ConfigLoader(Map.of()).loadWithoutFile().settings();
        Map<String, String> listed = new LinkedHashMap<>();
        for (String line : Files.readAllLines(EXAMPLE, StandardCharsets.UTF_8)) {
            Matcher m = COMMENTED_SETTING.matcher(line);
            if (m.matches()) {
                assertThat(listed.put(m.group(1), m.group(2))).as("%s listed twice", m.group(1)).isNull();
            }
        }
        assertThat(List.copyOf(listed.keySet())).isEqualTo(ConfigLoader.keys());
        listed.forEach((key, value) -> assertThat(value).as(key).isEqualTo(defaults.get(key)));

        // Uncommented, the file is a valid configuration equal to the defaults.
        Map<String, String> uncommented = new LinkedHashMap<>(listed);
        assertThat(new ConfigLoader(Map.of()).load(uncommented, "example").settings()).isEqualTo(defaults);
    }

    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.isRegularFile(dir.resolve("docs/configuration.md"))
                    && Files.isDirectory(dir.resolve("bridge"))) {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException(new IOException("no docs/configuration.md above " + Path.of("").toAbsolutePath()));
    }
}
