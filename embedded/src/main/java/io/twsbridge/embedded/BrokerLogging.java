package io.twsbridge.embedded;

import ch.qos.logback.classic.LoggerContext;
import java.util.List;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Keeps the in-process broker quiet unless asked otherwise.
 *
 * <p>The broker logs through SLF4J straight into the application's logback, at INFO by default,
 * which is hundreds of lines per start. Before a start, each logger in {@link #BROKER_LOGGERS}
 * that the logback configuration left without a level of its own gets the configured one (WARN by
 * default). A level set in {@code logback.xml} or {@code logback-test.xml} wins, so
 * {@code <logger name="kafka" level="INFO"/>} brings the broker's start-up log back.
 *
 * <p>The names cover the broker's server-side packages, plus three loggers of {@code
 * org.apache.kafka.common} that the broker floods at INFO: {@code AbstractConfig} (every config
 * object dumps all its values, about 2,000 lines per broker start), {@code AppInfoParser} (version
 * banners) and {@code Metrics} (reporter shutdown notices). Those three are shared with Kafka
 * clients, so in a JVM that also runs the bridge its own producer config dump goes quiet too; a
 * level for them in the logback configuration brings it back. The rest of the client code ({@code
 * org.apache.kafka.clients}, e.g. {@code NetworkClient} warnings) is left to the application.
 *
 * <p>With a logging backend other than logback nothing is changed.
 */
final class BrokerLogging {

    /** Logger names (and so prefixes) quieted by default; see the class comment. */
    static final List<String> BROKER_LOGGERS = List.of(
            "kafka",
            "state.change.logger",
            "org.apache.kafka.common.config.AbstractConfig",
            "org.apache.kafka.common.metrics.Metrics",
            "org.apache.kafka.common.utils.internals.AppInfoParser",
            "org.apache.kafka.controller",
            "org.apache.kafka.coordinator",
            "org.apache.kafka.image",
            "org.apache.kafka.metadata",
            "org.apache.kafka.network",
            "org.apache.kafka.queue",
            "org.apache.kafka.raft",
            "org.apache.kafka.security",
            "org.apache.kafka.server",
            "org.apache.kafka.snapshot",
            "org.apache.kafka.storage");

    private BrokerLogging() {
    }

    /**
     * Gives each broker logger without a configured level the given one.
     *
     * @return whether logback is the backend (and so whether anything could be changed)
     */
    static boolean applyDefaultLevel(Level level) {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof LoggerContext context)) {
            return false;
        }
        ch.qos.logback.classic.Level target = ch.qos.logback.classic.Level.toLevel(level.toString());
        for (String name : BROKER_LOGGERS) {
            ch.qos.logback.classic.Logger logger = context.getLogger(name);
            if (logger.getLevel() == null) {
                logger.setLevel(target);
            }
        }
        return true;
    }
}
