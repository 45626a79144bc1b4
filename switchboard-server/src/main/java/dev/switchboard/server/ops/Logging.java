package dev.switchboard.server.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.util.List;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * How the executable logs (Logback, on standard error), set once at start from the command line:
 *
 * <ul>
 *   <li>servers ({@code standalone}, {@code api}, {@code backend}, ...): INFO and up, plain lines by default,
 *       {@code --log-format json} (or {@code SWITCHBOARD_LOG_FORMAT=json}) for one JSON object per line
 *       ({@link JsonLines});
 *   <li>client tools ({@code produce}, {@code consume}, {@code status}, ...): quiet, since their standard output is
 *       data: warnings and errors only, plus one short line per failover ({@value #FAILOVER_LOGGER}); {@code -v}
 *       gives them the servers' INFO logs.
 * </ul>
 */
public final class Logging {
    /** The SDK's logger for its one line per failover. */
    public static final String FAILOVER_LOGGER = "dev.switchboard.client.failover";

    private static final String PLAIN_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXX} [%level] %logger{0} - %msg%n";
    private static final List<String> CHATTY = List.of(
            "org.apache.kafka",
            "kafka",
            "state.change.logger",
            "org.eclipse.jetty",
            "org.apache.thrift",
            "com.rabbitmq",
            "org.apache.qpid",
            "qpid.message");

    /** The two line formats. */
    public enum Format {
        PLAIN,
        JSON;

        /** {@code plain} or {@code json}, any case; anything else is an IllegalArgumentException naming the choices. */
        public static Format parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("log format must be plain or json, got '" + text + "'");
            }
        }
    }

    private Logging() {}

    /** A server: INFO and up in {@code format}. */
    public static void server(Format format) {
        LoggerContext context = reset();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(console(context, format == Format.JSON ? jsonEncoder(context) : plainEncoder(context)));
        CHATTY.forEach(name -> context.getLogger(name).setLevel(Level.WARN));
    }

    /** A client tool: quiet (warnings and errors, one line per failover) or, with {@code verbose}, a server's logs. */
    public static void tool(Format format, boolean verbose) {
        if (verbose) {
            server(format);
            return;
        }
        LoggerContext context = reset();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(console(context, format == Format.JSON ? jsonEncoder(context) : plainEncoder(context)));
        Logger failover = context.getLogger(FAILOVER_LOGGER);
        failover.setLevel(Level.INFO);
        failover.setAdditive(false);
        failover.addAppender(console(
                context,
                format == Format.JSON ? jsonEncoder(context) : patternEncoder(context, "switchboard: %msg%n")));
    }

    private static LoggerContext reset() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        return context;
    }

    private static ConsoleAppender<ILoggingEvent> console(LoggerContext context, Encoder<ILoggingEvent> encoder) {
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setTarget("System.err");
        appender.setEncoder(encoder);
        appender.start();
        return appender;
    }

    private static Encoder<ILoggingEvent> plainEncoder(LoggerContext context) {
        return patternEncoder(context, PLAIN_PATTERN);
    }

    private static Encoder<ILoggingEvent> patternEncoder(LoggerContext context, String pattern) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(pattern);
        encoder.start();
        return encoder;
    }

    private static Encoder<ILoggingEvent> jsonEncoder(LoggerContext context) {
        JsonLines encoder = new JsonLines();
        encoder.setContext(context);
        encoder.start();
        return encoder;
    }
}
