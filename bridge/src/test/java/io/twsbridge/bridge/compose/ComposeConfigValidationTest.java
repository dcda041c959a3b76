package io.twsbridge.bridge.compose;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The compose file as Compose itself reads it: {@code docker-compose config -q} (Debian's docker-compose 1.29, the
 * oldest parser users still run, which needs no Docker engine to validate), for every profile. {@code .ci/run}
 * installs it and sets {@value #REQUIRED}, so in CI a missing tool fails instead of skipping; elsewhere the test is
 * skipped, saying how to install it. A copy with a mistake in it must be refused, so the check can fail.
 */
class ComposeConfigValidationTest {

    /** Set by {@code .ci/run}: the validation must run. */
    static final String REQUIRED = "BRIDGE_REQUIRE_DOCKER_COMPOSE";
    private static final String TOOL = "docker-compose";

    private static Path composeDir;

    @BeforeAll
    static void findTool() throws IOException, InterruptedException {
        composeDir = RepositoryFiles.path("compose");
        boolean present = run(composeDir, List.of(TOOL, "version")).exit() == 0;
        if (System.getenv(REQUIRED) != null) {
            assertThat(present).as("%s is required (%s is set) but not on the PATH", TOOL, REQUIRED).isTrue();
        }
        assumeThat(present).as("%s not installed (Debian: apt-get install docker-compose); skipped", TOOL).isTrue();
    }

    @Test
    void composeAcceptsTheFileWithEachProfile() throws Exception {
        for (String profile : List.of("ib-gateway", "sim")) {
            Result r = run(composeDir, List.of(TOOL, "--profile", profile, "-f", "docker-compose.yml", "config", "-q"));
            assertThat(r.exit()).as("docker-compose config with profile %s: %s", profile, r.output()).isZero();
        }
        Result services = run(composeDir, List.of(TOOL, "--profile", "sim", "-f", "docker-compose.yml", "config",
                "--services"));
        assertThat(services.output().lines()).contains("kafka", "schema-registry", "sim", "bridge");
    }

    @Test
    void aMistakeInTheFileIsRefused(@TempDir Path dir) throws Exception {
        String original = Files.readString(composeDir.resolve("docker-compose.yml"));
        // A healthcheck with a key Compose does not know: the kind of slip a hand edit makes.
        String broken = original.replaceFirst("(?m)^(\\s+)healthcheck:\\n", "$1healthcheck:\n$1  retires: 3\n");
        assertThat(broken).isNotEqualTo(original);
        Files.writeString(dir.resolve("docker-compose.yml"), broken);
        for (String f : List.of(".env.example", "bridge.properties", "Dockerfile")) {
            if (Files.exists(composeDir.resolve(f))) {
                Files.copy(composeDir.resolve(f), dir.resolve(f));
            }
        }

        Result r = run(dir, List.of(TOOL, "-f", "docker-compose.yml", "config", "-q"));

        assertThat(r.exit()).as(r.output()).isNotZero();
        assertThat(r.output()).contains("retires");
    }

    private record Result(int exit, String output) {
    }

    private static Result run(Path dir, List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        // Only what the file itself defaults: no variable of the developer's shell changes the outcome.
        pb.environment().keySet().removeIf(k -> k.startsWith("COMPOSE_") || k.startsWith("TWS_")
                || k.startsWith("BRIDGE_") && !k.equals(REQUIRED));
        Process p;
        try {
            p = pb.start();
        } catch (IOException notInstalled) {
            return new Result(127, notInstalled.getMessage());
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, out + " (no answer within 60 s)");
        }
        return new Result(p.exitValue(), out);
    }
}
