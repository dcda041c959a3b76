package io.twsbridge.bridge.gateway.session;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** What the supervisor may do with the session: the only way a connection is ever started. */
public interface SessionControl {

    /** Starts one connection attempt with {@code clientId}; completes when it is READY or has failed. */
    CompletableFuture<AttemptOutcome> connect(int clientId);

    /** Closes the current link, if any, for {@code reason}. */
    void closeLink(String reason);

    SessionState state();

    /** The managed accounts; empty unless the session is synced. */
    List<String> accounts();

    void addListener(SessionListener listener);
}
