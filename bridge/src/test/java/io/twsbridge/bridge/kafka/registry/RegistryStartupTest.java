package io.twsbridge.bridge.kafka.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.twsbridge.bridge.testing.LogCapture;
import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

class RegistryStartupTest {

    private static final String URL = "http://registry.example:8081";
    private static final SchemaRegistryConfig FAST = SchemaRegistryConfig.builder(URL).initialBackoff(Duration.ofMillis(1))
            .maxBackoff(Duration.ofMillis(2)).startupMaxBackoff(Duration.ofMillis(8)).build();

    private final RegistryStartup startup = new RegistryStartup(FAST, Clock.systemUTC());

    private static SchemaRegistryException unreachable() {
        return SchemaRegistryException.ioError("POST", URL + "/subjects/ib.quotes-value", 5,
                new ConnectException("Connection refused"));
    }

    @Test
    void waitsOutAnUnreachableRegistrySayingSoThenGoesOn() throws Exception {
        List<Optional<String>> seen = new ArrayList<>();
        int[] calls = {0};
        try (LogCapture logs = LogCapture.capture()) {
            startup.run(() -> {
                seen.add(startup.waitingFor());
                if (++calls[0] <= 3) {
                    throw calls[0] == 2 ? SchemaRegistryException.httpError("GET", URL, 503, 50301, "down", 5)
                            : unreachable();
                }
            });

            assertThat(calls[0]).isEqualTo(4);
            assertThat(seen.get(0)).as("not waiting before the first round").isEmpty();
            assertThat(seen.subList(1, 4)).allSatisfy(w -> assertThat(w).hasValueSatisfying(reason -> assertThat(reason)
                    .startsWith("start-up waits for the schema registry at " + URL + ": ")));
            assertThat(seen.get(2)).hasValueSatisfying(reason -> assertThat(reason).contains("HTTP 503", "round 2"));
            assertThat(startup.waitingFor()).as("done waiting").isEmpty();
            assertThat(logs.atLeast(ch.qos.logback.classic.Level.WARN)).as("one WARN line per failed round")
                    .hasSize(3).allSatisfy(e -> assertThat(e.getFormattedMessage())
                            .contains("schema registry at " + URL + " is unavailable", "registers again in"));
        }
    }

    @Test
    void aRefusalEndsStartUpAtOnce() {
        int[] calls = {0};
        SchemaRegistryException wrongPassword = SchemaRegistryException.httpError("POST", URL, 401, 40101,
                "Unauthorized", 1);

        assertThatThrownBy(() -> startup.run(() -> {
            calls[0]++;
            throw wrongPassword;
        })).isSameAs(wrongPassword);
        assertThat(calls[0]).isEqualTo(1);
        assertThat(startup.waitingFor()).isEmpty();
    }

    @Test
    void closingTheBridgeEndsTheWait() {
        RegistryStartup slow = new RegistryStartup(SchemaRegistryConfig.builder(URL).maxBackoff(Duration.ofMinutes(1))
                .startupMaxBackoff(Duration.ofMinutes(1)).build(), Clock.systemUTC());
        long started = System.nanoTime();

        assertThatThrownBy(() -> slow.run(() -> {
            slow.cancel();
            throw unreachable();
        })).isInstanceOf(CancellationException.class).hasMessageContaining(URL);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }
}
