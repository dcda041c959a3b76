package io.twsbridge.protocol.message;

/**
 * The state block of openOrder and completedOrder.
 *
 * @param status          e.g. PreSubmitted, Submitted, Cancelled, Filled
 * @param commission      {@code null} when unset
 * @param completedTime   completedOrder only: when the order ended
 * @param completedStatus completedOrder only: why it ended
 */
public record OrderState(
        String status,
        Double commission,
        Double minCommission,
        Double maxCommission,
        String commissionCurrency,
        String warningText,
        String completedTime,
        String completedStatus) {

    public OrderState {
        status = Strings.orEmpty(status);
        commissionCurrency = Strings.orEmpty(commissionCurrency);
        warningText = Strings.orEmpty(warningText);
        completedTime = Strings.orEmpty(completedTime);
        completedStatus = Strings.orEmpty(completedStatus);
    }

    /** A state that only carries a status. */
    public static OrderState of(String status) {
        return new OrderState(status, null, null, null, "", "", "", "");
    }
}
