package io.twsbridge.bridge.failover;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class FailoverSettingsTest {

    @Test
    void theDefaultsRunAloneWithATenSecondSessionAndTheTimesDerivedFromIt() {
        FailoverSettings d = FailoverSettings.disabled();

        assertThat(d.enabled()).isFalse();
        assertThat(d.sessionTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(d.takeoverDelay()).isEqualTo(Duration.ZERO);
        assertThat(d.commitInterval()).isEqualTo(Duration.ofMillis(100));
        assertThat(d.leaseTopic()).isEqualTo("ib.leader");
        assertThat(d.renewInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(d.leaseDuration()).isEqualTo(Duration.ofMillis(7_500));
        assertThat(d.heartbeatInterval()).as("as often as the renewals").isEqualTo(Duration.ofSeconds(1));
        assertThat(FailoverSettings.builder().build()).isEqualTo(d);
    }

    @Test
    void theDerivedTimesFollowTheSessionTimeout() {
        FailoverSettings s = FailoverSettings.builder().enabled(true).instanceId("a").sessionTimeout(Duration.ofSeconds(6))
                .build();
        assertThat(s.renewInterval()).isEqualTo(Duration.ofMillis(600));
        assertThat(s.leaseDuration()).isEqualTo(Duration.ofMillis(4_500));
        assertThat(s.heartbeatInterval()).isEqualTo(Duration.ofMillis(600));
        assertThat(s.leaseDuration()).as("the lease ends well before the coordinator could drop the leader")
                .isLessThan(s.sessionTimeout());
    }

    @Test
    void theDefaultInstanceIdIsLegalAndNamesThisProcess() {
        String id = FailoverSettings.defaultInstanceId();
        assertThat(id).matches("[A-Za-z0-9._-]{1,100}").endsWith("-" + ProcessHandle.current().pid());
        assertThat(FailoverSettings.disabled().instanceId()).isEqualTo(id);
        assertThatCode(() -> FailoverSettings.builder().enabled(true).build()).doesNotThrowAnyException();
    }

    @Test
    void everyProblemIsListedAtOnceInOneException() {
        IllegalArgumentException e = catchThrowableOfType(IllegalArgumentException.class, () -> FailoverSettings.builder()
                .enabled(true)
                .instanceId("pod 1/a")
                .sessionTimeout(Duration.ofMillis(500))
                .takeoverDelay(Duration.ofSeconds(-1))
                .commitInterval(Duration.ofSeconds(11))
                .leaseTopic("ib leader")
                .build());

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).isEqualTo("invalid failover configuration:\n"
                + "  - failover.instance-id must be 1 to 100 letters, digits, '.', '_' or '-' but was 'pod 1/a'\n"
                + "  - failover.session-timeout must be between PT3S and PT10M but was PT0.5S\n"
                + "  - failover.takeover-delay must be between 0 and 10 minutes but was PT-1S\n"
                + "  - failover.commit-interval must be between 1 ms and 10 s but was PT11S\n"
                + "  - topics.leader must be a legal Kafka topic name but was 'ib leader'");
    }

    @Test
    void aBlankInstanceIdIsDerivedFromTheHost() {
        FailoverSettings s = FailoverSettings.builder().instanceId("  ").build();
        assertThat(s.instanceIdGiven()).isFalse();
        assertThat(s.instanceId()).endsWith("-" + ProcessHandle.current().pid());
        assertThat(FailoverSettings.builder().instanceId("pod-a").build().instanceIdGiven()).isTrue();
    }

    @Test
    void missingValuesAreProblemsToo() {
        IllegalArgumentException e = catchThrowableOfType(IllegalArgumentException.class, () -> FailoverSettings.builder()
                .instanceId("")
                .sessionTimeout(null)
                .takeoverDelay(null)
                .commitInterval(null)
                .leaseTopic(null)
                .build());

        assertThat(e.getMessage().lines().filter(l -> l.startsWith("  - ")))
                .containsExactly(
                        "  - failover.session-timeout must be between PT3S and PT10M but was null",
                        "  - failover.takeover-delay must be between 0 and 10 minutes but was null",
                        "  - failover.commit-interval must be between 1 ms and 10 s but was null",
                        "  - topics.leader must be a legal Kafka topic name but was 'null'");
    }

    @Test
    void theBoundsThemselvesAreLegalAndOneStepBeyondIsNot() {
        assertThatCode(() -> FailoverSettings.builder().instanceId("x".repeat(100))
                .sessionTimeout(Duration.ofSeconds(3)).takeoverDelay(Duration.ofMinutes(10))
                .commitInterval(Duration.ofMillis(1)).leaseTopic("l".repeat(249)).build())
                .doesNotThrowAnyException();
        assertThatCode(() -> FailoverSettings.builder().instanceId("a.b_c-D9")
                .sessionTimeout(Duration.ofMinutes(10)).takeoverDelay(Duration.ZERO)
                .commitInterval(Duration.ofSeconds(10)).build())
                .doesNotThrowAnyException();

        IllegalArgumentException e = catchThrowableOfType(IllegalArgumentException.class, () -> FailoverSettings.builder()
                .instanceId("x".repeat(101))
                .sessionTimeout(Duration.ofMinutes(10).plusNanos(1))
                .takeoverDelay(Duration.ofMinutes(10).plusNanos(1))
                .commitInterval(Duration.ofNanos(999_999))
                .leaseTopic("l".repeat(250))
                .build());
        assertThat(e.getMessage().lines().filter(l -> l.startsWith("  - ")).map(l -> l.substring(4, l.indexOf(' ', 4))))
                .containsExactly("failover.instance-id", "failover.session-timeout", "failover.takeover-delay",
                        "failover.commit-interval", "topics.leader");

        assertThat(catchThrowableOfType(IllegalArgumentException.class, () -> FailoverSettings.builder()
                .sessionTimeout(Duration.ofMillis(2_999)).build()).getMessage())
                .contains("failover.session-timeout must be between PT3S and PT10M but was PT2.999S");
    }
}
