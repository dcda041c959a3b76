package io.twsbridge.bridge.commands;

import io.twsbridge.schema.Instrument;
import io.twsbridge.schema.SubscribeBars;
import io.twsbridge.schema.WhatToShow;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The subscriptions topic read back: quote and real-time bar subscriptions told apart by their keys. */
class SubscriptionStoreTest {

    @Test
    void barKeysAreReadBackAsBarSubscriptionsAndEveryOtherKeyAsAQuote() {
        Instrument aapl = stock("AAPL", 265598L);
        Instrument msft = stock("MSFT", null);
        Instrument named = stock("bars", null); // a symbol spelt like the prefix
        Map<String, Instrument> topic = new LinkedHashMap<>();
        topic.put("265598", aapl);
        topic.put(SubscriptionStore.realTimeBarsKey(aapl, WhatToShow.TRADES, true), aapl);
        topic.put("bars|STK|SMART|USD", named);
        topic.put(SubscriptionStore.realTimeBarsKey(msft, WhatToShow.MIDPOINT, false), msft);
        topic.put("MSFT|STK|SMART|USD", msft);

        SubscriptionStore.Desired desired = SubscriptionStore.fromTopic(topic);

        assertThat(desired.quotes()).containsExactly(aapl, named, msft);
        assertThat(desired.realTimeBars()).containsExactly(
                SubscribeBars.newBuilder().setInstrument(aapl).setWhatToShow(WhatToShow.TRADES)
                        .setRegularTradingHoursOnly(true).build(),
                SubscribeBars.newBuilder().setInstrument(msft).setWhatToShow(WhatToShow.MIDPOINT)
                        .setRegularTradingHoursOnly(false).build());
        assertThat(SubscriptionStore.realTimeBarsKey(aapl, WhatToShow.TRADES, true)).isEqualTo("bars|TRADES|RTH|265598");
        assertThat(SubscriptionStore.realTimeBarsKey(msft, WhatToShow.MIDPOINT, false))
                .isEqualTo("bars|MIDPOINT|ALL|MSFT|STK|SMART|USD");
    }

    @Test
    void aBarKeyThisBridgeCannotReadIsSkippedNotSubscribedAsQuotes() {
        Instrument aapl = stock("AAPL", 265598L);
        Map<String, Instrument> topic = new LinkedHashMap<>();
        topic.put("bars|SOME_NEW_KIND|RTH|265598", aapl);
        topic.put("bars|UNKNOWN|RTH|265598", aapl);
        topic.put("bars|TRADES|NIGHTS|265598", aapl);

        SubscriptionStore.Desired desired = SubscriptionStore.fromTopic(topic);

        assertThat(desired.quotes()).isEmpty();
        assertThat(desired.realTimeBars()).isEmpty();
    }

    private static Instrument stock(String symbol, Long conId) {
        return Instrument.newBuilder().setSymbol(symbol).setSecType("STK").setExchange("SMART").setCurrency("USD")
                .setConId(conId).build();
    }
}
