package io.twsbridge.bridge.cli;

import io.twsbridge.bridge.app.config.ConfigException;
import io.twsbridge.bridge.app.config.ConfigLoader;
import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.bridge.kafka.topics.TopicProvisioner;
import io.twsbridge.schema.catalogue.CleanupPolicy;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code bridge topics}: creates the bridge's topics that are missing and reports those that differ. */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Create the bridge's topics where missing; report existing ones whose settings differ.")
public final class TopicsCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--partitions", description = "Partitions of created topics (default: topics.partitions, 3).")
    Integer partitions;

    @Option(names = "--replication-factor",
            description = "Replication factor of created topics (default: topics.replication-factor, 1).")
    Short replicationFactor;

    @Override
    public Integer call() throws Exception {
        Map<String, String> env = new HashMap<>(System.getenv());
        if (partitions != null) {
            env.put(ConfigLoader.envName("topics.partitions"), partitions.toString());
        }
        if (replicationFactor != null) {
            env.put(ConfigLoader.envName("topics.replication-factor"), replicationFactor.toString());
        }
        KafkaOptions.Connection connection;
        try {
            connection = kafka.resolve(env);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        KafkaSettings settings = connection.kafka();
        List<TopicProvisioner.Wanted> wanted = new ArrayList<>(TopicProvisioner.wanted(settings));
        // The order journal, as the bridge itself creates it: compacted, one partition.
        wanted.add(new TopicProvisioner.Wanted(connection.journalTopic(), 1, settings.replicationFactor(),
                CleanupPolicy.COMPACT));
        System.out.println("checking " + wanted.size() + " topics on " + settings.bootstrapServers() + " ...");
        try (Admin admin = Admin.create(connection.adminConfig())) {
            List<String> warnings = new TopicProvisioner(admin, Duration.ofSeconds(30)).ensure(wanted);
            wanted.forEach(w -> System.out.println("  " + w.name() + " (" + w.cleanupPolicy().configValue() + ")"));
            warnings.forEach(w -> System.out.println("WARNING " + w));
            return warnings.isEmpty() ? 0 : 1;
        }
    }
}
