package io.twsbridge.bridge.cli;

import io.twsbridge.bridge.app.config.ConfigException;
import io.twsbridge.bridge.app.config.LoadedConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code bridge config}: the configuration {@code bridge run} would start with, every setting (defaults included)
 * as {@code key=value}, secrets masked; those given by the file or {@code BRIDGE_*} variables are marked. Validates
 * as {@code run} does: exit 2 with every problem listed.
 */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Prints every setting in effect (secrets masked), marking those not at their defaults.")
final class ConfigCommand implements Callable<Integer> {

    @Option(names = "--config", description = "Properties file; BRIDGE_* environment variables override it.")
    Path config;

    @Override
    public Integer call() {
        LoadedConfig loaded;
        try {
            loaded = RunCommand.load(config);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        Map<String, String> defaults = RunCommand.defaults();
        loaded.settings().forEach((key, value) -> System.out.println(key + "=" + value
                + (value.equals(defaults.get(key)) ? "" : "    # given")));
        loaded.warnings().forEach(w -> System.err.println("WARNING " + w));
        return 0;
    }
}
