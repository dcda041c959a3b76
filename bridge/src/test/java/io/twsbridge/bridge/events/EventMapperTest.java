package io.twsbridge.bridge.events;

import io.twsbridge.bridge.gateway.GatewayConfig;
import io.twsbridge.bridge.testing.InMemoryGateway;
import io.twsbridge.bridge.gateway.session.GatewaySession;
import io.twsbridge.bridge.time.ManualEventLoop;
import io.twsbridge.protocol.message.Execution;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.schema.ExecutionSide;
import io.twsbridge.schema.Fill;
import io.twsbridge.schema.Instrument;
import io.twsbridge.schema.catalogue.Topic;
import org.apache.avro.AvroTypeException;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the mapper does around the mapping: failures stay contained, counts add up, settings are checked. */
class EventMapperTest {

    private final ManualEventLoop loop = new ManualEventLoop();
    private final RecordingSink sink = new RecordingSink();
    private final FakeSession session = new FakeSession();
    private final EventMapper mapper = new EventMapper(sink, session, loop, EventMapperConfig.defaults("bridge-a"));

    @Test
    void aMessageThatCannotBeMappedIsCountedAndTheNextOneIsMappedAsUsual() {
        Execution odd = new Execution("e.1", "20261128 09:30:00 US/Eastern", Ib.ACCOUNT, "ISLAND", "XYZ",
                BigDecimal.ONE, 10.0, 1L, Ib.CLIENT_ID, 0, BigDecimal.ONE, 10.0, "", "", null, "", 0, false);
        mapper.onMessage(new ServerMessage.ExecDetails(-1, 1, Ib.AAPL, odd));
        mapper.onMessage(Ib.commission("e.1"));   // joins the odd execution, whose side no Fill can carry
        mapper.onMessage(new ServerMessage.Position(Ib.ACCOUNT, Ib.AAPL, null, 1.0));
        mapper.onMessage(new ServerMessage.Position(Ib.ACCOUNT, Ib.AAPL, BigDecimal.TEN, 1.0));

        assertThat(mapper.counters().unmappableMessages()).isEqualTo(2);
        assertThat(sink.keys(Topic.FILLS)).isEmpty();
        assertThat(sink.keys(Topic.POSITIONS)).containsExactly(Ib.ACCOUNT + "|265598");
    }

    @Test
    void aSinkFailureCostsOnlyItsRecordAndIsNotCountedAsPublished() {
        sink.failNext = new IllegalStateException("producer closed");
        mapper.onMessage(new ServerMessage.AccountSummary(2, Ib.ACCOUNT, "NetLiquidation", "1", "USD"));
        mapper.onMessage(new ServerMessage.AccountSummary(2, Ib.ACCOUNT, "BuyingPower", "4", "USD"));

        assertThat(sink.keys(Topic.ACCOUNTS)).containsExactly(Ib.ACCOUNT + "|BuyingPower|USD");
        assertThat(mapper.counters().published(Topic.ACCOUNTS)).isEqualTo(1);
        assertThat(mapper.counters().unmappableMessages()).isEqualTo(1);
    }

    @Test
    void aFillTheSinkRefusedIsPublishedFromTheNextReplay() {
        sink.failNext = new IllegalStateException("producer closed");
        mapper.onMessage(Ib.execDetails(-1));
        mapper.onMessage(Ib.commission(Ib.EXEC_ID));
        mapper.onMessage(Ib.execDetails(4));
        mapper.onMessage(Ib.commission(Ib.EXEC_ID));

        assertThat(sink.keys(Topic.FILLS)).containsExactly(Ib.EXEC_ID);
        assertThat(mapper.counters().duplicateFillsSuppressed()).isZero();
    }

    @Test
    void messagesWithoutEventsPublishNothing() {
        List<ServerMessage> quiet = List.of(new ServerMessage.NextValidId(5),
                new ServerMessage.ManagedAccounts(List.of(Ib.ACCOUNT)), new ServerMessage.CurrentTime(1_700_000_000L),
                new ServerMessage.OpenOrderEnd(), new ServerMessage.PositionEnd(), new ServerMessage.ExecDetailsEnd(2),
                new ServerMessage.AccountDownloadEnd(Ib.ACCOUNT), new ServerMessage.AccountUpdateTime("09:31"),
                new ServerMessage.TickSnapshotEnd(7), new ServerMessage.CompletedOrdersEnd());
        quiet.forEach(mapper::onMessage);

        assertThat(sink.all()).isEmpty();
        assertThat(mapper.counters().unmappableMessages()).isZero();
    }

