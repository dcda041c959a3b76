package io.twsbridge.bridge.gateway.zombie;

import java.util.Locale;

/**
 * Counts "zombie" sockets: TCP connections involving the Gateway's API port that sit in CLOSE_WAIT, i.e. the
 * peer closed and this side never did. Zombies on the Gateway's side block its new handshakes until Gateway is
 * restarted (with a 2FA login), so the bridge makes no connection attempt while any exist.
 */
public interface ZombieProbe {

    /** What a probe found. {@code available} is false when this host cannot be inspected. */
    record Result(int count, boolean available, String detail) {
        public static Result unavailable(String why) {
            return new Result(0, false, why);
        }
    }

    /** Counts CLOSE_WAIT sockets with {@code port} as their local or remote port. Never throws. */
    Result count(int port);

    /** The probe for this operating system: /proc on Linux, lsof on macOS, none elsewhere. */
    static ZombieProbe forThisHost() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.contains("linux")) {
            return new ProcNetTcpProbe();
        }
        if (os.contains("mac")) {
            return new LsofProbe();
        }
        return port -> Result.unavailable("no zombie probe for " + os);
    }

    /** A probe that never looks (a Gateway on another host, where a handshake stall is the only symptom). */
    static ZombieProbe disabled() {
        return port -> Result.unavailable("zombie probe disabled");
    }
}
