package io.twsbridge.bridge.gateway;

import io.twsbridge.embedded.ChildProcesses;
import io.twsbridge.sim.GatewaySimulator;
import io.twsbridge.sim.SimulatorConfig;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** SIGTERM makes a bridge process cancel its subscriptions and close its side, leaving nothing half-open. */
class SigtermIT {

    @Test
    void sigtermClosesTheLinkCleanly() throws Exception {
        try (GatewaySimulator sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1)
                .zombieOnDisconnect(true).build())) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process bridge = ChildProcesses.adopt(new ProcessBuilder(List.of(java, "-cp",
                    System.getProperty("java.class.path"), ShutdownHookMain.class.getName(),
                    String.valueOf(sim.apiPort()))).redirectErrorStream(true).start());
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(bridge.getInputStream(), StandardCharsets.UTF_8));
                String line;
                while ((line = out.readLine()) != null && !line.equals("READY")) {
                    // the bridge's log, until it reports READY
                }
                assertThat(line).isEqualTo("READY");
                await().atMost(Duration.ofSeconds(5)).until(() -> sim.state().subscriptions().size() == 1);

                bridge.destroy(); // SIGTERM

                assertThat(bridge.waitFor(15, TimeUnit.SECONDS)).as("the bridge exits on SIGTERM").isTrue();
                // The cancel arrived before the close: had the bridge just vanished, the simulator (which keeps
                // zombies here) would still list the subscription on a zombie connection.
                assertThat(sim.state().subscriptions()).isEmpty();
                // ...and our FIN reached it: this simulator keeps its side of a departed client open, as a zombie.
                await().atMost(Duration.ofSeconds(5)).until(() -> sim.state().zombieCount() == 1);
            } finally {
                bridge.destroyForcibly();
            }
        }
    }
}
