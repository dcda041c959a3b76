package io.twsbridge.client;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * No result came in time. The command's outcome is unknown: it may still be carried out (an order may reach IB).
 * Look for its commandId on the results and orders topics, or send it again with the <b>same</b> commandId, which
 * the bridge never carries out twice.
 */
public final class CommandTimeoutException extends TimeoutException {

    private static final long serialVersionUID = 1L;

    private final String commandId;

    CommandTimeoutException(String commandId, String what, Duration waited) {
        super("no " + what + " result for command " + commandId + " within " + waited);
        this.commandId = commandId;
    }

    public String commandId() {
        return commandId;
    }
}
