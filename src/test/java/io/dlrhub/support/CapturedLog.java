package io.dlrhub.support;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/** Every line dlr-hub logs (at the levels log4j2-test.properties lets through) while it is attached. */
public final class CapturedLog extends AbstractAppender implements AutoCloseable {

    private final List<Line> lines = new CopyOnWriteArrayList<>();

    private record Line(String text, String thread) {}

    private CapturedLog() {
        super("captured-" + System.nanoTime(), null, null, true, Property.EMPTY_ARRAY);
    }

    public static CapturedLog attach() {
        CapturedLog log = new CapturedLog();
        log.start();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration configuration = context.getConfiguration();
        LoggerConfig root = configuration.getRootLogger();
        root.addAppender(log, org.apache.logging.log4j.Level.ALL, null);
        context.updateLoggers();
        return log;
    }

    @Override
    public void append(LogEvent event) {
        StringBuilder line = new StringBuilder(event.getLoggerName())
                .append(' ')
                .append(event.getMessage().getFormattedMessage());
        if (event.getThrown() != null) {
            line.append(' ').append(event.getThrown());
        }
        lines.add(new Line(line.toString(), event.getThreadName()));
    }

    public List<String> lines() {
        return lines.stream().map(Line::text).toList();
    }

    public List<String> linesContaining(String text) {
        return lines().stream().filter(l -> l.contains(text)).toList();
    }

    /** The names of the threads that logged the lines containing {@code text}. */
    public List<String> threadsOf(String text) {
        return lines.stream()
                .filter(l -> l.text().contains(text))
                .map(Line::thread)
                .toList();
    }

    @Override
    public void close() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration configuration = context.getConfiguration();
        configuration.getRootLogger().removeAppender(getName());
        context.updateLoggers();
        stop();
    }
}
