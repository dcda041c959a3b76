package io.twsbridge.bridge.validation;

import java.io.Serializable;

/**
 * One invalid setting.
 *
 * @param key     the configuration file's key (for example {@code registry.max-attempts}); null for a problem of
 *                several settings together
 * @param message what is wrong, without the key (for example {@code must be >= 1 but was 0})
 */
public record SettingProblem(String key, String message) implements Serializable {

    /** The line an operator reads: the key, then the message. */
    public String text() {
        return key == null ? message : key + " " + message;
    }
}
