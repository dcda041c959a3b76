package io.twsbridge.bridge.cli;

import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.bridge.kafka.topics.TopicProvisioner;
import io.twsbridge.schema.catalogue.CleanupPolicy;
import io.twsbridge.schema.catalogue.Topic;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code bridge topics}: creates the bridge's topics that are missing and reports those that differ. */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Create the bridge's topics where missing; report existing ones whose settings differ.")
public final class TopicsCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--partitions", description = "Partitions of created topics (default: ${DEFAULT-VALUE}).")
    int partitions = 3;

    @Option(names = "--replication-factor", description = "Replication factor of created topics (default: ${DEFAULT-VALUE}).")
    short replicationFactor = 1;

    @Override
    public Integer call() throws Exception {
        KafkaSettings.Builder b = KafkaSettings.builder().bootstrapServers(kafka.bootstrapServers).partitions(partitions)
                .replicationFactor(replicationFactor).subscriptionsTopic(kafka.topic("ib.subscriptions"));
        for (Topic t : Topic.values()) {
            b.topicName(t, kafka.topic(t.defaultName()));
        }
        List<TopicProvisioner.Wanted> wanted = new ArrayList<>(TopicProvisioner.wanted(b.build()));
        wanted.add(new TopicProvisioner.Wanted(kafka.topic("ib.order-journal"), 1, replicationFactor, CleanupPolicy.COMPACT));
        System.out.println("checking " + wanted.size() + " topics on " + kafka.bootstrapServers + " ...");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers))) {
            List<String> warnings = new TopicProvisioner(admin, Duration.ofSeconds(30)).ensure(wanted);
            wanted.forEach(w -> System.out.println("  " + w.name() + " (" + w.cleanupPolicy().configValue() + ")"));
            warnings.forEach(w -> System.out.println("WARNING " + w));
            return warnings.isEmpty() ? 0 : 1;
        }
    }
}
