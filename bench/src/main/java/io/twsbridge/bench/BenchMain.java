package io.twsbridge.bench;

import io.twsbridge.bench.jmh.JmhMain;
import java.util.List;

/** Entry point: {@code BenchMain <name>}; results go to bench/results/. */
public final class BenchMain {

    private static final String CODEC = "io\\.twsbridge\\.bench\\.jmh\\.CodecBenchmark\\.";
    private static final String SERDE = "io\\.twsbridge\\.bench\\.jmh\\.SerdeBenchmark\\.";

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        String name = args.length == 0 ? "connect-to-ready" : args[0];
        switch (name) {
            case "connect-to-ready" -> {
                io.twsbridge.bench.support.BenchMode mode = io.twsbridge.bench.support.BenchMode.fromSystemProperties();
                io.twsbridge.bench.support.Report report = ConnectToReadyBenchmark.run(mode);
                System.out.println(report.markdown());
                report.write(mode.results());
            }
            case "suite" -> BenchSuite.main(new String[0]);
            case "jmh" -> JmhMain.run(name, List.of(CODEC, SERDE));
            case "jmh-codec" -> JmhMain.run(name, List.of(CODEC));
            case "jmh-serde" -> JmhMain.run(name, List.of(SERDE));
            default -> {
                System.err.println("unknown benchmark '" + name + "'; known: connect-to-ready, jmh, jmh-codec, jmh-serde");
                System.exit(2);
            }
        }
    }
}
