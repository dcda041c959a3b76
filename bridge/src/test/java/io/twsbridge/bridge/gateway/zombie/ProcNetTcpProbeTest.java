package io.twsbridge.bridge.gateway.zombie;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Counting zombies from recorded /proc/net/tcp tables (port 4002 is 0FA2). */
class ProcNetTcpProbeTest {

    private static final String HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";

    @Test
    void countsCloseWaitOnEitherSideOfTheGatewayPort(@TempDir Path dir) throws Exception {
        Path tcp = dir.resolve("tcp");
        Files.write(tcp, List.of(HEADER,
                "   0: 0100007F:0FA2 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1",  // LISTEN
                "   1: 0100007F:0FA2 0100007F:D431 08 00000000:00000000 00:00000000 00000000     0        0 2 1",  // Gateway side CLOSE_WAIT
                "   2: 0100007F:D432 0100007F:0FA2 08 00000000:00000000 00:00000000 00000000     0        0 3 1",  // our side CLOSE_WAIT
                "   3: 0100007F:0FA2 0100007F:D433 01 00000000:00000000 00:00000000 00000000     0        0 4 1",  // ESTABLISHED
                "   4: 0100007F:1F90 0100007F:D434 08 00000000:00000000 00:00000000 00000000     0        0 5 1")); // other port
        ZombieProbe.Result result = new ProcNetTcpProbe(List.of(tcp, dir.resolve("tcp6-missing"))).count(4002);
        assertThat(result.available()).isTrue();
        assertThat(result.count()).isEqualTo(2);
    }

    @Test
    void noReadableTableMeansUnavailableNotZero(@TempDir Path dir) {
        ZombieProbe.Result result = new ProcNetTcpProbe(List.of(dir.resolve("nope"))).count(4002);
        assertThat(result.available()).isFalse();
    }
}
