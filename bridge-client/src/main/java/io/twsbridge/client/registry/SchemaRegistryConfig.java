package io.twsbridge.client.registry;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach the Schema Registry. Immutable; {@link Builder#build()} validates every value and reports all
 * problems at once ({@link InvalidRegistryConfigException}), naming each setting by its {@code registry.*} key and
 * its bad value (never a password). The keys are the bridge's configuration keys; a client program may use the same
 * names in its own configuration.
 *
 * @param baseUrl           the registry's Confluent API root: {@code http://host:8081} for Confluent,
 *                          {@code http://host:port/apis/ccompat/v7} for Apicurio; no trailing slash, no user info
 * @param basicAuth         credentials for HTTP basic authentication, or null for none
 * @param connectTimeout    TCP connect timeout
 * @param requestTimeout    from sending a request to the end of its response headers
 * @param maxAttempts       attempts per call, the first included; only I/O errors, timeouts, 5xx and 429 are retried
 * @param initialBackoff    wait before the second attempt
 * @param backoffMultiplier factor applied to the wait after each failed attempt
 * @param maxBackoff        cap of the wait between attempts
 * @param backoffJitter     randomisation factor of each wait, in [0, 1)
 * @param startupMaxBackoff for a process that waits at start-up until the registry is available (the bridge does,
 *                          indefinitely): the cap of the wait between its rounds; a client that does not wait
 *                          ignores it
 */
public record SchemaRegistryConfig(
        URI baseUrl,
        BasicAuth basicAuth,
        Duration connectTimeout,
        Duration requestTimeout,
        int maxAttempts,
        Duration initialBackoff,
        double backoffMultiplier,
        Duration maxBackoff,
        double backoffJitter,
        Duration startupMaxBackoff) {

    /**
     * Credentials for HTTP basic authentication. {@link #toString()} shows the user only; the password never
     * appears in logs, exception messages or {@code toString()} of anything that holds it.
     */
    public record BasicAuth(String user, String password) {

        public BasicAuth {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
        }

        @Override
        public String toString() {
            return "BasicAuth[user=" + user + ", password=****]";
        }
    }

    /** The credentials, if basic authentication is configured. */
    public Optional<BasicAuth> credentials() {
        return Optional.ofNullable(basicAuth);
    }

    public static Builder builder(String baseUrl) {
        return new Builder().baseUrl(baseUrl);
    }

    /**
     * Builder with production defaults: 5 s connect, 10 s per request, 5 attempts backing off 200 ms doubling to 5 s;
     * at start-up, rounds of registration 5 s apart doubling to 1 min while the registry is unavailable.
     */
    public static final class Builder {
        private String baseUrl;
        private String user;
        private String password;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(10);
        private int maxAttempts = 5;
        private Duration initialBackoff = Duration.ofMillis(200);
        private double backoffMultiplier = 2.0;
        private Duration maxBackoff = Duration.ofSeconds(5);
        private double backoffJitter = 0.5;
        private Duration startupMaxBackoff = Duration.ofMinutes(1);

        public Builder baseUrl(String v) { baseUrl = v; return this; }
        public Builder connectTimeout(Duration v) { connectTimeout = v; return this; }
        public Builder requestTimeout(Duration v) { requestTimeout = v; return this; }
        public Builder maxAttempts(int v) { maxAttempts = v; return this; }
        public Builder initialBackoff(Duration v) { initialBackoff = v; return this; }
        public Builder backoffMultiplier(double v) { backoffMultiplier = v; return this; }
        public Builder maxBackoff(Duration v) { maxBackoff = v; return this; }
        public Builder backoffJitter(double v) { backoffJitter = v; return this; }
        public Builder startupMaxBackoff(Duration v) { startupMaxBackoff = v; return this; }

        /** Basic authentication; both null for none. */
        public Builder basicAuth(String user, String password) {
            this.user = user;
            this.password = password;
            return this;
        }

        /** @throws IllegalArgumentException listing every invalid setting with its value (never the password) */
        public SchemaRegistryConfig build() {
            Problems problems = new Problems();
            URI url = parseBaseUrl(problems);
            BasicAuth auth = null;
            if (user != null || password != null) {
                if (user == null || user.isEmpty()) {
                    problems.add("registry.user", "must be set when a password is");
                } else if (user.indexOf(':') >= 0) {
                    problems.add("registry.user", "must not contain ':' but was " + user);
                }
                if (password == null) {
                    problems.add("registry.password", "must be set when a user is");
                }
                if (problems.isEmpty()) {
                    auth = new BasicAuth(user, password);
                }
            }
            problems.positive("registry.connect-timeout", connectTimeout);
            problems.positive("registry.request-timeout", requestTimeout);
            if (maxAttempts < 1) {
                problems.add("registry.max-attempts", "must be >= 1 but was " + maxAttempts);
            }
            problems.atLeast("registry.initial-backoff", initialBackoff, Duration.ofMillis(1));
            problems.atLeast("registry.max-backoff", maxBackoff, Duration.ofMillis(1));
            if (initialBackoff != null && maxBackoff != null && maxBackoff.compareTo(initialBackoff) < 0) {
                problems.add("registry.max-backoff", "(" + maxBackoff + ") must be >= registry.initial-backoff ("
                        + initialBackoff + ")");
            }
            problems.atLeast("registry.startup-max-backoff", startupMaxBackoff, Duration.ofMillis(1));
            if (maxBackoff != null && startupMaxBackoff != null && startupMaxBackoff.compareTo(maxBackoff) < 0) {
                problems.add("registry.startup-max-backoff", "(" + startupMaxBackoff
                        + ") must be >= registry.max-backoff (" + maxBackoff + ")");
            }
            if (!(backoffMultiplier >= 1.0) || Double.isInfinite(backoffMultiplier)) {
                problems.add("registry.backoff-multiplier", "must be >= 1 but was " + backoffMultiplier);
            }
            if (!(backoffJitter >= 0 && backoffJitter < 1)) {
                problems.add("registry.backoff-jitter", "must be in [0, 1) but was " + backoffJitter);
            }
            problems.throwIfAny();
            return new SchemaRegistryConfig(url, auth, connectTimeout, requestTimeout, maxAttempts, initialBackoff,
                    backoffMultiplier, maxBackoff, backoffJitter, startupMaxBackoff);
        }

        private URI parseBaseUrl(Problems problems) {
            if (baseUrl == null || baseUrl.isBlank()) {
                problems.add("registry.url", "must be set");
                return null;
            }
            String text = baseUrl.trim();
            while (text.endsWith("/")) {
                text = text.substring(0, text.length() - 1);
            }
            URI url;
            try {
                url = new URI(text);
            } catch (URISyntaxException e) {
                problems.add("registry.url", "is not a URL" + quoted(text) + ": " + e.getReason());
                return null;
            }
            if (url.getRawUserInfo() != null) {
                // Never echo this value: it holds credentials.
                problems.add("registry.url", "must not carry credentials (user info); use registry.user and registry.password");
                return null;
            }
            if (!"http".equalsIgnoreCase(url.getScheme()) && !"https".equalsIgnoreCase(url.getScheme())) {
                problems.add("registry.url", "must be an http or https URL but was " + text);
            } else if (url.getHost() == null) {
                problems.add("registry.url", "must name a host but was " + text);
            }
            if (url.getRawQuery() != null || url.getRawFragment() != null) {
                problems.add("registry.url", "must not have a query or fragment but was " + text);
            }
            return url;
        }

        private static String quoted(String text) {
            return text.indexOf('@') >= 0 ? "" : " (" + text + ")";
        }
    }

    /** Collects the builder's problems, then throws them all at once. */
    private static final class Problems {
        private final List<InvalidRegistryConfigException.Problem> problems = new ArrayList<>();

        void add(String key, String message) {
            problems.add(new InvalidRegistryConfigException.Problem(key, message));
        }

        void positive(String key, Duration d) {
            if (d == null || d.isZero() || d.isNegative()) {
                add(key, "must be a positive duration but was " + d);
            }
        }

        void atLeast(String key, Duration d, Duration min) {
            if (d == null || d.compareTo(min) < 0) {
                add(key, "must be >= " + min.toMillis() + " ms but was " + d);
            }
        }

        boolean isEmpty() {
            return problems.isEmpty();
        }

        void throwIfAny() {
            if (!problems.isEmpty()) {
                throw new InvalidRegistryConfigException(problems);
            }
        }
    }
}
