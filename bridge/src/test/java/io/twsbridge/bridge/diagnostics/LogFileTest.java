package io.twsbridge.bridge.diagnostics;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class LogFileTest {

    @Test
    void logEventsAlsoGoToTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bridge.log");
        LogFile.enable(file);
        try {
            LoggerFactory.getLogger("io.twsbridge.test").atWarn().addKeyValue("state", "DEGRADED")
                    .log("session degraded");
        } finally {
            LogFile.disable();
        }
        assertThat(Files.readString(file)).contains("WARN").contains("session degraded").contains("state=\"DEGRADED\"");
    }
}
