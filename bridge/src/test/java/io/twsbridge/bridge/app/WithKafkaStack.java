package io.twsbridge.bridge.app;

import io.twsbridge.testkit.KafkaStack;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Test classes extending this share one broker and one registry; each test isolates itself by topic prefix. */
abstract class WithKafkaStack {

    static KafkaStack stack;

    @BeforeAll
    static void startKafkaAndRegistry() throws Exception {
        stack = KafkaStack.start();
    }

    @AfterAll
    static void stopKafkaAndRegistry() throws Exception {
        stack.close();
    }
}
