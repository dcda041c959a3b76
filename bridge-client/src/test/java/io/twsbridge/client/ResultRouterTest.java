package io.twsbridge.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.twsbridge.schema.CommandResult;
import io.twsbridge.schema.CommandStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultRouterTest {

    private final ResultRouter router = new ResultRouter();

    private static CommandResult result(String id, CommandStatus status, String reason) {
        return CommandResult.newBuilder().setCommandId(id).setStatus(status).setReasonCode(reason).setMessage("")
                .setTimestamp(Instant.EPOCH).build();
    }

    @Test
    void acceptedThenFinal() {
        ResultRouter.Pending p = router.register("a");
        router.route(result("a", CommandStatus.ACCEPTED, "OK"));
        router.route(result("a", CommandStatus.ACCEPTED, "ACK_TIMEOUT"));
        assertThat(p.accepted.join().getReasonCode()).isEqualTo("OK");
        assertThat(p.result).isNotDone();
        router.route(result("a", CommandStatus.REJECTED, "IB_ERROR_201"));
        assertThat(p.result.join().getReasonCode()).isEqualTo("IB_ERROR_201");
        assertThat(router.waitingCount()).isZero();
    }

    @Test
    void everyStatusButAcceptedIsFinalUnknownIncluded() {
        for (CommandStatus status : CommandStatus.values()) {
            assertThat(CommandResults.isFinal(result("x", status, "OK"))).as(status.name())
                    .isEqualTo(status != CommandStatus.ACCEPTED);
        }
        ResultRouter.Pending p = router.register("u");
        router.route(result("u", CommandStatus.UNKNOWN, "SOMETHING_NEW"));
        assertThat(p.accepted.join()).isSameAs(p.result.join());
    }

    @Test
    void aRepeatWhileTheFirstStillWaitsGetsTheDuplicateAndTheFirstItsOwnResults() {
        ResultRouter.Pending first = router.register("order");
        router.route(result("order", CommandStatus.ACCEPTED, "OK"));
        ResultRouter.Pending repeat = router.register("order");
        router.route(result("order", CommandStatus.DUPLICATE, "DUPLICATE_COMMAND"));
        assertThat(repeat.result.join().getStatus()).isEqualTo(CommandStatus.DUPLICATE);
        assertThat(first.result).isNotDone();
        router.route(result("order", CommandStatus.COMPLETED, "ORDER_FILLED"));
        assertThat(first.result.join().getReasonCode()).isEqualTo("ORDER_FILLED");
        assertThat(first.accepted.join().getStatus()).isEqualTo(CommandStatus.ACCEPTED);
    }

    @Test
    void listenersHearEveryResultAndOneThatThrowsStopsNoOther() {
        List<String> heard = new ArrayList<>();
        router.addListener(r -> { throw new IllegalStateException("listener bug"); });
        Runnable remove = router.addListener(r -> heard.add(r.getCommandId() + " " + r.getStatus()));
        router.route(result("not-mine", CommandStatus.COMPLETED, "OK"));
        remove.run();
        router.route(result("later", CommandStatus.COMPLETED, "OK"));
        assertThat(heard).containsExactly("not-mine COMPLETED");
    }

    @Test
    void failAllFailsWhatWaits() {
        ResultRouter.Pending p = router.register("a");
        router.failAll(new IllegalStateException("closed"));
        assertThat(p.result).isCompletedExceptionally();
        assertThat(p.accepted).isCompletedExceptionally();
        assertThat(router.waitingCount()).isZero();
    }
}
