package io.twsbridge.bridge.app;

import io.twsbridge.bridge.cli.BridgeCommand;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@code java -jar bridge.jar ARGS} in this JVM, as an operator runs it, with what it printed captured.
 *
 * @param exit the process's exit code
 * @param out  what it wrote to standard output
 * @param err  what it wrote to standard error
 */
record CliRun(int exit, String out, String err) {

    /** Serialized: System.out and System.err are the JVM's, one capture at a time. */
    static synchronized CliRun of(List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit = new CommandLine(new BridgeCommand()).execute(args.toArray(String[]::new));
            return new CliRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
    }
}
