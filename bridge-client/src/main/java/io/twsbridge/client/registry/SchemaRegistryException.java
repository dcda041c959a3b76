package io.twsbridge.client.registry;

/**
 * A Schema Registry call that failed: the registry answered with an error, answered something unreadable, or could
 * not be reached (after the client's retries).
 *
 * <p>The message names the method and URL, the HTTP status, the registry's {@code error_code} and its message. It
 * never contains request headers or credentials: the client refuses base URLs with user info, and the
 * Authorization header is never copied anywhere.
 *
 * <p>Error codes differ between registries (see {@link #isNotFound()}); decide on {@link #status()} and
 * {@link #errorCode()}, never on the message text.
 */
public final class SchemaRegistryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** {@link #status()} when no HTTP response arrived (I/O error, timeout, interruption). */
    public static final int NO_RESPONSE = -1;
    /** {@link #errorCode()} when the response carried no {@code error_code}. */
    public static final int NO_ERROR_CODE = -1;

    /** Confluent: subject not found; Apicurio: schema not found under an existing subject. */
    public static final int SUBJECT_NOT_FOUND = 40401;
    /** Confluent: version not found; Apicurio: subject not found. */
    public static final int VERSION_NOT_FOUND = 40402;
    /** Confluent: schema not found (lookup under a subject, or by id). */
    public static final int SCHEMA_NOT_FOUND = 40403;
    /** Confluent: the subject has no compatibility level of its own. */
    public static final int SUBJECT_LEVEL_NOT_CONFIGURED = 40408;
    /** Confluent and Apicurio: the schema does not parse. */
    public static final int INVALID_SCHEMA = 42201;

    /** What went wrong, in the terms a caller decides on. */
    public enum Kind {
        /** The registry answered a non-2xx status; see {@link #status()} and {@link #errorCode()}. */
        HTTP_ERROR,
        /** No response: connection refused or reset, timeout. */
        NO_RESPONSE,
        /** The calling thread was interrupted. */
        INTERRUPTED,
        /** A 2xx answer that is not the JSON the API promises. */
        BAD_RESPONSE,
        /** The registry returned a schema this client cannot use: not Avro, with references, or not parseable. */
        UNUSABLE_SCHEMA
    }

    private final Kind kind;
    private final String method;
    private final String url;
    private final int status;
    private final int errorCode;
    private final String registryMessage;
    private final boolean retriable;

    private SchemaRegistryException(Kind kind, String method, String url, int status, int errorCode,
                                    String registryMessage, boolean retriable, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.method = method;
        this.url = url;
        this.status = status;
        this.errorCode = errorCode;
        this.registryMessage = registryMessage;
        this.retriable = retriable;
    }

    /**
     * The registry answered {@code status} (not 2xx). 5xx and 429 are retriable, every other status is not. Public, as
     * is {@link #ioError}, so that code waiting on a registry (the bridge's start-up) can be tested with failures.
     */
    public static SchemaRegistryException httpError(String method, String url, int status, int errorCode,
                                             String registryMessage, int attempts) {
        boolean retriable = status >= 500 || status == 429;
        StringBuilder m = new StringBuilder("Schema Registry ").append(method).append(' ').append(url)
                .append(" failed: HTTP ").append(status);
        if (errorCode != NO_ERROR_CODE) {
            m.append(", error_code ").append(errorCode);
        }
        if (registryMessage != null && !registryMessage.isEmpty()) {
            m.append(": ").append(registryMessage);
        }
        if (attempts > 1) {
            m.append(" (after ").append(attempts).append(" attempts)");
        }
        return new SchemaRegistryException(Kind.HTTP_ERROR, method, url, status, errorCode, registryMessage, retriable,
                m.toString(), null);
    }

    /** No response: connection refused or reset, timeout. Retriable. */
    public static SchemaRegistryException ioError(String method, String url, int attempts, Throwable cause) {
        String m = "Schema Registry " + method + ' ' + url + " failed after " + attempts
                + (attempts == 1 ? " attempt: " : " attempts: ") + describe(cause);
        return new SchemaRegistryException(Kind.NO_RESPONSE, method, url, NO_RESPONSE, NO_ERROR_CODE, null, true, m, cause);
    }

    /** The calling thread was interrupted while waiting for the registry or for a retry. Not retriable. */
    static SchemaRegistryException interrupted(String method, String url, InterruptedException cause) {
        return new SchemaRegistryException(Kind.INTERRUPTED, method, url, NO_RESPONSE, NO_ERROR_CODE, null, false,
                "Schema Registry " + method + ' ' + url + " interrupted", cause);
    }

    /** A 2xx answer that does not hold what the API promises. Not retriable. */
    static SchemaRegistryException badResponse(String method, String url, int status, String what, Throwable cause) {
        return new SchemaRegistryException(Kind.BAD_RESPONSE, method, url, status, NO_ERROR_CODE, what, false,
                "Schema Registry " + method + ' ' + url + " answered HTTP " + status + " with an unusable body: " + what,
                cause);
    }

    /** The registry returned a schema that cannot be used for Avro decoding. Not retriable: ids never change. */
    static SchemaRegistryException unusableSchema(String method, String url, int status, String what, Throwable cause) {
        return new SchemaRegistryException(Kind.UNUSABLE_SCHEMA, method, url, status, NO_ERROR_CODE, what, false,
                "Schema Registry " + method + ' ' + url + " returned a schema that cannot be used: " + what, cause);
    }

    private static String describe(Throwable t) {
        String message = t.getMessage();
        return t.getClass().getSimpleName() + (message == null || message.isEmpty() ? "" : ": " + message);
    }

    /** What went wrong. */
    public Kind kind() {
        return kind;
    }

    /** HTTP method of the failed call. */
    public String method() {
        return method;
    }

    /** Full URL of the failed call (never with credentials). */
    public String url() {
        return url;
    }

    /** HTTP status, or {@link #NO_RESPONSE}. */
    public int status() {
        return status;
    }

    /** The registry's {@code error_code}, or {@link #NO_ERROR_CODE}. Apicurio answers 0 for an incompatible schema. */
    public int errorCode() {
        return errorCode;
    }

    /** The registry's own message, or null. */
    public String registryMessage() {
        return registryMessage;
    }

    /** True for I/O errors, timeouts, 5xx and 429: the kind the client retries, and a caller may retry later. */
    public boolean isRetriable() {
        return retriable;
    }

    /**
     * True when the registry says the subject, version or schema does not exist: HTTP 404 with one of the
     * not-found codes 40401, 40402 or 40403. Confluent and Apicurio use these codes for different things (unknown
     * subject is 40401 on Confluent, 40402 on Apicurio; an unregistered schema is 40403 on Confluent, 40401 on
     * Apicurio), so they are taken together. A 404 without one of these codes (a wrong base URL, a proxy) is not a
     * "not found" answer.
     */
    public boolean isNotFound() {
        return kind == Kind.HTTP_ERROR && status == 404
                && (errorCode == SUBJECT_NOT_FOUND || errorCode == VERSION_NOT_FOUND || errorCode == SCHEMA_NOT_FOUND);
    }

    /** True for HTTP 409: the registry refuses the schema as incompatible (Confluent 409, Apicurio error_code 0). */
    public boolean isIncompatible() {
        return kind == Kind.HTTP_ERROR && status == 409;
    }
}
