package io.twsbridge.bridge.gateway;

/** IB refused a request: its error code and text, for a command's result. */
public final class GatewayRequestException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int code;
    private final String text;

    public GatewayRequestException(int code, String text) {
        super("IB error " + code + ": " + text);
        this.code = code;
        this.text = text;
    }

    public int code() {
        return code;
    }

    /** IB's text, as sent. */
    public String text() {
        return text;
    }
}
