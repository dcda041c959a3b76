package io.twsbridge.bridge.gateway.transport;

/**
 * Whether this process may still speak to the Gateway. Asked immediately before every byte goes out: the hello
 * of a new connection and each frame the writer takes. A standby bridge that has lost its leadership (see the
 * failover package) answers with a refusal, and the link closes without sending what was queued: a deposed
 * instance must never write to the Gateway after another instance may have become active.
 */
@FunctionalInterface
public interface LinkPermit {

    /** Always permits: a bridge that runs alone. */
    LinkPermit ALWAYS = () -> null;

    /** Null while writing is permitted; otherwise why not, in words for the log and {@code /status}. */
    String refusal();
}
