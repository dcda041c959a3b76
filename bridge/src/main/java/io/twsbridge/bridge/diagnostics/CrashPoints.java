package io.twsbridge.bridge.diagnostics;

import java.util.concurrent.CountDownLatch;

/**
 * Named points on the order path where the crash tests kill the bridge. Inert unless the environment variable
 * {@code BRIDGE_CRASH_AT} names the point: then the bridge prints {@code CRASH-POINT <name>} and stops there
 * for good, so a test can SIGKILL it at exactly that moment. Production never sets the variable.
 */
public final class CrashPoints {

    public static final String AFTER_CONSUME = "after-consume";
    public static final String AFTER_JOURNAL = "after-journal";
    public static final String AFTER_PLACE_ORDER = "after-place-order";
    public static final String AFTER_ACK = "after-ack";
    public static final String AFTER_RESULT = "after-result";

    private static final String ARMED = System.getenv("BRIDGE_CRASH_AT");

    private CrashPoints() {
    }

    public static void reach(String point) {
        if (ARMED != null && ARMED.equals(point)) {
            System.out.println("CRASH-POINT " + point);
            System.out.flush();
            try {
                new CountDownLatch(1).await(); // wait here until the test's SIGKILL
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
