package io.twsbridge.bridge.cli;

import io.twsbridge.bridge.app.BridgeRunner;
import io.twsbridge.bridge.app.config.ConfigException;
import io.twsbridge.bridge.app.config.ConfigLoader;
import io.twsbridge.bridge.app.config.LoadedConfig;
import io.twsbridge.bridge.diagnostics.LogFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.reflect.Proxy;
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
        exitZeroOnSigterm();
        System.out.println("checking topics ...");
        runner.start();
        System.out.println(loaded.bridge().failover().enabled()
                ? "started as standby instance " + loaded.bridge().failover().instanceId()
                        + "; it becomes active when it wins the election (role changes follow in the log)"
                : "started; connecting to the Gateway (state changes follow in the log)");
        stopped.await();
        return 0;
    }

    /**
     * A service manager's SIGTERM asks the bridge to stop; it is not a failure. Left to the JVM, the process would
     * run the shutdown hook and then exit 143 (128 + 15), which orchestrators and {@code systemd} count as a crash.
     * Handling the signal with {@code System.exit(0)} runs the same hook (the Gateway link closed, Kafka flushed)
     * and reports the clean stop as one. SIGINT (Ctrl-C at a terminal) keeps the JVM's default.
     *
     * <p>{@code sun.misc.Signal} is the JDK's only way to handle a signal; it lives in {@code jdk.unsupported},
     * which every JDK exports, and is reached by reflection because the build treats javac's warning on that API
     * as an error. Where it is missing, or the JVM reserves the signal ({@code -Xrs}), the default stays.
     */
    private static void exitZeroOnSigterm() {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            Object exitZero = Proxy.newProxyInstance(handler.getClassLoader(), new Class<?>[] {handler},
                    (proxy, method, args) -> {
                        if (method.getName().equals("handle")) {
                            new Thread(() -> System.exit(0), "sigterm").start();
                            return null;
                        }
                        return switch (method.getName()) {
                            case "hashCode" -> System.identityHashCode(proxy);
                            case "equals" -> proxy == args[0];
                            default -> "exit 0 on SIGTERM";
                        };
                    });
            signal.getMethod("handle", signal, handler)
                    .invoke(null, signal.getConstructor(String.class).newInstance("TERM"), exitZero);
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.out.println("WARNING SIGTERM keeps the JVM's default (exit 143): " + e);
        }
    }
}
