package io.twsbridge.bridge.events;

import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.gateway.session.SessionStateChange;
import io.twsbridge.bridge.time.ManualEventLoop;
import io.twsbridge.protocol.message.Order;
import io.twsbridge.protocol.message.OrderCondition;
import io.twsbridge.protocol.message.OrderConditions;
import io.twsbridge.protocol.message.OrderState;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.schema.ExecutionSide;
import io.twsbridge.schema.Fill;
import io.twsbridge.schema.OrderStatus;
import io.twsbridge.schema.OrderUpdate;
import io.twsbridge.schema.catalogue.Topic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** Orders and fills from message sequences as the simulator sends them for a market order. */
class OrderAndFillEventsTest {

    private static final Duration GRACE = Duration.ofSeconds(10);

    private final ManualEventLoop loop = new ManualEventLoop();
    private final Instant start = loop.clock().instant();
    private final RecordingSink sink = new RecordingSink();
    private final FakeSession session = new FakeSession();
    private final EventMapper mapper = new EventMapper(sink, session, loop,
            EventMapperConfig.defaults("bridge-a").withCommissionGracePeriod(GRACE));

    @Test
    void theSimulatorsOrderFlowGivesOneUpdatePerOrderMessageAndOneFillWithCommission() {
        ready();
        // Broker.placeOrder, then tryFill, as the simulator sends them for a marketable order.
        send(Ib.openOrder("PreSubmitted"),
                Ib.orderStatus("PreSubmitted", "0", "100", 0.0, 0.0),
                Ib.openOrder("Submitted"),
                Ib.orderStatus("Submitted", "0", "100", 0.0, 0.0),
                Ib.execDetails(-1),
                Ib.commission(Ib.EXEC_ID),
                Ib.openOrder("Filled"),
                Ib.orderStatus("Filled", "100", "0", 189.52, 189.52));

        assertThat(sink.keys(Topic.ORDERS)).hasSize(6).containsOnly(Ib.ORDER_REF);
        var updates = sink.values(Topic.ORDERS, OrderUpdate.class);
        assertThat(updates).extracting(OrderUpdate::getStatus).containsExactly(OrderStatus.PRE_SUBMITTED,
                OrderStatus.PRE_SUBMITTED, OrderStatus.SUBMITTED, OrderStatus.SUBMITTED, OrderStatus.FILLED,
                OrderStatus.FILLED);
        assertThat(updates).extracting(OrderUpdate::getIbStatus)
                .containsExactly("PreSubmitted", "PreSubmitted", "Submitted", "Submitted", "Filled", "Filled");

        OrderUpdate working = updates.get(3);
        assertThat(working.getOrderRef()).isEqualTo(Ib.ORDER_REF);
        assertThat(working.getOrderId()).isEqualTo(Ib.ORDER_ID);
        assertThat(working.getPermId()).isEqualTo(Ib.PERM_ID);
        assertThat(working.getClientId()).isEqualTo(Ib.CLIENT_ID);
        assertThat(working.getAccount()).isEqualTo(Ib.ACCOUNT);
        assertThat(working.getInstrument().getConId()).isEqualTo(265598L);
        assertThat(working.getInstrument().getSymbol()).isEqualTo("AAPL");
        assertThat(working.getAction()).isEqualTo("BUY");
        assertThat(working.getOrderType()).isEqualTo("MKT");
        assertThat(working.getTimeInForce()).isEqualTo("DAY");
        assertThat(working.getTotalQuantity()).isEqualTo(new BigDecimal("100.0000000000"));
        assertThat(working.getFilled()).isEqualTo(new BigDecimal("0E-10"));
        assertThat(working.getRemaining()).isEqualTo(new BigDecimal("100.0000000000"));
        assertThat(working.getAvgFillPrice()).as("null before the first fill, though IB sent 0").isNull();
        assertThat(working.getLastFillPrice()).isNull();
        assertThat(working.getUpdatedAt()).isEqualTo(start);

        OrderUpdate filledByOpenOrder = updates.get(4);
        assertThat(filledByOpenOrder.getFilled()).as("Filled is filled in full, before orderStatus says so")
                .isEqualTo(new BigDecimal("100.0000000000"));
        assertThat(filledByOpenOrder.getRemaining()).isEqualTo(new BigDecimal("0E-10"));
        OrderUpdate done = updates.get(5);
        assertThat(done.getFilled()).isEqualTo(new BigDecimal("100.0000000000"));
        assertThat(done.getRemaining()).isEqualTo(new BigDecimal("0E-10"));
        assertThat(done.getAvgFillPrice()).isEqualTo(189.52);
        assertThat(done.getLastFillPrice()).isEqualTo(189.52);
        assertThat(done.getInstrument()).as("joined with openOrder").isNotNull();

        assertThat(sink.keys(Topic.FILLS)).containsExactly(Ib.EXEC_ID);
        Fill fill = sink.values(Topic.FILLS, Fill.class).get(0);
        assertThat(fill.getOrderRef()).isEqualTo(Ib.ORDER_REF);
        assertThat(fill.getOrderId()).isEqualTo(Ib.ORDER_ID);
        assertThat(fill.getPermId()).isEqualTo(Ib.PERM_ID);
        assertThat(fill.getClientId()).isEqualTo(Ib.CLIENT_ID);
        assertThat(fill.getAccount()).isEqualTo(Ib.ACCOUNT);
        assertThat(fill.getInstrument().getConId()).isEqualTo(265598L);
        assertThat(fill.getSide()).isEqualTo(ExecutionSide.BOT);
        assertThat(fill.getShares()).isEqualTo(new BigDecimal("100.0000000000"));
        assertThat(fill.getCumulativeQuantity()).isEqualTo(new BigDecimal("100.0000000000"));
        assertThat(fill.getPrice()).isEqualTo(189.52);
        assertThat(fill.getAveragePrice()).isEqualTo(189.52);
        assertThat(fill.getExchange()).isEqualTo("ISLAND");
        assertThat(fill.getExecutionTime()).as("09:30 in New York in November is 14:30 UTC")
                .isEqualTo(Instant.parse("2026-11-28T14:30:00Z"));
        assertThat(fill.getCommission()).isEqualTo(new BigDecimal("1.0000000000"));
        assertThat(fill.getCommissionCurrency()).isEqualTo("USD");
        assertThat(fill.getRealizedPnl()).isNull();
        assertThat(fill.getPublishedAt()).isEqualTo(start);

        loop.advance(GRACE.multipliedBy(3));
        assertThat(sink.keys(Topic.FILLS)).as("the grace timer was cancelled by the join").hasSize(1);
        assertThat(loop.pendingTimers()).isZero();
        assertThat(mapper.counters().published(Topic.ORDERS)).isEqualTo(6);
        assertThat(mapper.counters().published(Topic.FILLS)).isEqualTo(1);
        assertThat(mapper.counters().fillsWithoutCommission()).isZero();
    }

