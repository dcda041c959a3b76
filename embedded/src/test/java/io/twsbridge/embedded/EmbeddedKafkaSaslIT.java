package io.twsbridge.embedded;

import java.time.Duration;
import java.util.List;
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

/** SASL on the client listener: PLAIN with extra properties, SCRAM with users written at format time. */
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
            try (KafkaProducer<String, String> producer = KafkaTestClients.producer(kafka, Duration.ofSeconds(10),
                    List.of("secured"))) {
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

    @Test
    void scramListenerKnowsItsUsersFromTheFirstStartAndRefusesAWrongPassword() throws Exception {
        String scram = "org.apache.kafka.common.security.scram.ScramLoginModule required";
        EmbeddedKafkaConfig config = EmbeddedKafkaConfig.builder()
                .scramListener("SCRAM-SHA-512", "broker", "broker-secret")
                .scramCredential("SCRAM-SHA-512", "app", "app-secret")
                .build();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(config)) {
            // The probe logs in as the broker's own user.
            kafka.awaitReady(Duration.ofSeconds(30));
            KafkaTestClients.createTopic(kafka, "scram-secured", 1);
            Map<String, Object> app = kafka.clientConfig();
            app.put("sasl.jaas.config", scram + " username=\"app\" password=\"app-secret\";");
            try (Admin admin = Admin.create(app)) {
                assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).contains("scram-secured");
            }

            Map<String, Object> wrong = kafka.clientConfig();
            wrong.put("sasl.jaas.config", scram + " username=\"app\" password=\"wrong-secret\";");
            try (Admin admin = Admin.create(wrong)) {
                Throwable refused = catchThrowable(() -> admin.listTopics().names().get(10, TimeUnit.SECONDS));
                assertThat(refused).isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOf(SaslAuthenticationException.class)
                        .hasMessageContaining("SCRAM-SHA-512");
            }
        }
    }
}
