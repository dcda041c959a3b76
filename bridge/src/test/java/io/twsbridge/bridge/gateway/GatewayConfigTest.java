package io.twsbridge.bridge.gateway;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GatewayConfigTest {

    @Test
    void defaultsAreValid() {
        GatewayConfig c = GatewayConfig.builder().build();
        assertThat(c.messagesPerSecond()).isEqualTo(45);
        assertThat(c.pacingHardLimit()).isLessThanOrEqualTo(50);
        assertThat(c.retryMaxBackoff()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.frameTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.brokerClockWarnSkew()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.brokerClockCheckInterval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.toBuilder().build()).isEqualTo(c);
    }

    @Test
    void theBrokerClocksBoundMustBePositiveAndItsChecksAtLeastASecondApart() {
        assertThatThrownBy(() -> GatewayConfig.builder().brokerClockWarnSkew(Duration.ZERO)
                .brokerClockCheckInterval(Duration.ofMillis(500)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gateway.broker-clock-warn-skew must be a positive duration but was PT0S")
                .hasMessageContaining("gateway.broker-clock-check-interval must be >= 1000 ms but was PT0.5S");
        assertThatThrownBy(() -> GatewayConfig.builder().brokerClockWarnSkew(Duration.ofSeconds(-1)).build())
                .hasMessageContaining("gateway.broker-clock-warn-skew must be a positive duration but was PT-1S");
    }

    @Test
    void everyProblemIsReportedAtOnceWithKeyAndValue() {
        assertThatThrownBy(() -> GatewayConfig.builder().port(0).clientId(-3).fallbackClientIds(List.of(17, -1))
                .handshakeTimeout(Duration.ZERO).frameTimeout(Duration.ofSeconds(-1)).messagesPerSecond(60).backoffJitter(1.5)
                .retryInitialBackoff(Duration.ofMinutes(20)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gateway.port must be 1..65535 but was 0")
                .hasMessageContaining("gateway.client-id must be >= 0 but was -3")
                .hasMessageContaining("gateway.fallback-client-ids")
                .hasMessageContaining("gateway.handshake-timeout must be a positive duration but was PT0S")
                .hasMessageContaining("gateway.frame-timeout must be a positive duration but was PT-1S")
                .hasMessageContaining("gateway.messages-per-second must be 1..gateway.pacing-hard-limit (48) but was 60")
                .hasMessageContaining("gateway.backoff-jitter must be in [0, 1) but was 1.5")
                .hasMessageContaining("gateway.retry-max-backoff (PT10M) must be >= gateway.retry-initial-backoff (PT20M)");
    }
}