    @Test
    void aCommissionReportBeforeItsExecutionIsJoinedWhenTheExecutionArrives() {
        ready();
        send(new ServerMessage.CommissionReport(Ib.EXEC_ID, 1.25, "USD", -3.5, null, 0));
        assertThat(sink.keys(Topic.FILLS)).isEmpty();

        send(Ib.execDetails(-1));

        Fill fill = sink.values(Topic.FILLS, Fill.class).get(0);
        assertThat(sink.keys(Topic.FILLS)).containsExactly(Ib.EXEC_ID);
        assertThat(fill.getCommission()).isEqualTo(new BigDecimal("1.2500000000"));
        assertThat(fill.getRealizedPnl()).isEqualTo(new BigDecimal("-3.5000000000"));
        assertThat(loop.pendingTimers()).as("nothing left waiting").isZero();
    }

    @Test
    void anExecutionReplayedByReqExecutionsIsNotASecondFill() {
        ready();
        send(Ib.execDetails(-1), Ib.commission(Ib.EXEC_ID));
        // The next sync (or a RequestExecutions command) replays the day's executions, each with its report.
        send(Ib.execDetails(2), Ib.commission(Ib.EXEC_ID), new ServerMessage.ExecDetailsEnd(2));
        send(Ib.execDetails(9), Ib.commission(Ib.EXEC_ID), new ServerMessage.ExecDetailsEnd(9));

        assertThat(sink.keys(Topic.FILLS)).containsExactly(Ib.EXEC_ID);
        assertThat(mapper.counters().duplicateFillsSuppressed()).isEqualTo(2);
        assertThat(mapper.counters().lateCommissionReports()).isZero();
    }

