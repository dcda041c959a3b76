package io.twsbridge.bridge.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;

/**
 * {@code bridge demo}: the embedded default (in-process Kafka, the schema registry, the simulated Gateway). The
 * embedded stack lives in the demo distribution, not in the production jar: this command runs it when it is on
 * the classpath ({@code demo/target/bridge-demo.jar}) and says where to find it otherwise.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the bridge end to end on an embedded Kafka, schema registry and simulated Gateway.")
public final class DemoCommand implements Callable<Integer> {

    static final String DEMO_MAIN = "io.twsbridge.demo.Demo";

    @Option(names = "--duration", description = "Seconds to run; 0 runs until Ctrl-C (default: ${DEFAULT-VALUE}).")
    long durationSeconds;

    @Option(names = "--log-file", description = "Where the framework logs go (Kafka, the simulator, the bridge), so "
            + "that they do not interleave with the live view (default: tws-kafka-bridge-demo-<time>.log in the "
            + "temporary directory).")
    Path logFile;

    @Override
    public Integer call() throws Exception {
        Class<?> demo;
        try {
            demo = Class.forName(DEMO_MAIN);
        } catch (ClassNotFoundException e) {
            System.err.println("the demo's embedded stack is not in this jar; run it with:\n"
                    + "  java -jar demo/target/bridge-demo.jar demo --duration 60");
            return 2;
        }
        Path file = logFile != null ? logFile : Path.of(System.getProperty("java.io.tmpdir"), "tws-kafka-bridge-demo-"
                + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now()) + ".log");
        Method run = demo.getMethod("run", long.class, Path.class);
        return (Integer) run.invoke(null, durationSeconds, file);
    }
}
