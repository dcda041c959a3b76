package io.twsbridge.bridge.lifecycle;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/** The last pushed closes first; a close that throws stops none of the others; each resource closes once. */
class CloseStackTest {

    private final List<String> closed = new ArrayList<>();
    private final CloseStack stack = new CloseStack();

    @Test
    void closesTheLastPushedFirst() {
        stack.push("a", () -> closed.add("a"));
        stack.push("b", () -> closed.add("b"));
        stack.push("c", () -> closed.add("c"));

        stack.close();

        assertThat(closed).containsExactly("c", "b", "a");
    }

    @Test
    void aCloseThatThrowsStopsNoneOfTheOthers() {
        stack.push("a", () -> closed.add("a"));
        stack.push("broken", () -> {
            throw new IllegalStateException("will not close");
        });
        stack.push("checked", () -> {
            throw new java.io.IOException("socket already gone");
        });
        stack.push("d", () -> closed.add("d"));

        assertThatCode(stack::close).doesNotThrowAnyException();

        assertThat(closed).containsExactly("d", "a");
    }

    @Test
    void anInterruptedCloseKeepsTheInterruptAndTheRestStillClose() {
        stack.push("a", () -> closed.add("a"));
        stack.push("waits", () -> {
            throw new InterruptedException();
        });

        stack.close();

        assertThat(closed).containsExactly("a");
        assertThat(Thread.interrupted()).as("the interrupt is kept for the caller").isTrue();
    }

    @Test
    void eachResourceClosesOnceAndTheStackCanBeFilledAgain() {
        stack.push("a", () -> closed.add("a"));
        stack.close();
        stack.close();
        assertThat(closed).containsExactly("a");

        stack.push("b", () -> closed.add("b"));
        stack.close();
        assertThat(closed).containsExactly("a", "b");
    }

    @Test
    void pushReturnsWhatItWasGivenSoThatOpeningAndPushingAreOneExpression() {
        AutoCloseable resource = () -> closed.add("r");

        assertThat(stack.push("r", resource)).isSameAs(resource);
    }
}
