package io.twsbridge.bridge.app;

import io.twsbridge.bridge.kafka.registry.IncompatibleSchemaException;
import io.twsbridge.bridge.kafka.topics.TopicProvisioner;
import io.twsbridge.client.registry.SchemaRegistryClient;
import io.twsbridge.schema.Fill;
import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.sim.GatewaySimulator;
import io.twsbridge.sim.SimulatorConfig;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Start-up refuses an incompatible schema, creates missing topics, and leaves differing ones alone with a warning. */
class StartupChecksIT extends WithKafkaStack {


    @Test
    void anIncompatibleSchemaAlreadyInTheRegistryStopsStartUpNamingTheSubject() throws Exception {
        try (GatewaySimulator sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1).build());
             BridgeUnderTest bridge = new BridgeUnderTest(stack, sim, "incompat", k -> k, g -> g)) {
            // Someone registered a Fill whose execId is a number: today's Fill cannot read such data.
            String subject = bridge.topic(Topic.FILLS) + "-value";
            Schema old = new Schema.Parser().parse(Fill.getClassSchema().toString()
                    .replaceFirst("\\{\"name\":\"execId\",\"type\":\\{\"type\":\"string\",\"avro.java.string\":\"String\"\\}",
                            "{\"name\":\"execId\",\"type\":\"long\""));
            assertThat(old.getField("execId").schema().getType()).isEqualTo(Schema.Type.LONG);
            new SchemaRegistryClient(bridge.config.registry()).register(subject, old);

            assertThatThrownBy(bridge::start).isInstanceOf(IncompatibleSchemaException.class)
                    .hasMessageContaining(subject);
        }
    }

    @Test
    void missingTopicsAreCreatedAndDifferingOnesOnlyWarned() throws Exception {
        try (Admin admin = Admin.create(stack.kafka().clientConfig())) {
            String differing = "prov.ib.orders";
            admin.createTopics(List.of(new NewTopic(differing, 1, (short) 1)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, "delete")))).all().get();
            io.twsbridge.bridge.kafka.KafkaSettings.Builder b = io.twsbridge.bridge.kafka.KafkaSettings.builder()
                    .bootstrapServers(stack.kafka().bootstrapServers()).partitions(2).subscriptionsTopic("prov.ib.subscriptions");
            for (Topic t : Topic.values()) {
                b.topicName(t, "prov." + t.defaultName());
            }
            TopicProvisioner provisioner = new TopicProvisioner(admin, Duration.ofSeconds(30));

            List<String> warnings = provisioner.ensure(TopicProvisioner.wanted(b.build()));

            assertThat(warnings).singleElement().asString().contains(differing).contains("partitions 1 (wanted 2)")
                    .contains("cleanup.policy delete (wanted compact)");
            assertThat(admin.listTopics().names().get()).contains("prov.ib.fills", "prov.ib.quotes", "prov.ib.subscriptions");
            // Left unchanged: still one partition, still delete.
            assertThat(admin.describeTopics(List.of(differing)).allTopicNames().get().get(differing).partitions()).hasSize(1);
            assertThat(provisioner.ensure(TopicProvisioner.wanted(b.build()))).as("idempotent").hasSize(1);
        }
    }
}
