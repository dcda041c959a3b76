package io.twsbridge.protocol.codec;

import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.protocol.wire.Frames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Every message, at every supported server version, encodes and decodes to an equal record. */
class RoundTripTest {

    static java.util.stream.IntStream versions() {
        return SampleMessages.supportedVersions();
    }

    @ParameterizedTest(name = "server messages at sv {0}")
    @MethodSource("versions")
    void serverMessagesSurviveARoundTrip(int sv) throws IOException {
        ServerMessageCodec codec = new ServerMessageCodec(sv);
        for (ServerMessage message : SampleMessages.serverMessages(sv)) {
            byte[] frame = codec.encode(message);
            byte[] payload = Frames.readFrame(new ByteArrayInputStream(frame));
            assertThat(codec.decode(payload)).as("%s at sv %d", message.getClass().getSimpleName(), sv)
                    .isEqualTo(message);
        }
    }

    @ParameterizedTest(name = "client messages at sv {0}")
    @MethodSource("versions")
    void clientMessagesSurviveARoundTrip(int sv) throws IOException {
        ClientMessageCodec codec = new ClientMessageCodec(sv);
        for (ClientMessage message : SampleMessages.clientMessages(sv)) {
            byte[] frame = codec.encode(message);
            byte[] payload = Frames.readFrame(new ByteArrayInputStream(frame));
            assertThat(codec.decode(payload)).as("%s at sv %d", message.getClass().getSimpleName(), sv)
                    .isEqualTo(message);
        }
    }

    @Test
    void samplesCoverEveryMessageType() {
        assertThat(classesOf(SampleMessages.serverMessages(176).stream().map(Object::getClass)))
                .isEqualTo(permitted(ServerMessage.class));
        assertThat(classesOf(SampleMessages.clientMessages(176).stream().map(Object::getClass)))
                .isEqualTo(permitted(ClientMessage.class));
    }

    private static Set<String> permitted(Class<?> sealed) {
        return classesOf(Arrays.stream(sealed.getPermittedSubclasses()));
    }

    private static Set<String> classesOf(java.util.stream.Stream<? extends Class<?>> classes) {
        return classes.map(Class::getSimpleName).collect(Collectors.toCollection(java.util.TreeSet::new));
    }
}
