package io.twsbridge.client;

import io.twsbridge.schema.RequestPositions;
import java.util.Objects;

/**
 * Publish the positions of the command's account (of every managed account without one) to the positions topic;
 * COMPLETED once they are published.
 */
public record RequestPositionsCommand(Envelope envelope) implements BridgeCommand<RequestPositionsCommand> {

    public RequestPositionsCommand {
        Objects.requireNonNull(envelope, "envelope");
    }

    @Override
    public RequestPositionsCommand withEnvelope(Envelope e) {
        return new RequestPositionsCommand(e);
    }

    @Override
    public RequestPositions payload() {
        return RequestPositions.newBuilder().build();
    }
}
