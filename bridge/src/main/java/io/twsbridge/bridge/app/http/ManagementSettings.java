package io.twsbridge.bridge.app.http;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the management HTTP server listens, and with how many threads. Validated on construction; every problem
 * is reported at once, naming the key and the bad value. The keys are those of the configuration file
 * ({@code http.host}, {@code http.port}); switching the endpoint off ({@code http.port=-1}) is the caller's
 * business: it then starts no server.
 *
 * @param host    address to bind ({@code http.host}); the loopback address unless configured otherwise, since
 *                the server has no authentication and can release the kill switch
 * @param port    port to bind ({@code http.port}); 0 picks a free port (tests)
 * @param threads request threads ({@code http.threads}, default 2)
 */
public record ManagementSettings(String host, int port, int threads) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    public static final int DEFAULT_THREADS = 2;

    /** @throws IllegalArgumentException listing every invalid setting with its value */
    public ManagementSettings {
        List<String> problems = new ArrayList<>();
        if (host == null || host.isBlank()) {
            problems.add("http.host must not be empty but was '" + host + "'");
        }
        if (port < 0 || port > 65535) {
            problems.add("http.port must be 0..65535 but was " + port);
        }
        if (threads < 1 || threads > 16) {
            problems.add("http.threads must be 1..16 but was " + threads);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid HTTP configuration:\n  - "
                    + String.join("\n  - ", problems));
        }
    }

    /** 127.0.0.1:8080, two threads. */
    public static ManagementSettings defaults() {
        return new ManagementSettings(DEFAULT_HOST, DEFAULT_PORT, DEFAULT_THREADS);
    }

    /** {@code host:port} with the default number of threads. */
    public static ManagementSettings of(String host, int port) {
        return new ManagementSettings(host, port, DEFAULT_THREADS);
    }

    public ManagementSettings withHost(String newHost) {
        return new ManagementSettings(newHost, port, threads);
    }

    public ManagementSettings withPort(int newPort) {
        return new ManagementSettings(host, newPort, threads);
    }

    public ManagementSettings withThreads(int newThreads) {
        return new ManagementSettings(host, port, newThreads);
    }
}
