package io.twsbridge.bench;

import io.twsbridge.bench.jmh.JmhMain;
import io.twsbridge.bench.support.BenchMode;

import java.util.List;

/**
 * Entry point: {@code BenchMain <name>}. {@code suite} runs the benchmarks named by {@code -Dbench.only} (all when
 * empty) and writes the summary; any benchmark of the suite runs alone by its name; {@code jmh-codec} and
 * {@code jmh-serde} run half of the JMH set. Results go to {@code -Dbench.results} (default bench/results/).
 */
public final class BenchMain {

    private static final String CODEC = "io\\.twsbridge\\.bench\\.jmh\\.CodecBenchmark\\.";
    private static final String SERDE = "io\\.twsbridge\\.bench\\.jmh\\.SerdeBenchmark\\.";

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        String name = args.length == 0 ? "suite" : args[0];
        switch (name) {
            case "suite" -> BenchSuite.main(new String[0]);
            case "jmh-codec" -> JmhMain.run(name, List.of(CODEC));
            case "jmh-serde" -> JmhMain.run(name, List.of(SERDE));
            default -> {
                if (!BenchSuite.BENCHMARKS.containsKey(name)) {
                    System.err.println("unknown benchmark '" + name + "'; known: suite, jmh-codec, jmh-serde, "
                            + String.join(", ", BenchSuite.BENCHMARKS.keySet()));
                    System.exit(2);
                }
                BenchSuite.Outcome outcome = BenchSuite.runOne(name, BenchMode.fromSystemProperties());
                if (!outcome.failures().isEmpty()) {
                    System.exit(1);
                }
            }
        }
    }
}
