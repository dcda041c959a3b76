package io.twsbridge.bridge.history;

import io.twsbridge.bridge.contracts.ContractResolver;
import io.twsbridge.bridge.events.AcknowledgedSink;
import io.twsbridge.bridge.events.HistoricalBarRecords;
import io.twsbridge.bridge.gateway.GatewayRequestException;
import io.twsbridge.bridge.gateway.IbErrorCodes;
import io.twsbridge.bridge.history.pacing.HistoricalPacer;
import io.twsbridge.bridge.history.pacing.PacedRequest;
import io.twsbridge.bridge.history.pacing.PacingRefusal;
import io.twsbridge.bridge.history.pacing.PacingSnapshot;
import io.twsbridge.bridge.history.pacing.Permit;
import io.twsbridge.bridge.results.CommandOutcome;
import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.HistoricalBar;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.schema.Bar;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.CommandStatus;
import io.twsbridge.schema.RequestHistoricalBars;
import io.twsbridge.schema.catalogue.ReasonCodes;
import io.twsbridge.schema.catalogue.RecordKeys;
import io.twsbridge.schema.catalogue.Topic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Carries out RequestHistoricalBars: qualifies the instrument (every bar carries its conId), waits its turn under
 * IB's pacing rules ({@link HistoricalPacer}, shared by every strategy the bridge serves), asks reqHistoricalData,
 * publishes each bar on the bars topic with the commandId and its index, and answers COMPLETED with the bar count
 * and the first and last bar times once Kafka has every bar.
 *
 * <p>A request may wait minutes for its turn, so commands behind it do not wait for it: its one result comes
 * when it ends. A request identical to one answered within the last 15 s, or to one under way, is answered from those bars and
 * never sent again (IB counts an identical request within 15 s as a pacing violation).
 *
 * <p>Thread-safe: commands arrive on the consumer's thread, answers on the session's event loop.
 */
public final class HistoricalBarsService {

    private static final Logger log = LoggerFactory.getLogger(HistoricalBarsService.class);
    private static final DateTimeFormatter IB_UTC_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HH:mm:ss")
            .withZone(ZoneOffset.UTC);
    /** formatDate 2: intraday bars as epoch seconds, which need no zone to read. */
    private static final int EPOCH_SECONDS = 2;

