package io.twsbridge.bridge.gateway;

/**
 * What the bridge does with a connection the Gateway accepted but does not answer: no server-version reply within
 * {@code gateway.handshake-timeout}, or no nextValidId and managedAccounts within {@code gateway.api-ready-timeout}
 * of startApi.
 *
 * <p>IB Gateway does not close its side of an API socket whose client went away while it was not serving it: the
 * socket stays in CLOSE_WAIT (a zombie) until the Gateway restarts, and while it holds zombies it answers no
 * handshake. So closing an unanswered connection is how a client makes the next zombie, and with the Gateway on
 * another host nobody sees it happen. Keeping it open costs one established socket and waits for whatever is
 * holding the Gateway up: a restart closes it from the Gateway's side (no zombie), and a Gateway that is only slow
 * (a login in progress, the "accept incoming connection" dialog, a busy Gateway) answers on it late and the
 * session goes on to READY.
 */
public enum UnansweredConnection {

    /** Keep the connection open, report the stall, make no other attempt until the Gateway answers or closes it. */
    KEEP,

    /** Close it and count the attempt as failed (the breaker and backoff decide the next one). */
    CLOSE
}
