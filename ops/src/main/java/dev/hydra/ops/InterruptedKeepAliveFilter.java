package dev.hydra.ops;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Drops the one ERROR Debezium logs on every clean stop of a Postgres capture: its keep-alive thread
 * is interrupted in its sleep and reports that as "Unexpected exception". Any other error of that
 * class, and any keep-alive failure with another cause, is still logged.
 */
public final class InterruptedKeepAliveFilter extends Filter<ILoggingEvent> {
    static final String LOGGER = "io.debezium.connector.postgresql.connection.PostgresReplicationConnection";

    @Override
    public FilterReply decide(ILoggingEvent event) {
        IThrowableProxy thrown = event.getThrowableProxy();
        boolean interruptedSleep = thrown != null && InterruptedException.class.getName().equals(thrown.getClassName());
        return LOGGER.equals(event.getLoggerName()) && interruptedSleep ? FilterReply.DENY : FilterReply.NEUTRAL;
    }
}
