package io.twsbridge.bridge.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** `bridge run` with a broken configuration names every mistake and does not start. */
class RunCommandTest {

    @Test
    void aConfigWithThreeMistakesReportsAllThreeAndTheBridgeDoesNotStart(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("bridge.properties");
        Files.writeString(config, """
                gateway.port=abc
                gatway.host=10.0.0.5
                orders.max-quantity=-1
                """);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = new CommandLine(new BridgeCommand()).execute("run", "--config", config.toString());
        } finally {
            System.setErr(original);
        }
        String message = err.toString(StandardCharsets.UTF_8);
        assertThat(exit).isEqualTo(2);
        assertThat(message).contains("3 problems").contains("gateway.port").contains("gatway.host")
                .contains("did you mean gateway.host").contains("orders.max-quantity").contains("did not start");
    }
}
