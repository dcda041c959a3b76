package io.twsbridge.bridge.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Collects what the process logs at WARN and above while it is open, for tests that promise "no unhandled
 * error reaches the log" or "the reason is reported". Safe to read while other threads log.
 */
public final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {

    private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    private LogCapture() {
        setName("test-log-capture");
        setContext(root.getLoggerContext());
    }

    /** Starts capturing from the root logger (events at the root's level, WARN in tests, and above). */
    public static LogCapture capture() {
        LogCapture capture = new LogCapture();
        capture.start();
        capture.root.addAppender(capture);
        return capture;
    }

    @Override
    protected void append(ILoggingEvent event) {
        event.prepareForDeferredProcessing();
        events.add(event);
    }

    /** Every captured event at {@code level} or above. */
    public List<ILoggingEvent> atLeast(Level level) {
        return events.stream().filter(e -> e.getLevel().isGreaterOrEqual(level)).toList();
    }

    /** ERROR events, and events of any level that carry a stack trace: what an operator reads as "something broke". */
    public List<ILoggingEvent> errorsAndStackTraces() {
        return events.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR) || e.getThrowableProxy() != null)
                .toList();
    }

    /** The formatted messages of every captured event, with the class name of an attached exception. */
    public List<String> lines() {
        return events.stream().map(LogCapture::line).toList();
    }

    /** One event as "LEVEL logger - message [exception class: message]". */
    public static String line(ILoggingEvent e) {
        IThrowableProxy t = e.getThrowableProxy();
        return e.getLevel() + " " + e.getLoggerName() + " - " + e.getFormattedMessage()
                + (t == null ? "" : " [" + t.getClassName() + ": " + t.getMessage() + "]");
    }

    @Override
    public void close() {
        root.detachAppender(this);
        stop();
    }
}
