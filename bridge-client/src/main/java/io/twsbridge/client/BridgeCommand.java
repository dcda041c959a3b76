package io.twsbridge.client;

import io.twsbridge.schema.Command;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * One command for the bridge, typed by what it does, immutable. Build one with {@link Commands}; every factory
 * there gives it a fresh random commandId, which {@link #withCommandId} replaces. The same value sent twice is the
 * same command sent twice (the bridge answers the second {@code DUPLICATE}); a command to be carried out again needs
 * a new id.
 *
 * @param <C> the command's own type, which the {@code with*} methods return
 */
public sealed interface BridgeCommand<C extends BridgeCommand<C>>
        permits SubscribeQuotesCommand, UnsubscribeQuotesCommand, RequestPositionsCommand,
                RequestAccountSnapshotCommand, RequestExecutionsCommand, PlaceOrderCommand, CancelOrderCommand,
                ModifyOrderCommand {

    /** commandId, account, deadline and sender. */
    Envelope envelope();

    /** This command with another envelope. */
    C withEnvelope(Envelope envelope);

    /** A new Avro payload record (one of the {@code Command.payload} union's), never shared with this value. */
    SpecificRecord payload();

    default String commandId() {
        return envelope().commandId();
    }

    /** The account the command acts on, or null. */
    default String account() {
        return envelope().account();
    }

    /** The record key on the commands topic: the account, or {@code _default}. */
    default String key() {
        return envelope().key();
    }

    default C withCommandId(String commandId) {
        return withEnvelope(envelope().withCommandId(commandId));
    }

    default C withAccount(String account) {
        return withEnvelope(envelope().withAccount(account));
    }

    /** Answered {@code EXPIRED} instead of carried out when the bridge reads it after {@code at}. */
    default C withExpiresAt(Instant at) {
        return withEnvelope(envelope().withExpiresAt(at));
    }

    /** {@link #withExpiresAt} {@code now + ttl}. */
    default C withExpiresIn(Instant now, Duration ttl) {
        return withExpiresAt(Objects.requireNonNull(now, "now").plus(Objects.requireNonNull(ttl, "ttl")));
    }

    default C withIssuedBy(String issuedBy) {
        return withEnvelope(envelope().withIssuedBy(issuedBy));
    }

    /** The Avro record sent on the commands topic, issued at {@code issuedAt}. */
    default Command toCommand(Instant issuedAt) {
        Envelope e = envelope();
        return Command.newBuilder()
                .setCommandId(e.commandId())
                .setIssuedAt(Objects.requireNonNull(issuedAt, "issuedAt"))
                .setExpiresAt(e.expiresAt())
                .setAccount(e.account())
                .setIssuedBy(e.issuedBy())
                .setPayload(payload())
                .build();
    }
}