    @Test
    void aCorrectionHasANewExecIdAndIsANewFill() {
        ready();
        String corrected = "3b9ae1e1.00000001.01.02";
        send(Ib.execDetails(-1), Ib.commission(Ib.EXEC_ID),
                Ib.execDetails(-1, corrected, "20261128 09:30:00 US/Eastern"), Ib.commission(corrected));

        assertThat(sink.keys(Topic.FILLS)).containsExactly(Ib.EXEC_ID, corrected);
    }

    @Test
    void withoutACommissionReportTheFillGoesOutAfterTheGracePeriodWithNullCommission() {
        ready();
        send(Ib.execDetails(-1));

        loop.advance(GRACE.minusMillis(1));
        assertThat(sink.keys(Topic.FILLS)).isEmpty();
        loop.advance(Duration.ofMillis(1));

        Fill fill = sink.values(Topic.FILLS, Fill.class).get(0);
        assertThat(fill.getCommission()).isNull();
        assertThat(fill.getCommissionCurrency()).isNull();
        assertThat(fill.getRealizedPnl()).isNull();
        assertThat(fill.getExecutionTime()).isEqualTo(Instant.parse("2026-11-28T14:30:00Z"));
        assertThat(fill.getPublishedAt()).isEqualTo(start.plus(GRACE));
        assertThat(mapper.counters().fillsWithoutCommission()).isEqualTo(1);

        send(Ib.commission(Ib.EXEC_ID));
        assertThat(sink.keys(Topic.FILLS)).as("never a second record for one execId").hasSize(1);
        assertThat(mapper.counters().lateCommissionReports()).isEqualTo(1);
    }

    @Test
    void aGracePeriodThatEndsWhileDisconnectedWaitsForTheReplayOfTheNextSync() {
        ready();
        send(Ib.execDetails(-1));
        state(SessionState.READY, SessionState.DISCONNECTED);
        loop.advance(Duration.ofMinutes(2));
        assertThat(sink.keys(Topic.FILLS)).as("the link is down: the report may come with the replay").isEmpty();

        state(SessionState.DISCONNECTED, SessionState.CONNECTING);
        state(SessionState.CONNECTING, SessionState.HANDSHAKING);
        state(SessionState.HANDSHAKING, SessionState.SYNCING);
        send(Ib.execDetails(2), Ib.commission(Ib.EXEC_ID), new ServerMessage.ExecDetailsEnd(2));
        state(SessionState.SYNCING, SessionState.READY);

        assertThat(sink.values(Topic.FILLS, Fill.class)).singleElement()
                .satisfies(f -> assertThat(f.getCommission()).isEqualTo(new BigDecimal("1.0000000000")));
        assertThat(mapper.counters().fillsWithoutCommission()).isZero();
    }

    @Test
    void anExecutionStillWithoutReportWhenTheSessionIsReadyAgainGoesOutWithoutCommission() {
        ready();
        send(Ib.execDetails(-1));
        state(SessionState.READY, SessionState.DISCONNECTED);
        loop.advance(Duration.ofMinutes(2));
        state(SessionState.DISCONNECTED, SessionState.SYNCING);
        assertThat(sink.keys(Topic.FILLS)).isEmpty();

        state(SessionState.SYNCING, SessionState.READY);

        assertThat(sink.values(Topic.FILLS, Fill.class)).singleElement()
                .satisfies(f -> assertThat(f.getCommission()).isNull());
    }

    @Test
    void anExecutionWhoseGraceHasNotEndedKeepsWaitingAcrossReady() {
        ready();
        send(Ib.execDetails(-1));
        state(SessionState.READY, SessionState.DISCONNECTED);
        state(SessionState.DISCONNECTED, SessionState.SYNCING);
        state(SessionState.SYNCING, SessionState.READY);
        assertThat(sink.keys(Topic.FILLS)).isEmpty();

        send(Ib.commission(Ib.EXEC_ID));
        assertThat(sink.values(Topic.FILLS, Fill.class)).singleElement()
                .satisfies(f -> assertThat(f.getCommission()).isNotNull());
    }

    @Test
    void flushPublishesWaitingExecutionsWithoutCommission() {
        ready();
        send(Ib.execDetails(-1));

        mapper.flush();

        assertThat(sink.values(Topic.FILLS, Fill.class)).singleElement()
                .satisfies(f -> assertThat(f.getCommission()).isNull());
        loop.advance(GRACE);
        assertThat(sink.keys(Topic.FILLS)).hasSize(1);
    }

