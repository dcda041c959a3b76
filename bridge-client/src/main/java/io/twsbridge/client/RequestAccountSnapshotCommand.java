package io.twsbridge.client;

import io.twsbridge.schema.RequestAccountSnapshot;
import java.util.Objects;

/**
 * Publish the account values of the command's account (of every managed account without one) to the accounts topic;
 * COMPLETED once they are published.
 */
public record RequestAccountSnapshotCommand(Envelope envelope) implements BridgeCommand<RequestAccountSnapshotCommand> {

    public RequestAccountSnapshotCommand {
        Objects.requireNonNull(envelope, "envelope");
    }

    @Override
    public RequestAccountSnapshotCommand withEnvelope(Envelope e) {
        return new RequestAccountSnapshotCommand(e);
    }

    @Override
    public RequestAccountSnapshot payload() {
        return RequestAccountSnapshot.newBuilder().build();
    }
}
