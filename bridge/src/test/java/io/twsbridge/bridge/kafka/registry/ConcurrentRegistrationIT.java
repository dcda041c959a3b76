package io.twsbridge.bridge.kafka.registry;

import io.twsbridge.client.registry.CompatibilityLevel;
import io.twsbridge.client.registry.SchemaRegistryClient;
import io.twsbridge.client.registry.SchemaRegistryConfig;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.twsbridge.embedded.SchemaRegistryProcess;
import io.twsbridge.schema.catalogue.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Bridges starting at the same instant register the same new subjects against the real registry (Apicurio). One of
 * them creates each subject; the others' creates lose the race and Apicurio answers them HTTP 409 "artifact already
 * exists" (and, setting the level, 409 "rule already exists"). Every bridge must come up with the same id for every
 * subject and none may report an incompatible schema.
 */
class ConcurrentRegistrationIT {

    private static final int BRIDGES = 3;
    private static final int MIN_ROUNDS = 40;
    private static final int MAX_ROUNDS = 300;
    /** Conflicts wanted before stopping early: enough to show the race was run into, and resolved, repeatedly. */
    private static final int CONFLICTS_WANTED = 10;

    private static SchemaRegistryProcess registry;

    @BeforeAll
    static void startRegistry() throws Exception {
        registry = SchemaRegistryProcess.start(SchemaRegistryProcess.locateJar(), Duration.ofSeconds(90));
    }

    @AfterAll
    static void stopRegistry() throws Exception {
        registry.close();
    }

    @Test
    void bridgesRegisteringTheSameNewSubjectAtOnceAllGetItsId() throws Exception {
        Logger clientLog = (Logger) LoggerFactory.getLogger(SchemaRegistryClient.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        Level previous = clientLog.getLevel();
        clientLog.setLevel(Level.INFO);
        clientLog.addAppender(events);
        ExecutorService threads = Executors.newFixedThreadPool(BRIDGES);
        int rounds = 0;
        List<String> failures = new ArrayList<>();
        try {
            CyclicBarrier together = new CyclicBarrier(BRIDGES);
            while (rounds < MAX_ROUNDS && (rounds < MIN_ROUNDS || conflicts(events) < CONFLICTS_WANTED)) {
                rounds++;
                String topicName = "race" + rounds + ".ib.quotes";
                List<Future<SubjectRegistration>> results = new ArrayList<>();
                for (int b = 0; b < BRIDGES; b++) {
                    // Each bridge has its own client, so nothing is answered from another one's cache.
                    SchemaRegistrar registrar = new SchemaRegistrar(new SchemaRegistryClient(
                            SchemaRegistryConfig.builder(registry.confluentApiUrl()).build()),
                            CompatibilityLevel.BACKWARD_TRANSITIVE);
                    results.add(threads.submit(() -> {
                        together.await(30, TimeUnit.SECONDS);
                        return registrar.register(Topic.QUOTES, topicName);
                    }));
                }
                Set<Integer> ids = new HashSet<>();
                for (Future<SubjectRegistration> r : results) {
                    try {
                        ids.add(r.get(60, TimeUnit.SECONDS).id());
                    } catch (java.util.concurrent.ExecutionException e) {
                        failures.add(topicName + ": " + e.getCause());
                    }
                }
                assertThat(ids).as("round %d: one id for every bridge", rounds).hasSizeLessThanOrEqualTo(1);
            }
        } finally {
            threads.shutdownNow();
            clientLog.detachAppender(events);
            clientLog.setLevel(previous);
        }
        long registerConflicts = conflicts(events, "register answered HTTP 409");
        long levelConflicts = conflicts(events, "setting the compatibility level answered HTTP 409");
        System.out.printf("ConcurrentRegistrationIT: %d rounds of %d bridges registering one new subject each;"
                + " 409 on register resolved %d times, 409 on setting the level resolved %d times; failures %d%n",
                rounds, BRIDGES, registerConflicts, levelConflicts, failures.size());
        assertThat(failures).as("no bridge failed to register").isEmpty();
        assertThat(registerConflicts + levelConflicts)
                .as("the race was run into at least once in %d rounds, or this test proves nothing", rounds)
                .isPositive();
    }

    private static long conflicts(ListAppender<ILoggingEvent> events) {
        return conflicts(events, "answered HTTP 409");
    }

    private static long conflicts(ListAppender<ILoggingEvent> events, String text) {
        synchronized (events) {
            return List.copyOf(events.list).stream().filter(e -> e.getFormattedMessage().contains(text)).count();
        }
    }
}
