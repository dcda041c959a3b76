package io.twsbridge.bridge.app.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** {@code ${file:PATH}} and {@code ${file:PATH:KEY}}: secrets read from files, never shown. */
class SecretFilesTest {

    private static final ConfigLoader NO_ENV = new ConfigLoader(Map.of());

    @TempDir
    Path dir;

    @Test
    void aWholeFileIsTheValueWithoutItsTrailingLineBreak() throws Exception {
        Path password = write("registry-password", "s3cret-from-file\n");
        Path windows = write("truststore-password", "trust-from-file\r\n\r\n");
        LoadedConfig loaded = NO_ENV.load(Map.of(
                "registry.user", "bridge",
                "registry.password", "${file:" + password + "}",
                "kafka.ssl.truststore.password", "${file:" + windows + "}"), "test");

        assertThat(loaded.bridge().registry().credentials().orElseThrow().password()).isEqualTo("s3cret-from-file");
        assertThat(loaded.bridge().kafka().clientProperties()).containsEntry("ssl.truststore.password", "trust-from-file");
        assertThat(loaded.describe()).contains("registry.password=****", "kafka.ssl.truststore.password=****")
                .doesNotContain("s3cret-from-file", "trust-from-file");
    }

    @Test
    void spacesAndInnerLineBreaksOfAFileAreKept() throws Exception {
        Path password = write("pw", " two words \nsecond line\n");
        LoadedConfig loaded = NO_ENV.load(Map.of("registry.user", "u", "registry.password", "${file:" + password + "}"),
                "test");
        assertThat(loaded.bridge().registry().credentials().orElseThrow().password())
                .isEqualTo(" two words \nsecond line");
    }

    @Test
    void kafkasSyntaxReadsOneKeyOfAPropertiesFileEvenInsideALongerValue() throws Exception {
        Path secrets = write("kafka-secrets.properties", "kafka.password=scram-from-props\nother=x\n");
        String jaas = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"bridge\""
                + " password=\"${file:" + secrets + ":kafka.password}\";";
        LoadedConfig loaded = NO_ENV.load(Map.of("kafka.sasl.jaas.config", jaas), "test");
        assertThat(loaded.bridge().kafka().clientProperties()).containsEntry("sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"bridge\""
                        + " password=\"scram-from-props\";");
    }

    @Test
    void referencesWorkFromTheEnvironmentTooAndAnyValueFromAFileIsMasked() throws Exception {
        Path user = write("registry-user", "user-from-file\n");
        Path password = write("registry-password", "pw-from-file\n");
        LoadedConfig loaded = new ConfigLoader(Map.of(
                "BRIDGE_REGISTRY_USER", "${file:" + user + "}",
                "BRIDGE_REGISTRY_PASSWORD", "${file:" + password + "}")).loadWithoutFile();
        assertThat(loaded.bridge().registry().credentials().orElseThrow())
                .extracting(c -> c.user() + "/" + c.password()).isEqualTo("user-from-file/pw-from-file");
        // Whatever is kept in a file is treated as a secret, the user name included.
        assertThat(loaded.settings()).containsEntry("registry.user", LoadedConfig.MASK)
                .containsEntry("registry.password", LoadedConfig.MASK);
        assertThat(loaded.toString()).doesNotContain("user-from-file", "pw-from-file");
    }

    @Test
    void aFileThatCannotBeUsedIsAProblemNamingTheFileButNeverItsContent() throws Exception {
        Path missing = dir.resolve("no-such-secret");
        Path props = write("secrets.properties", "present=props-secret-value\n");
        Path directory = Files.createDirectory(dir.resolve("a-directory"));
        Path portFile = write("port", "port-secret-content\n");
        Path big = dir.resolve("big");
        Files.write(big, new byte[1024 * 1024 + 1]);

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> new ConfigLoader(
                Map.of("BRIDGE_KAFKA_SSL_KEY_PASSWORD", "${file:" + missing + "}")).load(Map.of(
                "registry.user", "bridge",
                "registry.password", "${file:" + props + ":absent}",
                "kafka.ssl.keystore.password", "${file:" + directory + "}",
                "kafka.ssl.truststore.password", "${file:" + big + "}",
                "gateway.port", "${file:" + portFile + "}",
                "bridge.id", "${file:" + portFile),
                "test"));

        assertThat(e.problems()).contains(
                "kafka.ssl.key.password: cannot read secret file " + missing + ": no such file"
                        + " [from BRIDGE_KAFKA_SSL_KEY_PASSWORD]",
                "registry.password: secret file " + props + " has no key 'absent'",
                "kafka.ssl.keystore.password: cannot read secret file " + directory + ": it is a directory",
                "kafka.ssl.truststore.password: cannot read secret file " + big + ": larger than 1 MiB",
                "gateway.port: the value from its file is not an integer",
                "bridge.id: a ${file:...} reference has no closing '}'");
        assertThat(e.getMessage()).doesNotContain("props-secret-value", "port-secret-content");
    }

    @Test
    void aValueFromAFileIsScrubbedFromEveryProblem() throws Exception {
        // registry.user from a file must not contain ':'; the builder's message would quote it.
        Path user = write("user", "name:with-colon\n");
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> NO_ENV.load(Map.of(
                "registry.user", "${file:" + user + "}", "registry.password", "pw-12345"), "test"));
        assertThat(e.problems()).containsExactly("registry.user must not contain ':' but was ****");
        assertThat(e.getMessage()).doesNotContain("name:with-colon", "pw-12345");
    }

    private Path write(String name, String content) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, content, StandardCharsets.UTF_8);
        return f;
    }
}