    @Test
    void countsArePerTopic() {
        session.subscriptions.put(7, Ib.AAPL);
        mapper.onMessage(new ServerMessage.TickPrice(7, 1, 189.5, null, 0));
        mapper.onMessage(new ServerMessage.TickPrice(7, 2, 189.6, null, 0));
        mapper.onMessage(new ServerMessage.Position(Ib.ACCOUNT, Ib.AAPL, BigDecimal.ONE, 1.0));

        assertThat(mapper.counters().published(Topic.QUOTES)).isEqualTo(2);
        assertThat(mapper.counters().published(Topic.POSITIONS)).isEqualTo(1);
        assertThat(mapper.counters().published(Topic.FILLS)).isZero();
    }

    @Test
    void fractionalAndAwkwardNumbersAllLeaveAtScale10AndSurviveAvroBinary() {
        // RecordingSink writes every record through Avro binary and checks each decimal's scale.
        Execution crypto = new Execution("c.1", "20261128-14:30:00", Ib.ACCOUNT, "PAXOS", "SLD",
                new BigDecimal("0.00012345"), 91234.5, 9L, Ib.CLIENT_ID, 0, new BigDecimal("0.5"), 91200.25, "cmd-c",
                "", null, "", 0, false);
        mapper.onMessage(new ServerMessage.ExecDetails(-1, 3, Ib.AAPL, crypto));
        mapper.onMessage(new ServerMessage.CommissionReport("c.1", 0.1 + 0.2, "USD", 1.005, null, 0));

        Fill fill = sink.values(Topic.FILLS, Fill.class).get(0);
        assertThat(fill.getSide()).isEqualTo(ExecutionSide.SLD);
        assertThat(fill.getShares()).isEqualTo(new BigDecimal("0.0001234500"));
        assertThat(fill.getCumulativeQuantity()).isEqualTo(new BigDecimal("0.5000000000"));
        assertThat(fill.getCommission()).as("0.30000000000000004 rounded half-even")
                .isEqualTo(new BigDecimal("0.3000000000"));
        assertThat(fill.getRealizedPnl()).isEqualTo(new BigDecimal("1.0050000000"));
        assertThat(fill.getExecutionTime()).isEqualTo(Instant.parse("2026-11-28T14:30:00Z"));
    }

    @Test
    void theAvroCheckOfTheRecordingSinkWouldCatchADecimalOfTheWrongScale() {
        Fill wrongScale = Fill.newBuilder()
                .setExecId("x").setOrderId(1).setPermId(1).setClientId(1).setAccount(Ib.ACCOUNT)
                .setInstrument(Instrument.newBuilder().setSymbol("AAPL").setSecType("STK").setCurrency("USD").build())
                .setSide(ExecutionSide.BOT).setShares(new BigDecimal("1.00000000001")).setPrice(1.0)
                .setCumulativeQuantity(BigDecimal.ONE).setAveragePrice(1.0).setExecutionTime(Instant.EPOCH)
                .setExchange("ISLAND").setPublishedAt(Instant.EPOCH).build();

        assertThatThrownBy(() -> RecordingSink.roundTrip(wrongScale)).isInstanceOf(AvroTypeException.class);
    }

    @Test
    void theSessionViewReadsTheRealSession() {
        GatewaySession real = new GatewaySession(GatewayConfig.builder().build(), loop,
                new InMemoryGateway());
        real.subscribeMarketData(Ib.AAPL);
        loop.runReady();

        SessionView view = SessionView.of(real);

        assertThat(view.clientId()).as("no synced link").isEqualTo(-1);
        assertThat(view.contractForReqId(1)).as("desired, not active without a link").isEmpty();
    }

    @Test
    void invalidSettingsAreAllReportedAtOnce() {
        assertThatThrownBy(() -> new EventMapperConfig("b", Duration.ofMillis(-1), Duration.ZERO, null, 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("quoteConflationWindow must be zero (off) or positive but was PT-0.001S")
                .hasMessageContaining("commissionGracePeriod must be positive but was PT0S")
                .hasMessageContaining("executionTimeZone must be set")
                .hasMessageContaining("rememberedFills must be at least 1 but was 0")
                .hasMessageContaining("trackedOrders must be at least 1 but was 0");
    }

    @Test
    void aBlankBridgeIdIsNoBridgeId() {
        assertThat(EventMapperConfig.defaults("  ").bridgeId()).isNull();
        assertThat(EventMapperConfig.defaults("bridge-a").executionTimeZone()).isEqualTo(ZoneOffset.UTC);
    }
}
