package io.twsbridge.bridge.commands;

import io.twsbridge.bridge.gateway.GatewayConfig;
import io.twsbridge.bridge.gateway.session.GatewaySession;
import io.twsbridge.bridge.results.CommandOutcome;
import io.twsbridge.bridge.testing.InMemoryGateway;
import io.twsbridge.bridge.time.ManualEventLoop;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.Instrument;
import io.twsbridge.schema.SubscribeBars;
import io.twsbridge.schema.SubscribeQuotes;
import io.twsbridge.schema.UnsubscribeBars;
import io.twsbridge.schema.WhatToShow;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** Market-data commands as the dispatcher carries them out: the line limit, the desired state and its store. */
class CommandDispatcherTest {

    private record Written(String key, SpecificRecord value) {
    }

    private final ManualEventLoop loop = new ManualEventLoop();
    private final GatewaySession session = new GatewaySession(GatewayConfig.builder().build(), loop,
            new InMemoryGateway());
    private final List<Written> written = new ArrayList<>();
    private final SubscriptionStore store = new SubscriptionStore("ib.subscriptions", (topic, key, value) -> {
        written.add(new Written(key, value));
        return CompletableFuture.completedFuture(null);
    });
    private final CommandDispatcher dispatcher = new CommandDispatcher(session,
            new GatewayRequests(session, Duration.ofSeconds(1)), store, 2, "NetLiquidation", null, null, false, null);

    @Test
    void quotesAndRealTimeBarsShareTheLineLimitAndEachSubscriptionTakesOneLine() {
        assertThat(run(bars("AAPL", WhatToShow.TRADES, true))).isEqualTo("COMPLETED OK subscribed real-time bars "
                + "AAPL|STK|SMART|USD|||||TRADES|RTH");
        assertThat(run(bars("AAPL", WhatToShow.TRADES, true))).as("already desired: no new line")
                .startsWith("COMPLETED OK");
        assertThat(run(quotes("MSFT"))).startsWith("COMPLETED OK");
        assertThat(run(quotes("IBM"))).isEqualTo("REJECTED LINE_LIMIT_REACHED already 2 market-data subscriptions, "
                + "quotes and real-time bars together (market-data.line-limit); unsubscribe one first");
        assertThat(run(bars("AAPL", WhatToShow.MIDPOINT, true))).as("another kind is another line")
                .startsWith("REJECTED LINE_LIMIT_REACHED");
        assertThat(run(bars("AAPL", WhatToShow.TRADES, false))).as("other hours too")
                .startsWith("REJECTED LINE_LIMIT_REACHED");

        assertThat(run(unbars("AAPL", WhatToShow.TRADES, true))).isEqualTo("COMPLETED OK unsubscribed real-time bars "
                + "AAPL|STK|SMART|USD|||||TRADES|RTH");
        assertThat(run(quotes("IBM"))).as("the line is free again").startsWith("COMPLETED OK");
        loop.runReady();
        assertThat(session.realTimeBars().desired()).isEmpty();
        assertThat(session.subscriptions().desired()).hasSize(2);
    }

    @Test
    void aBarSubscriptionIsStoredUnderItsOwnKeyAndAnUnsubscribeWritesItsTombstone() {
        run(bars("AAPL", WhatToShow.TRADES, true));
        run(quotes("AAPL"));
        run(unbars("AAPL", WhatToShow.TRADES, true));

        assertThat(written).extracting(Written::key).containsExactly("bars|TRADES|RTH|AAPL|STK|SMART|USD",
                "AAPL|STK|SMART|USD", "bars|TRADES|RTH|AAPL|STK|SMART|USD");
        assertThat(written.get(0).value()).isEqualTo(stock("AAPL"));
        assertThat(written.get(2).value()).as("a tombstone").isNull();
    }

    private String run(Object payload) {
        CommandOutcome o = dispatcher.execute(Command.newBuilder().setCommandId("c").setIssuedAt(Instant.EPOCH)
                .setPayload(payload).build()).join();
        return o.status() + " " + o.reasonCode() + " " + o.message();
    }

    private static SubscribeBars bars(String symbol, WhatToShow kind, boolean rth) {
        return SubscribeBars.newBuilder().setInstrument(stock(symbol)).setWhatToShow(kind)
                .setRegularTradingHoursOnly(rth).build();
    }

    private static UnsubscribeBars unbars(String symbol, WhatToShow kind, boolean rth) {
        return UnsubscribeBars.newBuilder().setInstrument(stock(symbol)).setWhatToShow(kind)
                .setRegularTradingHoursOnly(rth).build();
    }

    private static SubscribeQuotes quotes(String symbol) {
        return SubscribeQuotes.newBuilder().setInstrument(stock(symbol)).build();
    }

    private static Instrument stock(String symbol) {
        return Instrument.newBuilder().setSymbol(symbol).setSecType("STK").setExchange("SMART").setCurrency("USD").build();
    }
}
