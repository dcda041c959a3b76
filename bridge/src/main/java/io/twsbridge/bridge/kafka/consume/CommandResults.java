package io.twsbridge.bridge.kafka.consume;

import io.twsbridge.bridge.commands.Printable;
import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.bridge.kafka.publish.Producers;
import io.twsbridge.bridge.results.CommandOutcome;
import io.twsbridge.bridge.results.LaterResults;
import io.twsbridge.schema.CommandResult;
import io.twsbridge.schema.CommandStatus;
import io.twsbridge.schema.support.Decimals;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every result the bridge publishes on the results topic: the first result of each command, written while the
 * command is handled, and the later ones ({@link LaterResults}: an order command's final result, when IB reports the
 * order's end).
 *
 * <p>A later result never overtakes the first: while a command is being executed, a later result for it (an order
 * that fills the moment IB acknowledges it) is held and published right after the first one, through the same
 * producer, so the two reach the commandId's partition in that order.
 *
 * <p>No command can make a result Kafka refuses: everything in it that the sender wrote is bounded; only the
 * commandId cannot be cut (it is how the sender finds its answer). A commandId too long for any result is always
 * refused by validation, so its dead letter stands for the result.
 *
 * <p>Thread-safe: first results come from the consumer's thread, later ones from the session's event loop.
 */
public final class CommandResults implements LaterResults {

    private static final Logger log = LoggerFactory.getLogger(CommandResults.class);
    /** Everything of a result but its commandId, with message and account bounded as below. */
    private static final long RESULT_ALLOWANCE = 16 * 1024;
    private static final int RESULT_MESSAGE_CHARS = 2000;
    private static final int RESULT_ACCOUNT_CHARS = 64;

    private final KafkaSettings settings;
    private final CommandAnswers answers;
    private final Clock clock;
    /** The largest record the bridge's producer sends: results must fit in it. */
    private final int maxRecordBytes;
    private final Map<String, AtomicLong> byStatus = new HashMap<>();
    private volatile CommandObserver observer = CommandObserver.NONE;
    /** Commands being executed, with the later results waiting for their first. Guarded by itself. */
    private final Map<String, List<Runnable>> heldBehindFirst = new HashMap<>();

    public CommandResults(KafkaSettings settings, CommandAnswers answers, Clock clock) {
        this.settings = settings;
        this.answers = answers;
        this.clock = clock;
        this.maxRecordBytes = Producers.maxRecordBytes(settings);
        for (CommandStatus s : CommandStatus.values()) {
            byStatus.put(s.name(), new AtomicLong());
        }
    }

    /** Told of every result (commands by type and status in the metrics). */
    public void setObserver(CommandObserver observer) {
        this.observer = observer;
    }

    /** Results published so far with {@code status}. */
    public long count(CommandStatus status) {
        return byStatus.get(status.name()).get();
    }

    /** The command is about to be executed: later results for it wait for its {@link #first first result}. */
    void executing(String commandId) {
        synchronized (heldBehindFirst) {
            heldBehindFirst.putIfAbsent(commandId, new ArrayList<>());
        }
    }

    /**
     * Publishes the first result of a command, then any later result held for it.
     *
     * @param where the record answered, for log lines
     */
    CompletableFuture<?> first(String where, String commandId, String commandType, String account,
                               CommandOutcome outcome) {
        CompletableFuture<?> sent = send(where, commandId, commandType, account, outcome);
        List<Runnable> held;
        synchronized (heldBehindFirst) {
            held = heldBehindFirst.remove(commandId == null ? "" : commandId);
        }
        if (held != null) {
            held.forEach(Runnable::run);
        }
        return sent;
    }

    @Override
    public CompletableFuture<?> publish(String commandId, String commandType, String account, CommandOutcome outcome) {
        synchronized (heldBehindFirst) {
            List<Runnable> held = heldBehindFirst.get(commandId);
            if (held != null) {
                CompletableFuture<Object> sent = new CompletableFuture<>();
                held.add(() -> send("a later result", commandId, commandType, account, outcome)
                        .whenComplete((v, e) -> {
                            if (e != null) {
                                sent.completeExceptionally(e);
                            } else {
                                sent.complete(v);
                            }
                        }));
                return sent;
            }
        }
        return send("a later result", commandId, commandType, account, outcome);
    }

    private CompletableFuture<?> send(String where, String commandId, String commandType, String account,
                                      CommandOutcome outcome) {
        String id = commandId == null ? "" : commandId;
        // The commandId is both key and value of the result.
        if (2L * utf8Length(id) + RESULT_ALLOWANCE > maxRecordBytes) {
            log.warn("command at {} has a commandId of {} characters, too long for a result Kafka accepts; only its"
                    + " dead letter answers it", where, id.length());
            return CompletableFuture.completedFuture(null);
        }
        byStatus.get(outcome.status().name()).incrementAndGet();
        observer.result(commandType, outcome.status());
        CommandOutcome.OrderEnd end = outcome.orderEnd();
        CommandOutcome.Published data = outcome.data();
        CommandResult result = CommandResult.newBuilder()
                .setCommandId(id)
                .setStatus(outcome.status())
                .setReasonCode(outcome.reasonCode())
                .setMessage(outcome.message() == null ? "" : Printable.of(outcome.message(), RESULT_MESSAGE_CHARS))
                .setCommandType(commandType)
                .setAccount(plausibleAccount(account) ? account : null)
                .setIbErrorCode(outcome.ibErrorCode())
                .setOrderId(outcome.orderId())
                .setPermId(outcome.permId())
                .setTimestamp(clock.instant())
                .setBridgeId(settings.bridgeId())
                .setOrderStatus(end == null ? null : end.ibStatus())
                .setFilledQuantity(end == null || end.filled() == null ? null : Decimals.rounded(end.filled()))
                .setAverageFillPrice(end == null ? null : end.averageFillPrice())
                .setRecordCount(data == null ? null : data.recordCount())
                .setConIds(data == null || data.conIds().isEmpty() ? null : data.conIds())
                .setFirstBarTime(data == null ? null : data.firstBarTime())
                .setLastBarTime(data == null ? null : data.lastBarTime())
                .build();
        return answers.result(result).exceptionally(error -> {
            if (!(unwrap(error) instanceof RecordTooLargeException)) {
                throw new CompletionException(unwrap(error));
            }
            // The results topic takes less than the producer sends (its max.message.bytes is lower): answering is
            // impossible, and the dead letter, when there is one, still tells.
            log.warn("the result of command at {} is larger than the results topic accepts; not published", where);
            return null;
        });
    }

    /** An account a result may repeat; anything else (1 MB, control characters) was refused and is left out. */
    private static boolean plausibleAccount(String account) {
        return account != null && account.length() <= RESULT_ACCOUNT_CHARS
                && account.chars().noneMatch(Character::isISOControl);
    }

    private static long utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }
}
