package io.twsbridge.sim.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Reads Linux's socket table to see TCP states (CLOSE_WAIT for zombies) from the outside, as an operator would. */
public final class TcpStates {

    /** State code of CLOSE_WAIT in /proc/net/tcp. */
    public static final String CLOSE_WAIT = "08";
    public static final String ESTABLISHED = "01";

    private TcpStates() {
    }

    public static boolean available() {
        return Files.isReadable(Path.of("/proc/net/tcp"));
    }

    /** Sockets whose local port is {@code localPort} and remote port {@code remotePort}, in {@code state}. */
    public static long count(int localPort, int remotePort, String state) throws IOException {
        long n = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path p = Path.of(table);
            if (!Files.isReadable(p)) {
                continue;
            }
            List<String> lines = Files.readAllLines(p);
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                int local = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
                int remote = Integer.parseInt(f[2].substring(f[2].indexOf(':') + 1), 16);
                if (local == localPort && (remotePort < 0 || remote == remotePort)
                        && f[3].toUpperCase(Locale.ROOT).equals(state)) {
                    n++;
                }
            }
        }
        return n;
    }
}
