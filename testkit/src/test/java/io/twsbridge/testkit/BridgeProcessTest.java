package io.twsbridge.testkit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BridgeProcessTest {

    private static BridgeProcess.Launch printer(String... lines) {
        return BridgeProcess.mainClass(LinePrinter.class.getName(), List.of(lines)).name("printer");
    }

    @Test
    void aLineAwaitedTwiceIsItsSecondAppearance() throws Exception {
        try (BridgeProcess p = printer("READY", "between", "READY", "after").start()) {
            p.await("READY");
            p.await("READY");
            p.await("after");
            assertThat(p.isAlive()).isTrue();
            assertThat(p.pid()).isPositive();
            assertThat(p.output()).isEqualTo("READY\nbetween\nREADY\nafter");
            assertThatThrownBy(() -> p.await("between", Duration.ofMillis(200))).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("no 'between' from the printer bridge within 0 s");
        }
    }

    @Test
    void theLastLineBeforeAnExitIsSeenAndAnExitEndsTheWait() throws Exception {
        try (BridgeProcess p = printer("CRASH-POINT x", "exit:3").start()) {
            p.await("CRASH-POINT x");
            assertThatThrownBy(() -> p.await("never")).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("exited with 3 before 'never'").hasMessageContaining("CRASH-POINT x");
            assertThatThrownBy(p::checkAlive).hasMessageContaining("the printer bridge exited with 3");
        }
    }

    @Test
    void theManagementEndpointIsReadFromALogFile(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("printer.log");
        try (BridgeProcess p = printer("starting", "10:00:00 INFO management HTTP on http://127.0.0.1:9/ now").outputTo(log)
                .start()) {
            URI management = p.awaitManagement();
            assertThat(management).isEqualTo(URI.create("http://127.0.0.1:9/"));
            assertThat(p.log()).isEqualTo(log);
            assertThat(Files.readString(log)).startsWith("starting\n");
            assertThat(p.logTail(1)).endsWith("\n10:00:00 INFO management HTTP on http://127.0.0.1:9/ now")
                    .contains(log.toString());
        }
    }

    @Test
    void theEnvironmentIsTheLaunchesOwn() throws Exception {
        try (BridgeProcess p = printer("env:PATH", "env:BRIDGE_TEST_VALUE").withoutInherited("PATH")
                .environment("BRIDGE_TEST_VALUE", "set").start()) {
            p.await("env:PATH=null");
            p.await("env:BRIDGE_TEST_VALUE=set");
        }
        try (BridgeProcess p = printer("env:BRIDGE_TEST_VALUE").environment("BRIDGE_TEST_VALUE", "set")
                .withoutInheritedBridgeOrJvmSettings().start()) {
            p.await("env:BRIDGE_TEST_VALUE=set");
        }
    }

    @Test
    void sigtermEndsAProcessAndStopAllEndsEveryOne() throws Exception {
        try (BridgeProcess p = printer("up").start(); BridgeProcess q = printer("up").start();
             BridgeProcess r = printer("up").start()) {
            p.await("up");
            BridgeProcess.Stop stop = p.stop(Duration.ofSeconds(30));
            assertThat(stop.graceful()).isTrue();
            assertThat(stop.exitCode()).isEqualTo(143);
            q.await("up");
            r.await("up");
            BridgeProcess.stopAll(List.of(q, r), Duration.ofSeconds(30));
            assertThat(q.isAlive() || r.isAlive()).isFalse();
        }
    }

    @Test
    void aFailedAwaitNamesTheMissingLine() {
        assertThatThrownBy(() -> {
            try (BridgeProcess p = printer("exit:0").managementLine(Pattern.compile("BRIDGE-MANAGEMENT (\\S+)")).start()) {
                p.awaitManagement(Duration.ofSeconds(60));
            }
        }).isInstanceOf(AssertionError.class).hasMessageContaining("a line matching BRIDGE-MANAGEMENT");
    }
}
