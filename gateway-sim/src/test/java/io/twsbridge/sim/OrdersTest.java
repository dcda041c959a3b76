package io.twsbridge.sim;

import io.twsbridge.protocol.codec.ClientMessageCodec;
import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.ExecutionFilter;
import io.twsbridge.protocol.message.OrderCondition;
import io.twsbridge.protocol.message.OrderConditions;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.protocol.message.ServerMessage.CommissionReport;
import io.twsbridge.protocol.message.ServerMessage.ErrorMessage;
import io.twsbridge.protocol.message.ServerMessage.ExecDetails;
import io.twsbridge.protocol.message.ServerMessage.OpenOrder;
import io.twsbridge.protocol.message.ServerMessage.OrderStatus;
import io.twsbridge.protocol.message.ServerMessage.TickPrice;
import io.twsbridge.sim.support.TwsTestClient;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** Orders as a client sees them: the reports of each state change, fills, replays and the errors. */
class OrdersTest extends SimulatorTestBase {

    @Test
    void aLimitFarBelowTheMarketRestsAndCancelsWithStatusThenError202() throws Exception {
        start(config());
        TwsTestClient c = client(1);

        c.send(place(1, "AAPL", limit("BUY", 100, 1.00, "rest-1")));
        c.await(OrderStatus.class, s -> s.orderId() == 1 && s.status().equals("Submitted"), TIMEOUT);

        List<ServerMessage> reports = orderReports(c, 1);
        assertThat(reports).extracting(OrdersTest::describe).containsExactly(
                "openOrder PreSubmitted", "orderStatus PreSubmitted", "openOrder Submitted", "orderStatus Submitted");
        OpenOrder open = (OpenOrder) reports.get(2);
        assertThat(open.contract().symbol()).isEqualTo("AAPL");
        assertThat(open.contract().conId()).isEqualTo(265598);
        assertThat(open.order().action()).isEqualTo("BUY");
        assertThat(open.order().orderType()).isEqualTo("LMT");
        assertThat(open.order().lmtPrice()).isEqualTo(1.00);
        assertThat(open.order().totalQuantity()).isEqualByComparingTo("100");
        assertThat(open.order().orderRef()).isEqualTo("rest-1");
        assertThat(open.order().clientId()).isEqualTo(1);
        OrderStatus status = (OrderStatus) reports.get(3);
        assertThat(status.filled()).isEqualByComparingTo("0");
        assertThat(status.remaining()).isEqualByComparingTo("100");
        assertThat(status.clientId()).isEqualTo(1);
        assertThat(status.permId()).isPositive().isEqualTo(open.order().permId());
        assertThat(sim.state().openOrders()).isEqualTo(1);

        c.send(new ClientMessage.CancelOrder(1));

        c.await(ErrorMessage.class, e -> e.id() == 1 && e.code() == 202, TIMEOUT);
        int cancelled = indexOf(c, OrderStatus.class, s -> s.orderId() == 1 && s.status().equals("Cancelled"));
        int error202 = indexOf(c, ErrorMessage.class, e -> e.code() == 202);
        assertThat(cancelled).isNotNegative().isLessThan(error202);
        assertThat(sim.state().openOrders()).isZero();
        assertThat(c.received(ExecDetails.class)).isEmpty();
    }

    @Test
    void aConditionalOrderEnteredInTwsIsReportedWithItsConditionsOpenAndThenCompleted() throws Exception {
        start(config());
        TwsTestClient c = client(1);
        OrderConditions conditions = OrderConditions.of(true, false,
                new OrderCondition.Price(OrderCondition.Conjunction.OR, true, 150.0, 265598, "SMART", 2),
                new OrderCondition.Volume(OrderCondition.Conjunction.AND, true, 2_500_000, 265598, "ISLAND"));
        // A marketable limit: without its conditions it would fill at once.
        long permId = sim.enterOrderInTws(stock("AAPL"),
                limit("BUY", 5, 10_000.0, "").toBuilder().conditions(conditions).build());

        List<OpenOrder> open = only(reply(c, new ClientMessage.ReqAllOpenOrders(), ServerMessage.OpenOrderEnd.class),
                OpenOrder.class);
        assertThat(open).singleElement().satisfies(o -> {
            assertThat(o.orderId()).isZero();
            assertThat(o.order().clientId()).isZero();
            assertThat(o.order().permId()).isEqualTo(permId);
            assertThat(o.order().conditions()).isEqualTo(conditions);
            assertThat(o.orderState().status()).isEqualTo("PreSubmitted");
        });
        assertThat(sim.state().executions()).isZero();

        sim.cancelOrderInTws(permId);
        List<ServerMessage.CompletedOrder> completed = only(reply(c, new ClientMessage.ReqCompletedOrders(false),
                ServerMessage.CompletedOrdersEnd.class), ServerMessage.CompletedOrder.class);
        assertThat(completed).singleElement().satisfies(o -> {
            assertThat(o.order().permId()).isEqualTo(permId);
            assertThat(o.order().conditions()).isEqualTo(conditions);
            assertThat(o.orderState().status()).isEqualTo("Cancelled");
        });
    }

