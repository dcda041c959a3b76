package io.twsbridge.bridge.cli;

import io.twsbridge.bridge.app.BridgeRunner;
import io.twsbridge.bridge.app.config.ConfigException;
import io.twsbridge.bridge.app.config.ConfigLoader;
import io.twsbridge.bridge.app.config.LoadedConfig;
import io.twsbridge.bridge.diagnostics.LogFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code bridge run --config FILE}: the service. Every configuration problem is reported at once and the bridge
 * does not start; SIGTERM (or Ctrl-C) closes the Gateway link cleanly and flushes what was published.
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run the bridge service.")
public final class RunCommand implements Callable<Integer> {

    @Option(names = "--config", description = "Properties file; BRIDGE_* environment variables override it.")
    Path config;

    @Override
    public Integer call() throws Exception {
        LoadedConfig loaded;
        try {
            ConfigLoader loader = ConfigLoader.fromSystemEnvironment();
            loaded = config == null ? loader.loadWithoutFile() : loader.load(config);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            System.err.println("the bridge did not start");
            return 2;
        }
        loaded.logFile().ifPresent(LogFile::enable);
        System.out.println("configuration:\n" + loaded.describe());
        loaded.warnings().forEach(w -> System.out.println("WARNING " + w));
        BridgeRunner runner = new BridgeRunner(loaded.bridge(), Clock.systemUTC(), app -> {
            // Up before the schemas are registered: a registry that does not answer yet leaves the bridge live and
            // not ready, with the reason, instead of crash-looping.
            Management.start(app, loaded).ifPresent(address -> System.out.println("management HTTP on " + address));
            System.out.println("registering schemas ...");
        });
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("stopping: closing the Gateway link and flushing to Kafka ...");
            runner.close();
            stopped.countDown();
        }, "bridge-shutdown"));
        System.out.println("checking topics ...");
        runner.start();
        System.out.println(loaded.bridge().failover().enabled()
                ? "started as standby instance " + loaded.bridge().failover().instanceId()
                        + "; it becomes active when it wins the election (role changes follow in the log)"
                : "started; connecting to the Gateway (state changes follow in the log)");
        stopped.await();
        return 0;
    }
}