    @Test
    void anExecutionTimeWithoutZoneIsReadInTheConfiguredZoneAndAnUnreadableOneIsTheTimeOfReceipt() {
        EventMapper mapper = new EventMapper(sink, session, loop, EventMapperConfig.defaults("bridge-a")
                .withExecutionTimeZone(java.time.ZoneId.of("Europe/Zurich")));
        mapper.onMessage(Ib.execDetails(-1, "e.1", "20261128  15:30:00"));
        mapper.onMessage(Ib.commission("e.1"));
        loop.advance(Duration.ofSeconds(3));
        mapper.onMessage(Ib.execDetails(-1, "e.2", "at half past nine"));
        mapper.onMessage(Ib.commission("e.2"));

        assertThat(sink.values(Topic.FILLS, Fill.class)).extracting(Fill::getExecutionTime)
                .containsExactly(Instant.parse("2026-11-28T14:30:00Z"), start.plusSeconds(3));
        assertThat(mapper.counters().unparsableExecutionTimes()).isEqualTo(1);
    }

    @Test
    void anOrderStatusJoinsTheLastOpenOrderOfItsOrderAndCarriesItsKey() {
        ready();
        send(Ib.openOrder("Submitted"));
        send(new ServerMessage.OrderStatus(Ib.ORDER_ID, "Submitted", new BigDecimal("40"), new BigDecimal("60"),
                189.5, Ib.PERM_ID, 0, 189.5, Ib.CLIENT_ID, "", 0.0));

        OrderUpdate partial = sink.values(Topic.ORDERS, OrderUpdate.class).get(1);
        assertThat(sink.keys(Topic.ORDERS).get(1)).isEqualTo(Ib.ORDER_REF);
        assertThat(partial.getOrderRef()).isEqualTo(Ib.ORDER_REF);
        assertThat(partial.getInstrument().getConId()).isEqualTo(265598L);
        assertThat(partial.getFilled()).isEqualTo(new BigDecimal("40.0000000000"));
        assertThat(partial.getRemaining()).isEqualTo(new BigDecimal("60.0000000000"));
        assertThat(partial.getAvgFillPrice()).isEqualTo(189.5);
    }

    @Test
    void aStatusForAnOrderNeverDescribedIsPublishedWithoutInstrumentUnderItsPermIdKey() {
        ready();
        send(new ServerMessage.OrderStatus(12, "Submitted", BigDecimal.ZERO, new BigDecimal("3"), 0.0, 77L, 0, 0.0,
                0, "locate", 0.0));

        OrderUpdate update = sink.values(Topic.ORDERS, OrderUpdate.class).get(0);
        assertThat(sink.keys(Topic.ORDERS)).containsExactly("perm:77");
        assertThat(update.getInstrument()).isNull();
        assertThat(update.getAccount()).isEmpty();
        assertThat(update.getAction()).isEmpty();
        assertThat(update.getTotalQuantity()).isEqualTo(new BigDecimal("3.0000000000"));
        assertThat(update.getWhyHeld()).isEqualTo("locate");
    }

    @Test
    void aConditionalOrderEnteredInTwsCarriesItsConditionsSummaryThroughItsStatusUpdates() {
        ready();
        OrderConditions conditions = OrderConditions.of(true, false,
                new OrderCondition.Price(OrderCondition.Conjunction.AND, true, 150.0, 265598, "SMART", 2),
                new OrderCondition.Time(OrderCondition.Conjunction.AND, true, "20261207 09:30:00 US/Eastern"));
        Order entered = Ib.marketBuy("", 0, 888L).toBuilder().conditions(conditions).build();
        send(new ServerMessage.OpenOrder(0, Ib.AAPL, entered, OrderState.of("PreSubmitted")),
                new ServerMessage.OrderStatus(0, "PreSubmitted", BigDecimal.ZERO, new BigDecimal("100"), 0.0, 888L, 0,
                        0.0, 0, "", 0.0));

        assertThat(sink.keys(Topic.ORDERS)).containsExactly("perm:888", "perm:888");
        assertThat(sink.values(Topic.ORDERS, OrderUpdate.class)).extracting(OrderUpdate::getConditionsSummary)
                .containsOnly("submit when price conId=265598 on SMART >= 150.0 (last)"
                        + " and time >= 20261207 09:30:00 US/Eastern, outside RTH too");
    }

    @Test
    void anOrderWithoutConditionsHasNoSummary() {
        ready();
        send(Ib.openOrder("Submitted"));

        assertThat(sink.values(Topic.ORDERS, OrderUpdate.class).get(0).getConditionsSummary()).isNull();
    }