    /**
     * What /status and the metrics show.
     *
     * @param sent                     requests sent to the Gateway since start
     * @param servedFromRecent         requests answered from an identical one's bars, not sent
     * @param pacingViolationsReceived errors 162 pacing violation the Gateway answered anyway; should stay 0
     * @param open                     requests sent and not yet answered
     */
    public record Status(PacingSnapshot pacing, long sent, long servedFromRecent, long pacingViolationsReceived,
                         int open) {

        /** The {@code history} object of {@code GET /status}. */
        public Map<String, Object> toJson() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("queueDepth", pacing.queueDepth());
            json.put("waitingByProducer", pacing.waitingByProducer());
            json.put("openRequests", open);
            json.put("sent", sent);
            json.put("servedFromRecent", servedFromRecent);
            json.put("longestWaitMillis", pacing.longestWait().toMillis());
            json.put("refusedWaitExpired", pacing.refusedExpired());
            json.put("refusedQueueFull", pacing.refusedQueueFull());
            json.put("pacingViolationsReceived", pacingViolationsReceived);
            json.put("breaker", pacing.breaker().name());
            json.put("breakerOpenUntil", pacing.breakerOpenUntil() == null ? null : pacing.breakerOpenUntil().toString());
            return json;
        }
    }

    /** One answer under way, which identical requests join. */
    private record Fetch(CompletableFuture<ServerMessage.HistoricalData> answer, String commandId) {
    }

    private final ContractResolver contracts;
    private final HistoricalRequests requests;
    private final HistoricalPacer pacer;
    private final AcknowledgedSink sink;
    private final Clock clock;
    private final Duration maxWait;
    private final RecentAnswers recent;
    private final Map<String, Fetch> underWay = new ConcurrentHashMap<>();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong servedFromRecent = new AtomicLong();
    private final AtomicLong pacingViolations = new AtomicLong();

    /**
     * @param maxWait the longest a request waits for its turn when its command sets no earlier expiresAt
     */
    public HistoricalBarsService(ContractResolver contracts, HistoricalRequests requests, HistoricalPacer pacer,
                                 AcknowledgedSink sink, Clock clock, Duration maxWait) {
        this.contracts = contracts;
        this.requests = requests;
        this.pacer = pacer;
        this.sink = sink;
        this.clock = clock;
        this.maxWait = maxWait;
        this.recent = new RecentAnswers(clock);
    }

    /**
     * The command's outcome: COMPLETED once every bar is on Kafka, or REJECTED with why. It may take as long as
     * the request waits for its turn; the command handling does not wait for it
     * ({@link io.twsbridge.bridge.commands.CommandExecutor#answersLater}).
     */
    public CompletableFuture<CommandOutcome> request(Command command, RequestHistoricalBars r) {
        return carryOut(command, r).exceptionally(HistoricalBarsService::failure);
    }

    public Status status() {
        return new Status(pacer.snapshot(), sent.get(), servedFromRecent.get(), pacingViolations.get(),
                requests.open());
    }

    private CompletableFuture<CommandOutcome> carryOut(Command command, RequestHistoricalBars r) {
        return contracts.qualify(r.getInstrument(), command.getCommandId()).thenCompose(q -> {
            String identity = identity(q.contract(), r);
            HistoricalBarRecords.Request shared = new HistoricalBarRecords.Request(q.instrument(), r.getBarSize(),
                    r.getWhatToShow(), r.getRegularTradingHoursOnly(), command.getCommandId(),
                    zone(q.details().specification().timeZoneId()));
            RecentAnswers.Answer done = recent.get(identity).orElse(null);
            if (done != null) {
                servedFromRecent.incrementAndGet();
                return publish(shared, done.data(), "served from the answer to " + done.commandId() + " fetched "
                        + Duration.between(done.at(), clock.instant()).toMillis() + " ms ago; not asked of IB again");
            }
            Fetch fetch = new Fetch(new CompletableFuture<>(), command.getCommandId());
            Fetch joined = underWay.putIfAbsent(identity, fetch);
            if (joined != null) {
                servedFromRecent.incrementAndGet();
                return joined.answer().thenCompose(data -> publish(shared, data, "served from the answer to "
                        + joined.commandId() + ", an identical request under way; not asked of IB again"));
            }
            fetch(command, r, q.contract(), identity).whenComplete((data, error) -> {
                underWay.remove(identity, fetch);
                if (error == null) {
                    recent.put(identity, data, command.getCommandId());
                    fetch.answer().complete(data);
                } else {
                    fetch.answer().completeExceptionally(error);
                }
            });
            return fetch.answer().thenCompose(data -> publish(shared, data, null));
        });
    }

    /** Waits for the request's turn, sends it, and ends its permit however it ends. */
    private CompletableFuture<ServerMessage.HistoricalData> fetch(Command command, RequestHistoricalBars r,
                                                                 Contract contract, String identity) {
        Instant expiry = clock.instant().plus(maxWait);
        if (command.getExpiresAt() != null && command.getExpiresAt().isBefore(expiry)) {
            expiry = command.getExpiresAt();
        }
        String producer = command.getIssuedBy() != null ? command.getIssuedBy()
                : command.getAccount() != null ? command.getAccount() : "(anonymous)";
        PacedRequest paced = new PacedRequest(identity, contract.conId() + "|" + contract.exchange() + "|"
                + r.getWhatToShow(), BarRequestRules.isSmall(r.getBarSize()),
                PacedRequest.weightFor(r.getWhatToShow().name()), producer.isBlank() ? "(anonymous)" : producer, expiry);
        return pacer.admit(paced).thenCompose(permit -> {
            sent.incrementAndGet();
            CompletableFuture<ServerMessage.HistoricalData> answer = requests.send(reqId ->
                    new ClientMessage.ReqHistoricalData(reqId, contract, false,
                            r.getEndTime() == null ? "" : IB_UTC_TIME.format(r.getEndTime()), r.getDuration(),
                            BarRequestRules.wireText(r.getBarSize()), r.getRegularTradingHoursOnly(),
                            r.getWhatToShow().name(), EPOCH_SECONDS, false, ""));
            answer.whenComplete((data, error) -> end(permit, error));
            return answer;
        });
    }

    private void end(Permit permit, Throwable error) {
        Throwable cause = unwrap(error);
        if (cause == null) {
            permit.answered();
        } else if (cause instanceof GatewayRequestException ib) {
            if (IbErrorCodes.historicalRefusal(ib.code(), ib.text()) == IbErrorCodes.HistoricalRefusal.PACING_VIOLATION) {
                pacingViolations.incrementAndGet();
                log.warn("IB refused a historical request for pacing although the bridge paced it ({}); historical"
                        + " requests pause while the pacing breaker is open", ib.getMessage());
                permit.pacingViolation();
            } else {
                permit.answered();
            }
        } else {
            permit.release();
        }
    }

    /** Publishes every bar, then says COMPLETED with the count and time range. */
    private CompletableFuture<CommandOutcome> publish(HistoricalBarRecords.Request shared,
                                                      ServerMessage.HistoricalData data, String servedFrom) {
        List<HistoricalBar> bars = data.bars();
        List<Bar> records = new ArrayList<>(bars.size());
        try {
            for (int i = 0; i < bars.size(); i++) {
                records.add(HistoricalBarRecords.of(shared, bars.get(i), i));
            }
        } catch (DateTimeException | IllegalArgumentException e) {
            return CompletableFuture.completedFuture(CommandOutcome.rejected(ReasonCodes.INTERNAL_ERROR,
                    "IB's answer has a bar the bridge cannot read: " + e.getMessage()));
        }
        List<CompletableFuture<?>> acks = new ArrayList<>(records.size());
        for (Bar b : records) {
            acks.add(sink.send(Topic.BARS, RecordKeys.bar(b), b));
        }
        Instant first = records.isEmpty() ? null : records.get(0).getStartTime();
        Instant last = records.isEmpty() ? null : records.get(records.size() - 1).getStartTime();
        String message = records.size() + " bars published" + (records.isEmpty() ? "" : " from " + first + " to " + last)
                + (servedFrom == null ? "" : ", " + servedFrom);
        Long conId = shared.instrument().getConId();
        CommandOutcome.Published published = new CommandOutcome.Published(records.size(),
                conId == null ? List.of() : List.of(conId), first, last);
        return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
                .thenApply(x -> CommandOutcome.completed(message).with(published));
    }

    /** Why a request failed, as its final result. */
    private static CommandOutcome failure(Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof ContractResolver.NotQualified n) {
            return n.outcome();
        }
        if (cause instanceof PacingRefusal p) {
            return CommandOutcome.rejected(p.reason() == PacingRefusal.Reason.QUEUE_FULL ? ReasonCodes.PACING_QUEUE_FULL
                    : ReasonCodes.PACING_WAIT_EXPIRED, p.getMessage());
        }
        if (cause instanceof GatewayRequestException ib) {
            String reason = switch (IbErrorCodes.historicalRefusal(ib.code(), ib.text())) {
                case PACING_VIOLATION -> ReasonCodes.PACING_VIOLATION;
                case NO_DATA -> ReasonCodes.NO_HISTORICAL_DATA;
                case NO_PERMISSION -> ReasonCodes.NO_MARKET_DATA_PERMISSION;
                case CANCELLED, OTHER -> ib.code() == IbErrorCodes.NO_SECURITY_DEFINITION ? ReasonCodes.CONTRACT_NOT_FOUND
                        : ReasonCodes.ibError(ib.code());
            };
            return new CommandOutcome(CommandStatus.REJECTED, reason, ib.getMessage(), ib.code());
        }
        if (cause instanceof TimeoutException) {
            return CommandOutcome.rejected(ReasonCodes.TIMEOUT, "the Gateway did not answer the request in time; it was"
                    + " cancelled at the Gateway");
        }
        if (cause instanceof IllegalStateException) {
            return CommandOutcome.rejected(ReasonCodes.NOT_CONNECTED, cause.getMessage());
        }
        log.error("RequestHistoricalBars failed inside the bridge", cause);
        return CommandOutcome.rejected(ReasonCodes.INTERNAL_ERROR, "the bridge failed on this request: " + cause);
    }

    /** Every parameter that makes two requests identical in IB's sense. */
    private static String identity(Contract c, RequestHistoricalBars r) {
        return String.join("|", String.valueOf(c.conId()), c.exchange(),
                r.getEndTime() == null ? "now" : r.getEndTime().toString(), r.getDuration(), r.getBarSize().name(),
                r.getWhatToShow().name(), String.valueOf(r.getRegularTradingHoursOnly()));
    }

    private static ZoneId zone(String timeZoneId) {
        try {
            return timeZoneId == null || timeZoneId.isEmpty() ? ZoneOffset.UTC : ZoneId.of(timeZoneId);
        } catch (DateTimeException e) {
            return ZoneOffset.UTC;
        }
    }

    private static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
