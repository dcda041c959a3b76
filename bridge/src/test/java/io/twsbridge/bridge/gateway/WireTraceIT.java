package io.twsbridge.bridge.gateway;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.gateway.zombie.ZombieProbe;
import io.twsbridge.sim.SimulatorConfig;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The wire trace, off by default, shows every frame in and out as its field list when switched on. */
class WireTraceIT {

    @Test
    void everyFrameInAndOutIsTracedWhenEnabled() throws Exception {
        Logger wire = (Logger) LoggerFactory.getLogger("io.twsbridge.wire");
        Level before = wire.getLevel();
        assertThat(wire.isTraceEnabled()).as("off by default").isFalse();
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        wire.addAppender(events);
        wire.setLevel(Level.TRACE);
        try (GatewayHarness h = GatewayHarness.start(SimulatorConfig.builder(), b -> b, ZombieProbe.disabled())) {
            h.awaitState(SessionState.READY, Duration.ofSeconds(10));
        } finally {
            wire.setLevel(before);
            wire.detachAppender(events);
        }
        List<String> lines = events.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(lines).anyMatch(l -> l.startsWith("-> API\\0 v157..178"));
        assertThat(lines).anyMatch(l -> l.equals("-> [71, 2, 17, ]"));
        assertThat(lines).anyMatch(l -> l.startsWith("<- [15, 1, DU111111,DU222222]"));
        assertThat(lines).anyMatch(l -> l.startsWith("<- [9, 1, "));
        assertThat(lines).anyMatch(l -> l.equals("-> [61, 1]"));
    }
}