    @Test
    void ordersOfOtherClientsWithTheSameOrderIdAreKeptApartByPermId() {
        ready();
        send(Ib.openOrder("Submitted"),
                new ServerMessage.OpenOrder(Ib.ORDER_ID, Ib.MSFT, Ib.marketBuy("", 3, 555L), OrderState.of("Submitted")),
                new ServerMessage.OrderStatus(Ib.ORDER_ID, "Cancelled", BigDecimal.ZERO, new BigDecimal("100"), 0.0,
                        555L, 0, 0.0, 3, "", 0.0));

        assertThat(sink.keys(Topic.ORDERS)).containsExactly(Ib.ORDER_REF, "perm:555", "perm:555");
        OrderUpdate cancelled = sink.values(Topic.ORDERS, OrderUpdate.class).get(2);
        assertThat(cancelled.getInstrument().getSymbol()).isEqualTo("MSFT");
        assertThat(cancelled.getStatus()).isEqualTo(OrderStatus.CANCELLED);
    }

    @Test
    void aRequestFailedErrorAboutAKnownOrderOfThisClientIsPartOfItsUpdates() {
        ready();
        send(Ib.openOrder("Submitted"));
        // A modify rejected by IB: the order stays working, with IB's reason.
        send(new ServerMessage.ErrorMessage((int) Ib.ORDER_ID, 201, "Order rejected - reason:price too far"));
        send(Ib.orderStatus("Submitted", "0", "100", 0.0, 0.0));

        var updates = sink.values(Topic.ORDERS, OrderUpdate.class);
        assertThat(updates).hasSize(3);
        assertThat(updates.get(0).getIbErrorCode()).isNull();
        assertThat(updates.get(1).getIbErrorCode()).isEqualTo(201);
        assertThat(updates.get(1).getIbErrorMessage()).isEqualTo("Order rejected - reason:price too far");
        assertThat(updates.get(1).getStatus()).isEqualTo(OrderStatus.SUBMITTED);
        assertThat(updates.get(2).getIbErrorCode()).as("the latest error stays with the order").isEqualTo(201);
    }

    @Test
    void otherErrorsDoNotTouchOrders() {
        ready();
        send(Ib.openOrder("Submitted"));
        session.subscriptions.put(6, Ib.MSFT);
        send(new ServerMessage.ErrorMessage((int) Ib.ORDER_ID, 202, "Order Canceled - reason:"),   // info
                new ServerMessage.ErrorMessage((int) Ib.ORDER_ID, 399, "Order will not be placed until..."), // warning
                new ServerMessage.ErrorMessage(6, 354, "Requested market data is not subscribed"), // a market-data reqId
                new ServerMessage.ErrorMessage(-1, 2104, "Market data farm connection is OK:usfarm"),
                new ServerMessage.ErrorMessage(404, 201, "Order rejected - reason:unknown order"));  // unknown id
        session.clientId = 3;
        send(new ServerMessage.ErrorMessage((int) Ib.ORDER_ID, 201, "another client's order 5"));

        assertThat(sink.keys(Topic.ORDERS)).hasSize(1);
    }

    @ParameterizedTest
    @CsvSource({"ApiPending,API_PENDING", "PendingSubmit,PENDING_SUBMIT", "PendingCancel,PENDING_CANCEL",
            "PreSubmitted,PRE_SUBMITTED", "Submitted,SUBMITTED", "ApiCancelled,API_CANCELLED",
            "Cancelled,CANCELLED", "Canceled,CANCELLED", "Filled,FILLED", "Inactive,INACTIVE",
            "Held,UNKNOWN"})
    void ibStatusTextMapsToTheEnumAndIsKeptAsSent(String ib, OrderStatus expected) {
        send(Ib.openOrder(ib));

        OrderUpdate update = sink.values(Topic.ORDERS, OrderUpdate.class).get(0);
        assertThat(update.getStatus()).isEqualTo(expected);
        assertThat(update.getIbStatus()).isEqualTo(ib);
    }

    private void ready() {
        state(SessionState.SYNCING, SessionState.READY);
    }

    private void state(SessionState from, SessionState to) {
        mapper.onStateChange(new SessionStateChange(from, to, "test", loop.clock().instant()));
    }

    private void send(ServerMessage... messages) {
        for (ServerMessage m : messages) {
            mapper.onMessage(m);
        }
        assertThat(mapper.counters().unmappableMessages()).as("every message mapped").isZero();
    }
}
