package io.twsbridge.client;

import io.twsbridge.schema.Instrument;
import io.twsbridge.schema.UnsubscribeQuotes;
import java.util.Objects;

/** Stop streaming quotes of an instrument, described as when subscribed or by conId. */
public record UnsubscribeQuotesCommand(Envelope envelope, Instrument instrument)
        implements BridgeCommand<UnsubscribeQuotesCommand> {

    public UnsubscribeQuotesCommand {
        Objects.requireNonNull(envelope, "envelope");
        instrument = Commands.copy(instrument);
    }

    /** A copy: Avro records are mutable. */
    @Override
    public Instrument instrument() {
        return Commands.copy(instrument);
    }

    @Override
    public UnsubscribeQuotesCommand withEnvelope(Envelope e) {
        return new UnsubscribeQuotesCommand(e, instrument);
    }

    @Override
    public UnsubscribeQuotes payload() {
        return UnsubscribeQuotes.newBuilder().setInstrument(instrument()).build();
    }
}
