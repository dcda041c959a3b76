package io.twsbridge.bridge.app.config;

import io.twsbridge.bridge.validation.SettingProblems;

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

    /** @throws io.twsbridge.bridge.validation.InvalidSettingsException naming every bad value */
    public HttpSettings {
        SettingProblems problems = new SettingProblems("HTTP");
        problems.notBlank("http.host", host);
        if (port < DISABLED || port > 65535) {
            problems.add("http.port", "must be 1..65535, 0 for any free port or -1 to disable, but was " + port);
        }
        problems.throwIfAny();
    }

    public static HttpSettings defaults() {
        return new HttpSettings(DEFAULT_HOST, DEFAULT_PORT);
    }

    /** False when {@code http.port} is -1: no management endpoint is started. */
    public boolean enabled() {
        return port != DISABLED;
    }
}
