package io.twsbridge.bridge.gateway;

import io.twsbridge.protocol.message.ServerMessage;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The one way every request with an id ends: answered, refused, link lost, not sent, or timed out; then forgotten. */
class OpenRequestsTest {

    private final OpenRequests<List<String>, List<String>> open = new OpenRequests<>(Duration.ofMinutes(1));

    @Test
    void anAnswerInPartsIsGatheredThenCompletesTheRequestWhichIsForgotten() {
        CompletableFuture<List<String>> answer = open.open(7, new ArrayList<>(), () -> true);
        open.get(7).orElseThrow().gathered().add("first part");
        open.get(7).orElseThrow().gathered().add("second part");
        assertThat(open.size()).isEqualTo(1);

        assertThat(open.complete(7, List.copyOf(open.get(7).orElseThrow().gathered()))).isTrue();
        assertThat(answer.join()).containsExactly("first part", "second part");
        assertThat(open.size()).isZero();
        assertThat(open.get(7)).isEmpty();
        assertThat(open.complete(7, List.of())).as("answered once").isFalse();
    }

    @Test
    void onlyARefusalUnderAnOpenIdFailsItWithIbsError() {
        CompletableFuture<List<String>> answer = open.open(7, new ArrayList<>(), () -> true);

        assertThat(open.refuse(new ServerMessage.ErrorMessage(-1, 2104, "Market data farm connection is OK")))
                .as("a connection notice").isFalse();
        assertThat(open.refuse(new ServerMessage.ErrorMessage(7, 2109, "Outside Regular Trading Hours ignored")))
                .as("a warning under the id").isFalse();
        assertThat(open.refuse(new ServerMessage.ErrorMessage(8, 321, "another request's refusal"))).isFalse();
        assertThat(answer).isNotDone();

        assertThat(open.refuse(new ServerMessage.ErrorMessage(7, 321, "Error validating request"))).isTrue();
        assertThatThrownBy(answer::join).cause().isInstanceOfSatisfying(GatewayRequestException.class, e -> {
            assertThat(e.code()).isEqualTo(321);
            assertThat(e.text()).isEqualTo("Error validating request");
        });
        assertThat(open.size()).isZero();
    }

    @Test
    void aRequestTheLinkDidNotTakeFailsAtOnceAsNotConnected() {
        CompletableFuture<List<String>> answer = open.open(7, new ArrayList<>(), () -> false);

        assertThatThrownBy(answer::join).cause().isInstanceOf(IllegalStateException.class)
                .hasMessage("not connected to the Gateway");
        assertThat(open.size()).isZero();
    }

    @Test
    void aLostLinkFailsEveryOpenRequest() {
        CompletableFuture<List<String>> one = open.open(7, new ArrayList<>(), () -> true);
        CompletableFuture<List<String>> two = open.open(8, new ArrayList<>(), () -> true);

        open.linkLost("the Gateway closed the connection");

        for (CompletableFuture<List<String>> f : List.of(one, two)) {
            assertThatThrownBy(f::join).cause().isInstanceOf(IllegalStateException.class)
                    .hasMessage("the Gateway link was lost: the Gateway closed the connection");
        }
        assertThat(open.size()).isZero();
    }

    @Test
    void aRequestUnansweredPastTheTimeoutFailsAndIsForgotten() {
        OpenRequests<String, Void> quick = new OpenRequests<>(Duration.ofMillis(50));
        CompletableFuture<String> answer = quick.open(7, null, () -> true);

        // Forgotten by the timer's thread right after it fails the request: wait for both.
        await().atMost(Duration.ofSeconds(10)).until(() -> answer.isDone() && quick.size() == 0);
        assertThatThrownBy(answer::join).cause().isInstanceOf(TimeoutException.class);
        assertThat(quick.complete(7, "too late")).isFalse();
    }
}
