package io.twsbridge.bridge.status;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;

/**
 * Which process publishes a status: its host, its process id there and when it started. Each status record carries
 * it, so that an operator (and a second bridge started with the same bridge id) can tell which instance runs.
 *
 * @param host      the host name; "unknown" when the host cannot name itself
 * @param pid       the operating system's process id
 * @param startedAt when the process started
 */
public record ProcessIdentity(String host, long pid, Instant startedAt) {

    private static final ProcessIdentity CURRENT = read();

    /** This process, read once. */
    public static ProcessIdentity current() {
        return CURRENT;
    }

    private static ProcessIdentity read() {
        ProcessHandle self = ProcessHandle.current();
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            // A container without its own name in /etc/hosts: the environment usually still knows it.
            String fromEnvironment = System.getenv("HOSTNAME");
            host = fromEnvironment == null || fromEnvironment.isBlank() ? "unknown" : fromEnvironment;
        }
        return new ProcessIdentity(host, self.pid(), self.info().startInstant().orElseGet(Instant::now));
    }

    /** "pid 4711 on host-a, started 2026-12-07T08:00:00Z". */
    public String describe() {
        return "pid " + pid + " on " + host + ", started " + startedAt;
    }
}
