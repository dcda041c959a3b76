package io.twsbridge.bridge.kafka.topics;

import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.schema.catalogue.CleanupPolicy;
import io.twsbridge.schema.catalogue.Topic;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Creates the bridge's topics when they are missing, with the configured partitions, replication factor and
 * each topic's cleanup policy from the catalogue. A topic that exists with other settings is never altered: the
 * difference is logged as a warning and returned, because silently changing a shared topic is an operator's
 * decision, not the bridge's.
 */
public final class TopicProvisioner {

    private static final Logger log = LoggerFactory.getLogger(TopicProvisioner.class);

    /** One topic the bridge wants, with its settings. */
    public record Wanted(String name, int partitions, short replicationFactor, CleanupPolicy cleanupPolicy) {
    }

    private final Admin admin;
    private final Duration timeout;

    public TopicProvisioner(Admin admin, Duration timeout) {
        this.admin = admin;
        this.timeout = timeout;
    }

    /** Every topic of the catalogue plus the subscriptions topic, as configured. */
    public static List<Wanted> wanted(KafkaSettings settings) {
        List<Wanted> wanted = new ArrayList<>();
        for (Topic t : Topic.values()) {
            // The command log keeps its partitioning by account: more partitions would reorder nothing, fewer
            // would serialise accounts; the configured count applies to every topic alike.
            wanted.add(new Wanted(settings.topic(t), settings.partitions(), settings.replicationFactor(), t.cleanupPolicy()));
        }
        wanted.add(new Wanted(settings.subscriptionsTopic(), 1, settings.replicationFactor(), CleanupPolicy.COMPACT));
        return wanted;
    }

    /**
     * Creates what is missing and checks what exists.
     *
     * @return warnings about existing topics whose settings differ (empty when all match)
     */
    public List<String> ensure(List<Wanted> wanted) throws InterruptedException {
        try {
            Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (Wanted w : wanted) {
                if (!existing.contains(w.name())) {
                    missing.add(new NewTopic(w.name(), w.partitions(), w.replicationFactor())
                            .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, w.cleanupPolicy().configValue())));
                }
            }
            if (!missing.isEmpty()) {
                List<String> created = new ArrayList<>();
                for (Map.Entry<String, KafkaFuture<Void>> e : admin.createTopics(missing)
                        .values().entrySet()) {
                    try {
                        e.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                        created.add(e.getKey());
                    } catch (ExecutionException ex) {
                        if (!(ex.getCause() instanceof TopicExistsException)) {
                            throw ex; // someone else created it meanwhile: fine; anything else is not
                        }
                    }
                }
                if (!created.isEmpty()) {
                    log.info("created {} topic(s): {}", created.size(), String.join(", ", created.stream().sorted()
                            .toList()));
                }
            }
            return checkWhenVisible(wanted);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create or check the bridge's topics: " + e.getMessage(), e);
        }
    }

    /**
     * A topic just created may not be describable yet: the broker answers UnknownTopicOrPartition until its
     * metadata has spread. Ask again, briefly, until the timeout.
     */
    private List<String> checkWhenVisible(List<Wanted> wanted)
            throws ExecutionException, InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return check(wanted);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
                        || System.nanoTime() > deadline) {
                    throw e;
                }
                TimeUnit.MILLISECONDS.sleep(100); // metadata of a new topic is on its way
            }
        }
    }

    private List<String> check(List<Wanted> wanted) throws ExecutionException, InterruptedException, TimeoutException {
        List<String> names = wanted.stream().map(Wanted::name).toList();
        Map<String, TopicDescription> descriptions = admin.describeTopics(names).allTopicNames()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Map<ConfigResource, Config> configs = admin.describeConfigs(names.stream()
                        .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList()).all()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Map<String, String> warnings = new LinkedHashMap<>();
        for (Wanted w : wanted) {
            TopicDescription d = descriptions.get(w.name());
            List<String> differences = new ArrayList<>();
            if (d.partitions().size() != w.partitions()) {
                differences.add("partitions " + d.partitions().size() + " (wanted " + w.partitions() + ")");
            }
            int replicas = d.partitions().get(0).replicas().size();
            if (replicas != w.replicationFactor()) {
                differences.add("replication factor " + replicas + " (wanted " + w.replicationFactor() + ")");
            }
            ConfigEntry cleanup = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, w.name()))
                    .get(TopicConfig.CLEANUP_POLICY_CONFIG);
            String policy = cleanup == null ? "delete" : cleanup.value();
            if (!policy.contains(w.cleanupPolicy().configValue())) {
                differences.add("cleanup.policy " + policy + " (wanted " + w.cleanupPolicy().configValue() + ")");
            }
            if (!differences.isEmpty()) {
                warnings.put(w.name(), "topic " + w.name() + " exists with other settings, left unchanged: "
                        + String.join(", ", differences));
            }
        }
        warnings.values().forEach(log::warn);
        return List.copyOf(warnings.values());
    }
}
