package io.twsbridge.bridge.cli;

import picocli.CommandLine.Option;

/** Where Kafka and the schema registry are, for the client commands (send, replay, topics). */
final class KafkaOptions {

    @Option(names = "--bootstrap-server", description = "Kafka brokers (default: ${DEFAULT-VALUE}).")
    String bootstrapServers = "127.0.0.1:9092";

    @Option(names = "--registry-url", description = "Confluent-compatible schema registry (default: ${DEFAULT-VALUE}).")
    String registryUrl = "http://127.0.0.1:8081";

    @Option(names = "--topic-prefix", description = "Prefix of the bridge's topic names, if it uses one (default: none).")
    String topicPrefix = "";

    String topic(String defaultName) {
        return topicPrefix.isEmpty() ? defaultName : topicPrefix + "." + defaultName;
    }
}
