package io.twsbridge.bridge.results;

/** Why a command is refused: a machine-readable reason code (see ReasonCodes) and a message for people. */
public record Rejection(String reasonCode, String message) {
}
