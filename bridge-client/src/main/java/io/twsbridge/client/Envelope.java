package io.twsbridge.client;

import io.twsbridge.schema.catalogue.RecordKeys;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * What every command carries besides its payload: the idempotency key, the account, a deadline and who sent it.
 * Immutable; the {@code with*} methods return changed copies.
 *
 * @param commandId the idempotency key; {@link #fresh()} makes a random UUID. Sending a command again with the same
 *                  id is always safe: the bridge carries it out once and answers the repeat {@code DUPLICATE}
 * @param account   the IB account, or null for the session's default (orders) or every managed account (requests);
 *                  also the record key ({@link #key()})
 * @param expiresAt the instant after which the bridge answers {@code EXPIRED} instead of acting, or null for never
 * @param issuedBy  free text for audit logs, or null
 */
public record Envelope(String commandId, String account, Instant expiresAt, String issuedBy) {

    public Envelope {
        Objects.requireNonNull(commandId, "commandId");
        if (commandId.isBlank()) {
            throw new IllegalArgumentException("commandId must not be blank");
        }
        // Orders placed elsewhere are keyed perm:<permId> or order:<clientId>:<orderId> on the orders topic; a
        // commandId (which becomes the orderRef and that key) of that form would clash with them.
        if (commandId.startsWith(RecordKeys.PERM_ID_PREFIX) || commandId.startsWith(RecordKeys.ORDER_ID_PREFIX)) {
            throw new IllegalArgumentException("commandId must not start with '" + RecordKeys.PERM_ID_PREFIX
                    + "' or '" + RecordKeys.ORDER_ID_PREFIX + "' but was '" + commandId + "'");
        }
        if (account != null && account.isBlank()) {
            account = null;
        }
    }

    /** A new random commandId, no account, no deadline, no sender name. */
    public static Envelope fresh() {
        return new Envelope(UUID.randomUUID().toString(), null, null, null);
    }

    public Envelope withCommandId(String id) {
        return new Envelope(id, account, expiresAt, issuedBy);
    }

    public Envelope withAccount(String a) {
        return new Envelope(commandId, a, expiresAt, issuedBy);
    }

    public Envelope withExpiresAt(Instant at) {
        return new Envelope(commandId, account, at, issuedBy);
    }

    public Envelope withIssuedBy(String by) {
        return new Envelope(commandId, account, expiresAt, by);
    }

    /** The record key on the commands topic: the account, or {@code _default} without one ({@link RecordKeys}). */
    public String key() {
        return RecordKeys.commandKey(account);
    }
}
