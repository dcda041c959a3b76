package io.twsbridge.bridge.app;

/**
 * Start-up stopped on purpose, before the bridge joined its command group, connected to the Gateway or published
 * a status: another process runs this bridge id. The message says which, and what to do instead.
 */
public final class StartRefused extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StartRefused(String message) {
        super(message);
    }
}
