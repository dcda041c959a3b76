package io.twsbridge.bench;

/** Entry point: {@code BenchMain <name>}; results go to bench/results/. */
public final class BenchMain {

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        String name = args.length == 0 ? "connect-to-ready" : args[0];
        switch (name) {
            case "connect-to-ready" -> ConnectToReadyBenchmark.main(new String[0]);
            default -> {
                System.err.println("unknown benchmark '" + name + "'; known: connect-to-ready");
                System.exit(2);
            }
        }
    }
}