    @Test
    void anIbkratsOrderIsTakenWithItsMinTradeQtyAndOneFieldShortItClosesTheLink() throws Exception {
        start(config());                            // server version 176: IBKRATS orders carry minTradeQty
        TwsTestClient c = client(1);
        Contract ats = Contract.stock("AAPL", "IBKRATS", "USD");

        c.send(new ClientMessage.PlaceOrder(1, ats, limit("BUY", 100, 1.00, "ats-1")));
        c.await(OrderStatus.class, s -> s.orderId() == 1 && s.status().equals("Submitted"), TIMEOUT);

        // The layout the bridge wrote before: the SMART order's fields with IBKRATS as the exchange, one short.
        byte[] smart = new ClientMessageCodec(176).encode(new ClientMessage.PlaceOrder(2, stock("AAPL"),
                limit("BUY", 100, 1.00, "ats-2")));
        byte[] payload = new String(smart, 4, smart.length - 4, StandardCharsets.US_ASCII)
                .replace("\0SMART\0", "\0IBKRATS\0").getBytes(StandardCharsets.US_ASCII);
        c.sendRaw(ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).array());

        eventually().until(c::ended);
        assertThat(sim.state().placeOrderCountByOrderRef()).containsOnlyKeys("ats-1");
    }

    @Test
    void aMarketOrderFillsWithExecutionCommissionAndFilledStatus() throws Exception {
        start(config());
        TwsTestClient c = client(1);

        c.send(place(1, "AAPL", market("BUY", 10, "mkt-1")));

        OrderStatus filled = c.await(OrderStatus.class, s -> s.orderId() == 1 && s.status().equals("Filled"),
                TIMEOUT);
        ExecDetails exec = c.await(ExecDetails.class, e -> e.orderId() == 1, TIMEOUT);
        CommissionReport commission = c.await(CommissionReport.class, TIMEOUT);
        assertThat(exec.reqId()).isEqualTo(-1);
        assertThat(exec.contract().symbol()).isEqualTo("AAPL");
        assertThat(exec.execution().side()).isEqualTo("BOT");
        assertThat(exec.execution().shares()).isEqualByComparingTo("10");
        assertThat(exec.execution().price()).isPositive();
        assertThat(exec.execution().orderRef()).isEqualTo("mkt-1");
        assertThat(exec.execution().clientId()).isEqualTo(1);
        assertThat(exec.execution().account()).isEqualTo("DU111111");
        assertThat(exec.execution().permId()).isEqualTo(filled.permId());
        assertThat(commission.execId()).isEqualTo(exec.execution().execId());
        assertThat(commission.commission()).isEqualTo(1.00);
        assertThat(commission.currency()).isEqualTo("USD");
        assertThat(filled.filled()).isEqualByComparingTo("10");
        assertThat(filled.remaining()).isEqualByComparingTo("0");
        assertThat(filled.avgFillPrice()).isEqualTo(exec.execution().price());
        assertThat(filled.lastFillPrice()).isEqualTo(exec.execution().price());
        // execution, then its commission, then the status
        assertThat(indexOf(c, ExecDetails.class, e -> e.orderId() == 1))
                .isLessThan(indexOf(c, CommissionReport.class, r -> true))
                .isLessThan(indexOf(c, OrderStatus.class, s -> s.status().equals("Filled")));
        assertThat(sim.state().executions()).isEqualTo(1);
        assertThat(sim.executionIds()).containsExactly(exec.execution().execId());
        assertThat(sim.state().openOrders()).isZero();
    }

    @Test
    void theDuplicateIdFaultRefusesOnePlaceOrderWith103AndCreatesNoOrder() throws Exception {
        start(config());
        TwsTestClient c = client(1);
        sim.faults().refuseNextPlaceOrderAsDuplicateId();

        c.send(place(5, "AAPL", limit("BUY", 1, 1.0, "clash")));
        c.awaitError(103, TIMEOUT);
        c.send(place(6, "AAPL", limit("BUY", 1, 1.0, "clash")));
        c.await(OrderStatus.class, s -> s.orderId() == 6 && s.status().equals("Submitted"), TIMEOUT);

        assertThat(sim.state().placeOrderCountByOrderRef()).containsEntry("clash", 2);
        assertThat(sim.state().openOrders()).isEqualTo(1);
        assertThat(c.received(OrderStatus.class)).noneMatch(s -> s.orderId() == 5);
    }

    @Test
    void theMasterClientAlsoReceivesEveryOtherClientsOrderEvents() throws Exception {
        start(config().masterClientId(0));
        TwsTestClient master = client(0);
        TwsTestClient other = client(1);
        TwsTestClient bystander = client(2);

        other.send(place(1, "AAPL", market("BUY", 5, "from-client-1")));

        ExecDetails seen = master.await(ExecDetails.class, e -> e.execution().orderRef().equals("from-client-1"), TIMEOUT);
        master.await(CommissionReport.class, r -> r.execId().equals(seen.execution().execId()), TIMEOUT);
        master.await(OrderStatus.class, s -> s.status().equals("Filled"), TIMEOUT);
        other.await(OrderStatus.class, s -> s.status().equals("Filled"), TIMEOUT);
        assertThat(seen.execution().clientId()).isEqualTo(1);
        // A client that is neither the owner nor the master hears nothing of the order.
        bystander.send(new io.twsbridge.protocol.message.ClientMessage.ReqCurrentTime());
        bystander.await(io.twsbridge.protocol.message.ServerMessage.CurrentTime.class, TIMEOUT);
        assertThat(bystander.received(ExecDetails.class)).isEmpty();
        assertThat(bystander.received(OrderStatus.class)).isEmpty();
    }

    @Test
    void requestsReplayOpenCompletedOrdersAndExecutions() throws Exception {
        start(config());
        TwsTestClient c = client(1);
        TwsTestClient other = client(2);
        c.send(place(1, "AAPL", market("BUY", 10, "fill")));
        c.send(place(2, "AAPL", limit("BUY", 10, 1.00, "rests")));
        c.send(place(3, "MSFT", limit("BUY", 10, 1.00, "cancelled")));
        other.send(place(1, "MSFT", limit("SELL", 5, 9_999.00, "other-client")));
        ExecDetails live = c.await(ExecDetails.class, e -> e.orderId() == 1, TIMEOUT);
        c.await(OrderStatus.class, s -> s.orderId() == 3 && s.status().equals("Submitted"), TIMEOUT);
        c.send(new ClientMessage.CancelOrder(3));
        c.awaitError(202, TIMEOUT);
        other.await(OrderStatus.class, s -> s.orderId() == 1 && s.status().equals("Submitted"), TIMEOUT);
        assertThat(other.received(OpenOrder.class)).as("order events reach only the owning client")
                .allSatisfy(o -> assertThat(o.order().orderRef()).isEqualTo("other-client"));
        assertThat(other.received(ExecDetails.class)).isEmpty();

        List<ServerMessage> mine = reply(c, new ClientMessage.ReqOpenOrders(), ServerMessage.OpenOrderEnd.class);
        assertThat(only(mine, OpenOrder.class)).extracting(OpenOrder::orderId, o -> o.order().orderRef())
                .containsExactly(tuple(2L, "rests"));
        assertThat(only(mine, OrderStatus.class)).extracting(OrderStatus::orderId, OrderStatus::status)
                .containsExactly(tuple(2L, "Submitted"));

        List<ServerMessage> all = reply(c, new ClientMessage.ReqAllOpenOrders(), ServerMessage.OpenOrderEnd.class);
        assertThat(only(all, OpenOrder.class)).extracting(o -> o.order().clientId(), OpenOrder::orderId)
                .containsExactlyInAnyOrder(tuple(1, 2L), tuple(2, 1L));

        List<ServerMessage> completed = reply(c, new ClientMessage.ReqCompletedOrders(false),
                ServerMessage.CompletedOrdersEnd.class);
        assertThat(only(completed, ServerMessage.CompletedOrder.class))
                .extracting(o -> o.order().orderRef(), o -> o.orderState().status())
                .containsExactlyInAnyOrder(tuple("fill", "Filled"), tuple("cancelled", "Cancelled"));
        assertThat(only(completed, ServerMessage.CompletedOrder.class))
                .allSatisfy(o -> assertThat(o.orderState().completedTime()).isNotBlank());

        List<ServerMessage> executions = reply(c, new ClientMessage.ReqExecutions(7, ExecutionFilter.all()),
                ServerMessage.ExecDetailsEnd.class);
        assertThat(only(executions, ExecDetails.class)).singleElement().satisfies(e -> {
            assertThat(e.reqId()).isEqualTo(7);
            assertThat(e.orderId()).isEqualTo(1);
            assertThat(e.execution()).isEqualTo(live.execution());
        });
        assertThat(only(executions, CommissionReport.class)).extracting(CommissionReport::execId)
                .containsExactly(live.execution().execId());
        assertThat(executions.get(executions.size() - 1)).isEqualTo(new ServerMessage.ExecDetailsEnd(7));

        ExecutionFilter msftOnly = new ExecutionFilter(null, "", "", "MSFT", "", "", "");
        List<ServerMessage> none = reply(c, new ClientMessage.ReqExecutions(8, msftOnly),
                ServerMessage.ExecDetailsEnd.class);
        assertThat(none).containsExactly(new ServerMessage.ExecDetailsEnd(8));
    }

    @Test
    void aReusedOrderIdGetsError103() throws Exception {
        start(config());
        TwsTestClient c = client(1);
        c.send(place(1, "AAPL", market("BUY", 1, "first")));
        c.await(OrderStatus.class, s -> s.orderId() == 1 && s.status().equals("Filled"), TIMEOUT);
        c.send(place(5, "AAPL", limit("BUY", 1, 1.00, "five")));
        c.await(OrderStatus.class, s -> s.orderId() == 5 && s.status().equals("Submitted"), TIMEOUT);

        c.send(place(1, "AAPL", market("BUY", 1, "again")));
        c.send(place(3, "AAPL", market("BUY", 1, "below-highest")));

        assertThat(c.await(ErrorMessage.class, e -> e.id() == 1, TIMEOUT).code()).isEqualTo(103);
        assertThat(c.await(ErrorMessage.class, e -> e.id() == 3, TIMEOUT).code()).isEqualTo(103);
        assertThat(orderReports(c, 3)).isEmpty();
        assertThat(sim.state().executions()).isEqualTo(1);
    }

    @Test
    void anOrderIdThatSkipsIdsIsAccepted() throws Exception {
        start(config());
        TwsTestClient c = client(1);
        assertThat(c.received(ServerMessage.NextValidId.class)).containsExactly(new ServerMessage.NextValidId(1));

        c.send(place(10, "AAPL", limit("BUY", 1, 1.00, "ten")));

        c.await(OrderStatus.class, s -> s.orderId() == 10 && s.status().equals("Submitted"), TIMEOUT);
        List<ServerMessage> ids = reply(c, new ClientMessage.ReqIds(1), ServerMessage.NextValidId.class);
        assertThat(ids).last().isEqualTo(new ServerMessage.NextValidId(11));
    }

    @Test
    void cancellingAnUnknownOrderGets10147() throws Exception {
        start(config());
        TwsTestClient c = client(1);

        c.send(new ClientMessage.CancelOrder(999));

        ErrorMessage error = c.await(ErrorMessage.class, e -> e.id() == 999, TIMEOUT);
        assertThat(error.code()).isEqualTo(10147);
        assertThat(error.message()).contains("999");
    }

    @Test
    void anOrderForAnUnknownSymbolGetsError200() throws Exception {
        start(config());
        TwsTestClient c = client(1);

        c.send(place(1, "NOSUCH", market("BUY", 1, "unknown")));

        assertThat(c.await(ErrorMessage.class, e -> e.id() == 1, TIMEOUT).code()).isEqualTo(200);
        assertThat(orderReports(c, 1)).isEmpty();
        assertThat(sim.state().openOrders()).isZero();
    }

    @Test
    void placeOrderOnAnOpenOrderIdModifiesItAndEveryPlaceOrderIsCounted() throws Exception {
        start(config());
        TwsTestClient c = client(1);
        c.send(place(1, "AAPL", limit("BUY", 100, 1.00, "modified")));
        c.await(OrderStatus.class, s -> s.orderId() == 1 && s.status().equals("Submitted"), TIMEOUT);
        c.send(place(2, "AAPL", market("BUY", 1, "once")));
        c.await(OrderStatus.class, s -> s.orderId() == 2 && s.status().equals("Filled"), TIMEOUT);
        c.send(place(2, "AAPL", market("BUY", 1, "duplicate")));
        c.await(ErrorMessage.class, e -> e.id() == 2 && e.code() == 103, TIMEOUT);
        int before = c.received().size();

        c.send(place(1, "AAPL", limit("BUY", 200, 1.50, "modified")));

        OpenOrder modified = c.await(OpenOrder.class, o -> o.orderId() == 1 && o.order().lmtPrice() == 1.50,
                TIMEOUT);
        assertThat(modified.order().totalQuantity()).isEqualByComparingTo("200");
        assertThat(modified.orderState().status()).isEqualTo("Submitted");
        OrderStatus status = c.await(OrderStatus.class,
                s -> s.orderId() == 1 && s.remaining().compareTo(new BigDecimal("200")) == 0, TIMEOUT);
        assertThat(status.status()).isEqualTo("Submitted");
        assertThat(only(c.received().subList(before, c.received().size()), ErrorMessage.class)).isEmpty();
        assertThat(sim.state().openOrders()).isEqualTo(1);
        assertThat(sim.state().placeOrderCountByOrderRef())
                .isEqualTo(Map.of("modified", 2, "once", 1, "duplicate", 1));
    }

    @Test
    void modifyingARestingOrderToMarketFillsIt() throws Exception {
        start(config());
        TwsTestClient c = client(1);
        c.send(place(1, "AAPL", limit("SELL", 10, 99_999.00, "to-market")));
        c.await(OrderStatus.class, s -> s.orderId() == 1 && s.status().equals("Submitted"), TIMEOUT);

        c.send(place(1, "AAPL", market("SELL", 10, "to-market")));

        c.await(OrderStatus.class, s -> s.orderId() == 1 && s.status().equals("Filled"), TIMEOUT);
        assertThat(c.await(ExecDetails.class, TIMEOUT).execution().side()).isEqualTo("SLD");
        assertThat(sim.state().openOrders()).isZero();
    }

    @Test
    void aRestingLimitFillsOnceTheRandomWalkCrossesIt() throws Exception {
        start(config().tickRate(50));
        TwsTestClient c = client(1);
        // Prices only move while someone streams the stock, so a snapshot gives the touch the orders meet.
        List<ServerMessage> snapshot = reply(c, marketData(1, "AAPL", true), ServerMessage.TickSnapshotEnd.class);
        double bid = tick(snapshot, 1);
        double ask = tick(snapshot, 2);
        // A buy at the bid and a sell at the ask both rest; whichever way the walk goes, one of them is crossed.
        c.send(place(1, "AAPL", limit("BUY", 100, bid, "buy-at-bid")));
        c.send(place(2, "AAPL", limit("SELL", 100, ask, "sell-at-ask")));
        c.await(OrderStatus.class, s -> s.orderId() == 1 && s.status().equals("Submitted"), TIMEOUT);
        c.await(OrderStatus.class, s -> s.orderId() == 2 && s.status().equals("Submitted"), TIMEOUT);
        assertThat(c.received(ExecDetails.class)).isEmpty();

        c.send(marketData(2, "AAPL", false));

        ExecDetails fill = eventually().atMost(Duration.ofSeconds(15))
                .until(() -> c.received(ExecDetails.class).stream().findFirst().orElse(null), e -> e != null);
        if (fill.orderId() == 1) {
            assertThat(fill.execution().side()).isEqualTo("BOT");
            assertThat(fill.execution().price()).isLessThanOrEqualTo(bid);
        } else {
            assertThat(fill.execution().side()).isEqualTo("SLD");
            assertThat(fill.execution().price()).isGreaterThanOrEqualTo(ask);
        }
        assertThat(fill.execution().shares()).isEqualByComparingTo("100");
        c.await(OrderStatus.class, s -> s.orderId() == fill.orderId() && s.status().equals("Filled"), TIMEOUT);
    }

    private static double tick(List<ServerMessage> snapshot, int tickType) {
        return only(snapshot, TickPrice.class).stream().filter(t -> t.tickType() == tickType).findFirst()
                .orElseThrow().price();
    }

    /** openOrder and orderStatus messages about one order, in arrival order. */
    private static List<ServerMessage> orderReports(TwsTestClient c, long orderId) {
        return c.received().stream()
                .filter(m -> m instanceof OpenOrder o && o.orderId() == orderId
                        || m instanceof OrderStatus s && s.orderId() == orderId)
                .toList();
    }

    private static String describe(ServerMessage m) {
        return m instanceof OpenOrder o ? "openOrder " + o.orderState().status()
                : "orderStatus " + ((OrderStatus) m).status();
    }
}
