package io.twsbridge.embedded;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** SASL on the client listener is a matter of extra broker and client properties. */
class EmbeddedKafkaSaslIT {

    private static final String PLAIN = "org.apache.kafka.common.security.plain.PlainLoginModule required";

    @Test
    void saslPlainListenerAcceptsTheRightCredentialsAndRefusesWrongOnes() throws Exception {
        EmbeddedKafkaConfig config = EmbeddedKafkaConfig.builder()
                .brokerProperty("listener.security.protocol.map", "CLIENT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT")
                .brokerProperty("sasl.enabled.mechanisms", "PLAIN")
                .brokerProperty("sasl.mechanism.inter.broker.protocol", "PLAIN")
                .brokerProperty("listener.name.client.plain.sasl.jaas.config", PLAIN
                        + " username=\"broker\" password=\"broker-secret\""
                        + " user_broker=\"broker-secret\" user_bridge=\"bridge-secret\";")
                .clientProperty("security.protocol", "SASL_PLAINTEXT")
                .clientProperty("sasl.mechanism", "PLAIN")
                .clientProperty("sasl.jaas.config", PLAIN + " username=\"bridge\" password=\"bridge-secret\";")
                .build();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(config)) {
            kafka.awaitReady(Duration.ofSeconds(30));
            KafkaTestClients.createTopic(kafka, "secured", 1);
            try (KafkaProducer<String, String> producer = KafkaTestClients.producer(kafka, Duration.ofSeconds(10))) {
                assertThat(producer.send(new ProducerRecord<>("secured", "v")).get(10, TimeUnit.SECONDS).offset())
                        .isZero();
            }

            Map<String, Object> wrong = kafka.clientConfig();
            wrong.put("sasl.jaas.config", PLAIN + " username=\"bridge\" password=\"wrong\";");
            try (Admin admin = Admin.create(wrong)) {
                Throwable refused = catchThrowable(() -> admin.listTopics().names().get(10, TimeUnit.SECONDS));
                assertThat(refused).isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOf(SaslAuthenticationException.class);
            }
        }
    }
}
