package io.twsbridge.client;

import io.twsbridge.schema.Instrument;
import io.twsbridge.schema.SubscribeQuotes;
import java.util.Objects;

/** Start streaming quotes of an instrument to the quotes topic. */
public record SubscribeQuotesCommand(Envelope envelope, Instrument instrument)
        implements BridgeCommand<SubscribeQuotesCommand> {

    public SubscribeQuotesCommand {
        Objects.requireNonNull(envelope, "envelope");
        instrument = Commands.copy(instrument);
    }

    /** A copy: Avro records are mutable. */
    @Override
    public Instrument instrument() {
        return Commands.copy(instrument);
    }

    @Override
    public SubscribeQuotesCommand withEnvelope(Envelope e) {
        return new SubscribeQuotesCommand(e, instrument);
    }

    @Override
    public SubscribeQuotes payload() {
        return SubscribeQuotes.newBuilder().setInstrument(instrument()).build();
    }
}
