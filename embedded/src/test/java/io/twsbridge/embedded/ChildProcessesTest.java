package io.twsbridge.embedded;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the shutdown hook of {@link ChildProcesses} does to the processes it adopted, run here directly: SIGTERM,
 * and SIGKILL for a process (and its children) that ignores it.
 */
class ChildProcessesTest {

    /** 128 + the signal's number: the exit value the JDK reports on Linux for a process a signal ended. */
    private static final int ENDED_BY_SIGTERM = 128 + 15;
    private static final int ENDED_BY_SIGKILL = 128 + 9;

    @Test
    void theHookEndsEveryAdoptedProcessAndItsChildrenWithSigtermThenSigkill() throws Exception {
        Process polite = ChildProcesses.adopt(new ProcessBuilder("sleep", "600").start());
        // Ignores SIGTERM, and so does the child it starts (an ignored signal stays ignored across exec).
        Process stubborn = ChildProcesses.adopt(new ProcessBuilder("sh", "-c", "trap '' TERM; sleep 600 & wait")
                .start());
        await().atMost(Duration.ofSeconds(10)).until(() -> stubborn.descendants().findAny().isPresent());
        List<ProcessHandle> stubbornChildren = stubborn.descendants().toList();
        Process ended = ChildProcesses.adopt(new ProcessBuilder("true").start());
        ended.waitFor();
        try {
            ChildProcesses.endAll(Duration.ofSeconds(1));

            assertThat(polite.waitFor()).isEqualTo(ENDED_BY_SIGTERM);
            assertThat(stubborn.waitFor()).isEqualTo(ENDED_BY_SIGKILL);
            await().atMost(Duration.ofSeconds(5)).until(() -> stubbornChildren.stream().noneMatch(ProcessHandle::isAlive));
            assertThat(ChildProcesses.alive()).isEmpty();
        } finally {
            polite.destroyForcibly();
            stubborn.destroyForcibly();
            stubbornChildren.forEach(ProcessHandle::destroyForcibly);
        }
    }
}
