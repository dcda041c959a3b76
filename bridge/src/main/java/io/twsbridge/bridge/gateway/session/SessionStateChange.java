package io.twsbridge.bridge.gateway.session;

import java.time.Instant;

/** One transition of the session, with the reason it happened. */
public record SessionStateChange(SessionState from, SessionState to, String reason, Instant at) {
}
