package io.twsbridge.bridge.cli;

import io.twsbridge.bridge.app.BridgeApp;
import io.twsbridge.bridge.app.config.HttpSettings;
import io.twsbridge.bridge.app.config.LoadedConfig;

import java.io.IOException;
import java.util.Optional;

/** Starts the management HTTP endpoint of a running bridge, when configured. */
final class Management {

    private Management() {
    }

    static Optional<String> start(BridgeApp app, LoadedConfig config) throws IOException {
        HttpSettings http = config.http();
        if (http.port() == HttpSettings.DISABLED) {
            return Optional.empty();
        }
        return Optional.of(app.startManagement(http.host(), http.port()).toString());
    }
}
