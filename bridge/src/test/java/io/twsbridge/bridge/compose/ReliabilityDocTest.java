package io.twsbridge.bridge.compose;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/reliability.md names, for each guarantee, the tests that prove it: each of them must exist. */
class ReliabilityDocTest {

    private static final Pattern TEST_NAME = Pattern.compile("`([A-Z][A-Za-z0-9]*(?:Test|IT))`");

    @Test
    void everyTestTheReliabilityPageNamesExists() {
        String page = RepositoryFiles.read(RepositoryFiles.path("docs/reliability.md"));
        Set<String> named = new TreeSet<>();
        Matcher m = TEST_NAME.matcher(page);
        while (m.find()) {
            named.add(m.group(1));
        }
        Set<String> existing = testClasses(RepositoryFiles.root());

        assertThat(named).as("tests named on the page").hasSizeGreaterThan(20);
        assertThat(existing).as("test classes in the repository").containsAll(named);
    }

    private static Set<String> testClasses(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.toString().contains("/src/test/java/") && p.toString().endsWith(".java"))
                    .map(p -> p.getFileName().toString().replace(".java", ""))
                    .collect(Collectors.toCollection(TreeSet::new));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
