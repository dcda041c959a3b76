package io.twsbridge.console;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.MessageFormatter;
import org.apache.kafka.common.config.ConfigException;

import java.io.PrintStream;
import java.util.Map;

/**
 * For Kafka's own console consumer: prints each record of a topic in the Confluent wire format as one JSON line,
 * through a Confluent-compatible schema registry, as {@code bridge replay} does (see {@link RecordJson}).
 *
 * <pre>
 * CLASSPATH=console-formatter.jar kafka-console-consumer.sh --bootstrap-server localhost:9092 \
 *     --topic ib.fills --from-beginning \
 *     --formatter io.twsbridge.console.AvroJsonFormatter \
 *     --formatter-property registry.url=http://localhost:8081
 * </pre>
 *
 * Properties: {@code registry.url} (required) and {@code basic.auth.user.info} ({@code user:password}, if the
 * registry wants it).
 */
public final class AvroJsonFormatter implements MessageFormatter {

    static final String REGISTRY_URL = "registry.url";
    static final String USER_INFO = "basic.auth.user.info";

    private RecordJson lines;

    @Override
    public void configure(Map<String, ?> configs) {
        Object url = configs.get(REGISTRY_URL);
        if (url == null || url.toString().isBlank()) {
            throw new ConfigException("AvroJsonFormatter needs the schema registry's address: --formatter-property "
                    + REGISTRY_URL + "=http://host:8081");
        }
        Object userInfo = configs.get(USER_INFO);
        lines = new RecordJson(new RegistrySchemas(url.toString(), userInfo == null ? null : userInfo.toString()));
    }

    @Override
    public void writeTo(ConsumerRecord<byte[], byte[]> consumerRecord, PrintStream output) {
        if (lines == null) {
            throw new IllegalStateException("AvroJsonFormatter was not configured (" + REGISTRY_URL + " missing)");
        }
        output.println(lines.line(consumerRecord));
    }
}
