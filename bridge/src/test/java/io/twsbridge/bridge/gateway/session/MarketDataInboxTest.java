package io.twsbridge.bridge.gateway.session;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Market data is told apart by its message id alone; ticks past the bound are dropped and counted. */
class MarketDataInboxTest {

    private static byte[] payload(String fields) {
        return fields.replace('|', '\0').getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void recognisesMarketDataByTheMessageIdAlone() {
        assertThat(MarketDataInbox.isMarketData(payload("1|6|100000001|1|189.5|100|0|"))).isTrue();
        assertThat(MarketDataInbox.isMarketData(payload("2|6|100000001|0|300|"))).isTrue();
        assertThat(MarketDataInbox.isMarketData(payload("46|6|100000001|45|1733230000|"))).isTrue();
        assertThat(MarketDataInbox.isMarketData(payload("11|-1|7|"))).as("execDetails").isFalse();
        assertThat(MarketDataInbox.isMarketData(payload("3|7|Filled|"))).as("orderStatus").isFalse();
        assertThat(MarketDataInbox.isMarketData(payload("12|1|"))).as("starts with 1 but is 12").isFalse();
        assertThat(MarketDataInbox.isMarketData(payload("178|20261203 12:00:00 UTC|"))).as("server hello").isFalse();
        assertThat(MarketDataInbox.isMarketData(payload("1"))).as("no terminator").isFalse();
        assertThat(MarketDataInbox.isMarketData(payload("|1|"))).as("empty id").isFalse();
        assertThat(MarketDataInbox.isMarketData(new byte[0])).isFalse();
        assertThat(MarketDataInbox.isMarketData(payload("00001|"))).as("absurdly long id").isFalse();
    }

    @Test
    void dropsTicksPastTheBoundAndAdmitsAgainOnceTheLoopCaughtUp() {
        MarketDataInbox inbox = new MarketDataInbox();
        for (int i = 0; i < MarketDataInbox.MAX_QUEUED; i++) {
            assertThat(inbox.admit()).isTrue();
        }
        assertThat(inbox.admit()).isFalse();
        assertThat(inbox.dropped()).isEqualTo(1);
        assertThat(inbox.queued()).isEqualTo(MarketDataInbox.MAX_QUEUED);

        inbox.taken();
        assertThat(inbox.queued()).isEqualTo(MarketDataInbox.MAX_QUEUED - 1);
        assertThat(inbox.admit()).as("room again once the loop caught up").isTrue();
        assertThat(inbox.dropped()).isEqualTo(1);
    }
}
