package io.twsbridge.bridge.kafka.consume;

import io.twsbridge.bridge.commands.CommandExecutor;
import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.bridge.results.CommandOutcome;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.CommandResult;
import io.twsbridge.schema.CommandStatus;
import io.twsbridge.schema.RequestPositions;
import io.twsbridge.schema.catalogue.ReasonCodes;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One command record's way through the bridge, without a consumer, a broker or a thread: each record gets exactly
 * one result (or, when nothing names it, a dead letter only), bounded, and only a valid, unexpired command is
 * executed.
 */
class CommandHandlerTest {

    private static final Instant NOW = Instant.parse("2026-12-07T14:30:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final KafkaSettings SETTINGS = KafkaSettings.builder().bridgeId("b1").build();

    private final List<CommandResult> results = new ArrayList<>();
    private final List<Throwable> deadLetters = new ArrayList<>();
    private final List<Command> executed = new ArrayList<>();
    private final CommandAnswers answers = new CommandAnswers() {
        @Override
        public CompletableFuture<RecordMetadata> result(CommandResult result) {
            results.add(result);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<RecordMetadata> deadLetter(ConsumerRecord<byte[], byte[]> record, Throwable error) {
            deadLetters.add(error);
            return CompletableFuture.completedFuture(null);
        }
    };

    private CommandHandler handler(Function<byte[], Command> decoder, CommandExecutor executor) {
        return new CommandHandler(SETTINGS, decoder, bytes -> Optional.of("unreadable-1"), command -> {
            executed.add(command);
            return executor.execute(command);
        }, answers, CLOCK);
    }

    private static Command positions(String commandId) {
        return Command.newBuilder().setCommandId(commandId).setIssuedAt(NOW.minusSeconds(1)).setAccount("DU1")
                .setPayload(RequestPositions.newBuilder().build()).build();
    }

    private static ConsumerRecord<byte[], byte[]> record() {
        return new ConsumerRecord<>("ib.commands", 0, 7, "k".getBytes(StandardCharsets.UTF_8),
                "v".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aLaterResultThatArrivesWhileItsCommandIsStillExecutingIsPublishedRightAfterTheFirstResult() throws Exception {
        Command command = positions("order-1");
        CommandResults published = new CommandResults(SETTINGS, answers, CLOCK);
        CommandHandler h = new CommandHandler(SETTINGS, bytes -> command, bytes -> Optional.empty(), c -> {
            // The order fills the moment IB acknowledges it: the session's thread reports the end before the
            // consumer's thread has published the ACCEPTED.
            published.publish("order-1", "PlaceOrder", "DU1", new CommandOutcome(CommandStatus.COMPLETED,
                    ReasonCodes.ORDER_FILLED, "filled 1", null, 42L, 9L,
                    new CommandOutcome.OrderEnd("Filled", java.math.BigDecimal.ONE, 101.5)));
            assertThat(results).as("held until the first result is out").isEmpty();
            return CompletableFuture.completedFuture(new CommandOutcome(CommandStatus.ACCEPTED, ReasonCodes.OK,
                    "IB acknowledged the order", null, 42L, 9L));
        }, answers, CLOCK, new io.twsbridge.bridge.commands.ExecutedCommands(java.time.Duration.ofDays(1)), published);

        h.handle(record());
        published.publish("order-2", "PlaceOrder", "DU1", new CommandOutcome(CommandStatus.COMPLETED,
                ReasonCodes.ORDER_CANCELLED, "cancelled", null, 43L, 10L));

        assertThat(results).extracting(r -> r.getCommandId() + " " + r.getStatus() + " " + r.getReasonCode())
                .containsExactly("order-1 ACCEPTED OK", "order-1 COMPLETED ORDER_FILLED",
                        "order-2 COMPLETED ORDER_CANCELLED");
        CommandResult end = results.get(1);
        assertThat(end.getOrderStatus()).isEqualTo("Filled");
        assertThat(end.getFilledQuantity()).isEqualByComparingTo("1");
        assertThat(end.getFilledQuantity().scale()).as("decimal(38,10) written at its scale").isEqualTo(10);
        assertThat(end.getAverageFillPrice()).isEqualTo(101.5);
        assertThat(end.getCommandType()).isEqualTo("PlaceOrder");
        assertThat(results.get(0).getOrderStatus()).as("only a final result of an order tells its end").isNull();
        assertThat(published.count(CommandStatus.COMPLETED)).isEqualTo(2);
    }

    /** An executor whose outcomes come later, each when the test completes it. */
    private static final class LaterExecutor implements CommandExecutor {
        final List<CompletableFuture<CommandOutcome>> pending = new ArrayList<>();

        @Override
        public CompletableFuture<CommandOutcome> execute(Command command) {
            CompletableFuture<CommandOutcome> f = new CompletableFuture<>();
            pending.add(f);
            return f;
        }

        @Override
        public boolean answersLater(Command command) {
            return true;
        }
    }

    @Test
    void aCommandAnsweredLaterHoldsNothingUpAndGetsItsOneResultWhenItsOutcomeComes() throws Exception {
        LaterExecutor later = new LaterExecutor();
        List<Command> commands = new ArrayList<>(List.of(positions("bars-1"), positions("bars-2"),
                positions("bars-1")));
        CommandHandler h = new CommandHandler(SETTINGS, bytes -> commands.remove(0), bytes -> Optional.empty(), later,
                answers, CLOCK);

        assertThat(h.handle(record())).as("no result to wait for before the next record").isEmpty();
        assertThat(h.handle(record())).isEmpty();
        assertThat(later.pending).as("both under way at once").hasSize(2);
        h.handle(record());
        assertThat(results).as("a repeat while the first is under way").singleElement().satisfies(r -> {
            assertThat(r.getCommandId()).isEqualTo("bars-1");
            assertThat(r.getStatus()).isEqualTo(CommandStatus.DUPLICATE);
            assertThat(r.getMessage()).contains("is being carried out");
        });
        assertThat(later.pending).as("the repeat is not executed").hasSize(2);

        later.pending.get(1).complete(CommandOutcome.rejected(ReasonCodes.PACING_WAIT_EXPIRED, "waited too long"));
        later.pending.get(0).complete(CommandOutcome.completed("12 bars published"));
        assertThat(results).extracting(r -> r.getCommandId() + " " + r.getStatus() + " " + r.getReasonCode())
                .containsExactly("bars-1 DUPLICATE " + ReasonCodes.DUPLICATE_COMMAND,
                        "bars-2 REJECTED " + ReasonCodes.PACING_WAIT_EXPIRED, "bars-1 COMPLETED OK");

        // bars-1 is spent now; bars-2's refusal did nothing, so its id may be sent again and is executed.
        commands.addAll(List.of(positions("bars-1"), positions("bars-2")));
        h.handle(record());
        h.handle(record());
        assertThat(results.get(3).getStatus()).isEqualTo(CommandStatus.DUPLICATE);
        assertThat(later.pending).hasSize(3);
    }

    @Test
    void aCommandStillUnderWayAtStopIsAnsweredThenOnceWithAnIdNotSpentAndItsLateOutcomeIsDropped() throws Exception {
        LaterExecutor later = new LaterExecutor();
        List<Command> commands = new ArrayList<>(List.of(positions("bars-1"), positions("bars-2")));
        CommandHandler h = new CommandHandler(SETTINGS, bytes -> commands.remove(0), bytes -> Optional.empty(), later,
                answers, CLOCK);
        h.handle(record());
        h.handle(record());
        later.pending.get(0).complete(CommandOutcome.completed("12 bars published"));

        assertThat(h.answerUnderWay("the bridge shut down")).as("one result to wait for: bars-2's").hasSize(1);
        assertThat(h.answerUnderWay("again")).as("nothing is answered twice").isEmpty();
        // bars-2's outcome comes after all, as the session closes: it is not a second final result.
        later.pending.get(1).complete(CommandOutcome.rejected(ReasonCodes.NOT_CONNECTED, "the link closed"));
        assertThat(results).extracting(r -> r.getCommandId() + " " + r.getStatus() + " " + r.getReasonCode())
                .containsExactly("bars-1 COMPLETED OK", "bars-2 REJECTED " + ReasonCodes.NOT_CONNECTED);
        assertThat(results.get(1).getMessage()).startsWith("the bridge shut down before this command's outcome came")
                .endsWith("send it again under the same commandId");

        // Its id is not spent: sent again, it runs again.
        commands.add(positions("bars-2"));
        h.handle(record());
        assertThat(later.pending).hasSize(3);
    }

    @Test
    void aValidCommandIsExecutedAndAnsweredOnceWithItsOutcome() throws Exception {
        Command command = positions("c-1");
        CommandHandler h = handler(bytes -> command, c -> CompletableFuture.completedFuture(
                new CommandOutcome(CommandStatus.ACCEPTED, ReasonCodes.OK, "sent", null, 42L, 9L)));

        List<CompletableFuture<?>> acks = h.handle(record());

        assertThat(acks).hasSize(1);
        assertThat(executed).containsExactly(command);
        assertThat(results).singleElement().satisfies(r -> {
            assertThat(r.getCommandId()).isEqualTo("c-1");
            assertThat(r.getStatus()).isEqualTo(CommandStatus.ACCEPTED);
            assertThat(r.getOrderId()).isEqualTo(42L);
            assertThat(r.getCommandType()).isEqualTo("RequestPositions");
            assertThat(r.getBridgeId()).isEqualTo("b1");
            assertThat(r.getTimestamp()).isEqualTo(NOW);
        });
        assertThat(deadLetters).isEmpty();
        assertThat(h.handled()).isEqualTo(1);
        assertThat(h.results(CommandStatus.ACCEPTED)).isEqualTo(1);
    }

    @Test
    void aRecordThatDoesNotDecodeIsRejectedUnderTheCommandIdFoundInItAndDeadLettered() throws Exception {
        CommandHandler h = handler(bytes -> {
            throw new IllegalArgumentException("not a Command");
        }, c -> CompletableFuture.completedFuture(CommandOutcome.completed("never")));

        h.handle(record());

        assertThat(results).extracting(r -> r.getCommandId() + " " + r.getStatus() + " " + r.getReasonCode())
                .containsExactly("unreadable-1 REJECTED " + ReasonCodes.VALIDATION_FAILED);
        assertThat(deadLetters).singleElement().asString().contains("not a Command");
        assertThat(executed).isEmpty();
    }

    @Test
    void anInvalidCommandIsRejectedWithTheReasonAndDeadLetteredAsInvalid() throws Exception {
        Command badAccount = Command.newBuilder(positions("c-2")).setAccount("DU\u00071").build();
        CommandHandler h = handler(bytes -> badAccount, c -> CompletableFuture.completedFuture(
                CommandOutcome.completed("never")));

        h.handle(record());

        assertThat(results).extracting(r -> r.getStatus() + " " + r.getReasonCode())
                .containsExactly("REJECTED " + ReasonCodes.VALIDATION_FAILED);
        assertThat(results.get(0).getAccount()).as("an account with a control character is not repeated").isNull();
        assertThat(deadLetters).singleElement().isInstanceOf(CommandConsumer.InvalidCommandException.class);
        assertThat(executed).isEmpty();
    }

    @Test
    void aCommandReadAfterItsExpiryIsExpiredAndNotExecuted() throws Exception {
        Command late = Command.newBuilder(positions("c-3")).setIssuedAt(NOW.minusSeconds(10))
                .setExpiresAt(NOW.minusMillis(1)).build();
        CommandHandler h = handler(bytes -> late, c -> CompletableFuture.completedFuture(
                CommandOutcome.completed("never")));

        h.handle(record());

        assertThat(results).extracting(r -> r.getStatus() + " " + r.getReasonCode())
                .containsExactly("EXPIRED " + ReasonCodes.COMMAND_EXPIRED);
        assertThat(executed).isEmpty();
        assertThat(deadLetters).isEmpty();
    }

    @Test
    void anExecutionThatFailsIsAnInternalErrorAndAThrowIsDeadLetteredToo() throws Exception {
        CommandHandler failing = handler(bytes -> positions("c-4"),
                c -> CompletableFuture.failedFuture(new IllegalStateException("journal down")));
        failing.handle(record());
        assertThat(results).extracting(r -> r.getReasonCode() + " " + r.getMessage())
                .singleElement().asString().startsWith(ReasonCodes.INTERNAL_ERROR + " execution failed")
                .contains("journal down");
        assertThat(deadLetters).as("a failed execution is answered, not dead-lettered").isEmpty();

        results.clear();
        CommandHandler throwing = handler(bytes -> positions("c-5"), c -> {
            throw new IllegalStateException("a bug");
        });
        throwing.handle(record());
        assertThat(results).extracting(r -> r.getReasonCode()).containsExactly(ReasonCodes.INTERNAL_ERROR);
        assertThat(deadLetters).singleElement().asString().contains("a bug");
    }

    @Test
    void whatTheSenderWroteIsBoundedInTheResult() throws Exception {
        Command command = Command.newBuilder(positions("c-6")).setAccount("DU1").build();
        String longMessage = "x".repeat(10_000);
        CommandHandler h = handler(bytes -> command, c -> CompletableFuture.completedFuture(
                CommandOutcome.completed(longMessage)));

        h.handle(record());

        assertThat(results).singleElement().satisfies(r -> {
            assertThat(r.getMessage()).startsWith("x".repeat(2_000)).hasSizeLessThan(2_100);
            assertThat(r.getAccount()).isEqualTo("DU1");
            assertThat(r.getStatus()).isEqualTo(CommandStatus.COMPLETED);
        });
    }
}
