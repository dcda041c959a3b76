package io.twsbridge.protocol.codec;

import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.ServerMessage;

import java.util.List;

/** Opens {@link SampleMessages} to tests in other packages. */
public final class FuzzSamples {

    private FuzzSamples() {
    }

    public static List<ServerMessage> serverMessages(int sv) {
        return SampleMessages.serverMessages(sv);
    }

    public static List<ClientMessage> clientMessages(int sv) {
        return SampleMessages.clientMessages(sv);
    }
}
