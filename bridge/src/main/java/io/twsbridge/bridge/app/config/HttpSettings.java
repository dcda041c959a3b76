package io.twsbridge.bridge.app.config;

/**
 * Where the management HTTP endpoint (health, status) listens.
 *
 * @param host the address to bind, {@code 127.0.0.1} by default so that nothing outside the host can reach it
 * @param port the port; {@code 0} for any free port (tests), {@link #DISABLED} to run no endpoint at all
 */
public record HttpSettings(String host, int port) {

    /** The port value that switches the endpoint off. */
    public static final int DISABLED = -1;
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;

    /** @throws IllegalArgumentException naming every bad value, one per line (the builders' format) */
    public HttpSettings {
        StringBuilder problems = new StringBuilder();
        if (host == null || host.isBlank()) {
            problems.append("\n  - http.host must not be empty");
        }
        if (port < DISABLED || port > 65535) {
            problems.append("\n  - http.port must be 1..65535, 0 for any free port or -1 to disable, but was ")
                    .append(port);
        }
        if (problems.length() > 0) {
            throw new IllegalArgumentException("invalid HTTP configuration:" + problems);
        }
    }

    public static HttpSettings defaults() {
        return new HttpSettings(DEFAULT_HOST, DEFAULT_PORT);
    }

    /** False when {@code http.port} is -1: no management endpoint is started. */
    public boolean enabled() {
        return port != DISABLED;
    }
}
