package io.twsbridge.bridge.gateway.zombie;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Linux: reads {@code /proc/net/tcp} and {@code /proc/net/tcp6} of this network namespace. A socket counts when
 * its state is CLOSE_WAIT (08) and its local port (the Gateway's side, when Gateway runs here) or remote port
 * (the bridge's own side) is the Gateway's port.
 */
public final class ProcNetTcpProbe implements ZombieProbe {

    private static final String CLOSE_WAIT = "08";
    private final List<Path> tables;

    public ProcNetTcpProbe() {
        this(List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6")));
    }

    /** A probe over other socket tables (tests feed recorded ones). */
    public ProcNetTcpProbe(List<Path> tables) {
        this.tables = List.copyOf(tables);
    }

    @Override
    public Result count(int port) {
        int count = 0;
        int read = 0;
        for (Path table : tables) {
            if (!Files.isReadable(table)) {
                continue;
            }
            try {
                List<String> lines = Files.readAllLines(table);
                read++;
                for (int i = 1; i < lines.size(); i++) {
                    count += isZombie(lines.get(i), port) ? 1 : 0;
                }
            } catch (IOException | RuntimeException e) {
                return Result.unavailable("cannot read " + table + ": " + e.getMessage());
            }
        }
        if (read == 0) {
            return Result.unavailable("no readable socket table among " + tables);
        }
        return new Result(count, true, count + " socket(s) in CLOSE_WAIT on port " + port);
    }

    /** One table line: {@code sl local_address rem_address st ...}, addresses as {@code HEXIP:HEXPORT}. */
    static boolean isZombie(String line, int port) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 4 || !f[3].equals(CLOSE_WAIT)) {
            return false;
        }
        return portOf(f[1]) == port || portOf(f[2]) == port;
    }

    private static int portOf(String address) {
        int colon = address.lastIndexOf(':');
        return colon < 0 ? -1 : Integer.parseInt(address.substring(colon + 1), 16);
    }
}
