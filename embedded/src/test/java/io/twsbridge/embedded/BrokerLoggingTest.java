package io.twsbridge.embedded;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.apache.logging.log4j.LogManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/** The broker's log4j2 calls and SLF4J calls both end in logback, and the default level yields to config. */
class BrokerLoggingTest {

    private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    @AfterEach
    void detach() {
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(appender);
        context.getLogger("org.apache.kafka.raft").setLevel(null);
        context.getLogger("kafka").setLevel(null);
    }

    @Test
    void log4j2ApiIsImplementedBySlf4jSoBrokerLog4jCallsReachLogback() {
        attach();

        LogManager.getLogger("kafka.test.Log4jRouting").warn("routed through log4j-to-slf4j");

        assertThat(LogManager.getFactory().getClass().getName())
                .isEqualTo("org.apache.logging.slf4j.SLF4JLoggerContextFactory");
        assertThat(appender.list).singleElement().satisfies(e -> {
            assertThat(e.getLoggerName()).isEqualTo("kafka.test.Log4jRouting");
            assertThat(e.getFormattedMessage()).isEqualTo("routed through log4j-to-slf4j");
        });
    }

    @Test
    void brokerLoggersGetTheDefaultLevelUnlessConfigured() {
        context.getLogger("kafka").setLevel(Level.DEBUG); // as <logger name="kafka" level="DEBUG"/> would

        assertThat(BrokerLogging.applyDefaultLevel(org.slf4j.event.Level.ERROR)).isTrue();

        assertThat(context.getLogger("kafka").getLevel()).isEqualTo(Level.DEBUG);
        assertThat(context.getLogger("org.apache.kafka.raft").getLevel()).isEqualTo(Level.ERROR);
        assertThat(context.getLogger("org.apache.kafka.clients").getLevel()).isNotEqualTo(Level.ERROR);
    }

    private void attach() {
        appender.setContext(context);
        appender.start();
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(appender);
    }
}
