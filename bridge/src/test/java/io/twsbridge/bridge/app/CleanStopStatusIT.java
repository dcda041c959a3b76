package io.twsbridge.bridge.app;

import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.sim.GatewaySimulator;
import io.twsbridge.sim.SimulatorConfig;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The status topic is compacted on the bridge's id, so what a consumer believes of a bridge is the last record
 * under that key. A bridge that stops cleanly must leave CLOSED there, not its last READY heartbeat.
 */
class CleanStopStatusIT extends WithKafkaStack {

    private static final int STOPS = 5;

    @Test
    void afterEachOfFiveCleanStopsTheLastStatusUnderTheBridgesKeyIsClosedWithItsReason() throws Exception {
        try (GatewaySimulator sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1)
                .build())) {
            for (int stop = 1; stop <= STOPS; stop++) {
                String key;
                BridgeUnderTest bridge = new BridgeUnderTest(stack, sim, "clean-stop", k -> k, g -> g).start();
                try {
                    bridge.awaitReady();
                    key = bridge.settings.bridgeId();
                    int before = underKey(bridge, key).size();
                    // A READY record of this run is on the topic: the stop has something to overwrite.
                    await().atMost(Duration.ofSeconds(20)).until(() -> {
                        List<GenericRecord> mine = underKey(bridge, key);
                        return mine.size() > before && "READY".equals(state(mine.get(mine.size() - 1)));
                    });
                } finally {
                    bridge.close();
                }

                List<GenericRecord> mine = underKey(bridge, key);
                GenericRecord last = mine.get(mine.size() - 1);
                assertThat(state(last)).as("stop %d of %d: the last status under %s", stop, STOPS, key)
                        .isEqualTo("CLOSED");
                assertThat(last.get("stateReason")).hasToString("the bridge shut down");
                await().atMost(Duration.ofSeconds(10)).until(() -> sim.state().connections().isEmpty());
            }
        }
    }

    /** The statuses published under {@code key}, decoded independently of the bridge, oldest first. */
    private static List<GenericRecord> underKey(BridgeUnderTest bridge, String key) {
        List<ConsumerRecord<byte[], byte[]>> all = bridge.read(bridge.topic(Topic.STATUS));
        return all.stream()
                .filter(r -> r.key() != null && key.equals(new String(r.key(), StandardCharsets.UTF_8)))
                .filter(r -> r.value() != null)
                .map(r -> PlainAvro.decode(stack.registry().confluentApiUrl(), r.value()))
                .toList();
    }

    private static String state(GenericRecord status) {
        return status.get("sessionState").toString();
    }
}
