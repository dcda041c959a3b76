package io.twsbridge.bridge.cli;

import io.twsbridge.bridge.app.BridgeRunner;
import io.twsbridge.bridge.app.StartRefused;
import io.twsbridge.bridge.app.config.ConfigException;
import io.twsbridge.bridge.app.config.ConfigLoader;
import io.twsbridge.bridge.app.config.LoadedConfig;
import io.twsbridge.bridge.diagnostics.LogFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code bridge run --config FILE}: the service. Every configuration problem is reported at once and the bridge
 * does not start; SIGTERM (or Ctrl-C) closes the Gateway link cleanly and flushes what was published.
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run the bridge service.",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:stopped cleanly (SIGTERM, Ctrl-C)", "1:failed with an unexpected error",
                "2:the configuration is not valid", "3:refused to start: another instance runs this bridge id",
                "4:stopped: another consumer took over this bridge's command consumer"})
public final class RunCommand implements Callable<Integer> {

    /** Refused at start: another process runs this bridge id (see {@link StartRefused}). */
    static final int EXIT_ANOTHER_INSTANCE = 3;
    /** Stopped by itself: its command consumer was fenced, so it executed nothing more. */
    static final int EXIT_COMMAND_CONSUMER_STOPPED = 4;

    @Option(names = "--config", description = "Properties file; BRIDGE_* environment variables override it.")
    Path config;

    @Override
    public Integer call() throws Exception {
        LoadedConfig loaded;
        try {
            loaded = load(config);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            System.err.println("the bridge did not start");
            return 2;
        }
        loaded.logFile().ifPresent(LogFile::enable);
        StartupScreen.lines(loaded, defaults()).forEach(System.out::println);
        loaded.warnings().forEach(w -> System.out.println("WARNING " + w));
        BridgeRunner runner = new BridgeRunner(loaded.bridge(), Clock.systemUTC(), app -> {
            // Up before the schemas are registered: a registry that does not answer yet leaves the bridge live and
            // not ready, with the reason, instead of crash-looping.
            Management.start(app, loaded).ifPresent(address -> System.out.println("management HTTP on " + address));
        });
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicReference<String> stoppedByItself = new AtomicReference<>();
        runner.onStoppedByItself(reason -> {
            stoppedByItself.set(reason);
            stopped.countDown();
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("stopping: closing the Gateway link and flushing to Kafka ...");
            runner.close();
            stopped.countDown();
        }, "bridge-shutdown"));
        exitZeroOnSigterm();
        try {
            runner.start();
        } catch (StartRefused e) {
            System.err.println("cannot start: " + e.getMessage());
            System.err.println("the bridge did not start");
            return EXIT_ANOTHER_INSTANCE;
        }
        if (loaded.bridge().failover().enabled()) {
            // Alone, the session's state changes in the log say what happens next; a standby waits, and says why.
            System.out.println("started as standby instance " + loaded.bridge().failover().instanceId()
                    + "; it becomes active when it wins the election (role changes follow in the log)");
        }
        stopped.await();
        if (stoppedByItself.get() != null) {
            // Returning exits the JVM, whose shutdown hook closes the bridge: CLOSED with this reason is its last status.
            System.err.println("stopping: " + stoppedByItself.get());
            return EXIT_COMMAND_CONSUMER_STOPPED;
        }
        return 0;
    }

    /** {@code file} (or none) with the {@code BRIDGE_*} variables over it, as {@code run} and {@code config} read it. */
    static LoadedConfig load(Path file) throws ConfigException {
        ConfigLoader loader = ConfigLoader.fromSystemEnvironment();
        return file == null ? loader.loadWithoutFile() : loader.load(file);
    }

    /** Every setting at its default: what the start-up screen leaves out. */
    static Map<String, String> defaults() {
        try {
            return new ConfigLoader(Map.of()).loadWithoutFile().settings();
        } catch (ConfigException e) {
            throw new IllegalStateException("the defaults do not load: " + e.getMessage(), e);
        }
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
