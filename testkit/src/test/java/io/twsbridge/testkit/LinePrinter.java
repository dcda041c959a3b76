package io.twsbridge.testkit;

import java.util.concurrent.CountDownLatch;

/**
 * A stand-in for a bridge: prints each argument as a line ({@code env:NAME} prints that variable), then exits with
 * the code given as {@code exit:N}, or runs until a signal ends it.
 */
public final class LinePrinter {

    private LinePrinter() {
    }

    public static void main(String[] args) throws InterruptedException {
        for (String arg : args) {
            if (arg.startsWith("exit:")) {
                System.out.flush();
                Runtime.getRuntime().halt(Integer.parseInt(arg.substring(5)));
            }
            System.out.println(arg.startsWith("env:") ? arg + "=" + System.getenv(arg.substring(4)) : arg);
        }
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
