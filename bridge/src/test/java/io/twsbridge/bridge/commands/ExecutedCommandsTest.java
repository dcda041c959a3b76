package io.twsbridge.bridge.commands;

import io.twsbridge.bridge.results.CommandOutcome;
import io.twsbridge.schema.CommandStatus;
import io.twsbridge.schema.catalogue.ReasonCodes;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** Which outcomes spend a commandId, for how long, and what its DUPLICATE answer says. */
class ExecutedCommandsTest {

    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

    @Test
    void aCarriedOutCommandIsKnownForTheWindowWithItsFirstOutcome() {
        ExecutedCommands executed = new ExecutedCommands(Duration.ofHours(24));
        executed.record("c-1", new CommandOutcome(CommandStatus.ACCEPTED, ReasonCodes.OK, "cancel sent", null, 42L,
                null), T0);
        executed.record("c-1", CommandOutcome.rejected(ReasonCodes.ORDER_NOT_WORKING, "later"), T0.plusSeconds(1));

        ExecutedCommands.First first = executed.first("c-1", T0.plus(Duration.ofHours(23))).orElseThrow();
        assertThat(first.status()).as("the first outcome, not a later one").isEqualTo(CommandStatus.ACCEPTED);
        CommandOutcome answer = ExecutedCommands.duplicateOf("c-1", first);
        assertThat(answer.status()).isEqualTo(CommandStatus.DUPLICATE);
        assertThat(answer.reasonCode()).isEqualTo(ReasonCodes.DUPLICATE_COMMAND);
        assertThat(answer.message()).isEqualTo("commandId c-1 was already carried out at 2026-12-07T10:00:00Z: "
                + "ACCEPTED OK (cancel sent); not executed again");
        assertThat(answer.orderId()).isEqualTo(42L);
        assertThat(executed.first("c-1", T0.plus(Duration.ofHours(24)).plusMillis(1))).as("after the window").isEmpty();
    }

    @Test
    void aRefusalForAPassingConditionOrForTheRecordItselfDoesNotSpendTheId() {
        ExecutedCommands executed = new ExecutedCommands(Duration.ofHours(1));
        for (String reason : new String[] {ReasonCodes.NOT_CONNECTED, ReasonCodes.CIRCUIT_OPEN, ReasonCodes.TIMEOUT,
                ReasonCodes.INTERNAL_ERROR, ReasonCodes.KILL_SWITCH, ReasonCodes.ORDERS_DISABLED,
                ReasonCodes.VALIDATION_FAILED, ReasonCodes.UNSUPPORTED_COMMAND}) {
            executed.record("c-" + reason, CommandOutcome.rejected(reason, "no"), T0);
        }
        executed.record("c-dup", new CommandOutcome(CommandStatus.DUPLICATE, ReasonCodes.DUPLICATE_COMMAND, "d", null),
                T0);
        assertThat(executed.size()).isZero();

        executed.record("c-ib", new CommandOutcome(CommandStatus.REJECTED, ReasonCodes.ibError(201), "rejected by IB",
                201), T0);
        executed.record("c-exp", new CommandOutcome(CommandStatus.EXPIRED, ReasonCodes.COMMAND_EXPIRED, "late", null),
                T0);
        assertThat(executed.first("c-ib", T0)).isPresent();
        assertThat(executed.first("c-exp", T0)).isPresent();
    }

    @Test
    void beyondItsCapacityTheOldestGoFirst() {
        ExecutedCommands executed = new ExecutedCommands(Duration.ofDays(1));
        for (int i = 0; i <= ExecutedCommands.CAPACITY; i++) {
            executed.record("c-" + i, CommandOutcome.completed("ok"), T0.plusMillis(i));
        }
        assertThat(executed.size()).isEqualTo(ExecutedCommands.CAPACITY);
        Instant now = T0.plusSeconds(60);
        assertThat(executed.first("c-0", now)).as("the oldest").isEmpty();
        assertThat(executed.first("c-1", now)).isPresent();
        assertThat(executed.first("c-" + ExecutedCommands.CAPACITY, now)).isPresent();
    }
}
