package io.twsbridge.bridge.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.reflect.Method;
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
        Method run = demo.getMethod("run", long.class);
        return (Integer) run.invoke(null, durationSeconds);
    }
}
