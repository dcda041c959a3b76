package io.twsbridge.bridge.orders;

import io.twsbridge.bridge.results.Rejection;
import io.twsbridge.schema.PlaceOrder;
import io.twsbridge.schema.catalogue.ReasonCodes;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The checks every new order passes before anything reaches the Gateway. Each refusal names its rule. The kill
 * switch can be engaged at run time; while engaged every new order is refused.
 */
public final class Guardrails {

    private final OrderSettings settings;
    private final AtomicBoolean killSwitch;

    public Guardrails(OrderSettings settings) {
        this.settings = settings;
        this.killSwitch = new AtomicBoolean(settings.killSwitch());
    }

    public void engageKillSwitch() {
        killSwitch.set(true);
    }

    public void releaseKillSwitch() {
        killSwitch.set(false);
    }

    public boolean killSwitchEngaged() {
        return killSwitch.get();
    }

    public boolean ordersEnabled() {
        return settings.enabled();
    }

    /**
     * @param account        the account the order is for
     * @param managed        accounts the Gateway login manages
     * @param referencePrice a price for the notional check when the order has none (MKT): the last quote
     */
    public Optional<Rejection> check(PlaceOrder order, String account, List<String> managed,
                                     Optional<Double> referencePrice) {
        if (!settings.enabled()) {
            return reject(ReasonCodes.ORDERS_DISABLED, "rule orders.enabled: order placement is switched off");
        }
        if (killSwitch.get()) {
            return reject(ReasonCodes.KILL_SWITCH, "rule kill-switch: the kill switch is engaged, no new orders");
        }
        if (account == null || !managed.contains(account)) {
            return reject(ReasonCodes.ACCOUNT_NOT_MANAGED, "rule managed-accounts: account " + account
                    + " is not managed by this Gateway login (managed: " + managed + ")");
        }
        if (!settings.accountAllowlist().isEmpty() && !settings.accountAllowlist().contains(account)) {
            return reject(ReasonCodes.ACCOUNT_NOT_ALLOWED, "rule orders.account-allowlist: account " + account
                    + " is not in " + settings.accountAllowlist());
        }
        String symbol = order.getInstrument().getSymbol();
        if (!settings.symbolAllowlist().isEmpty() && !settings.symbolAllowlist().contains(symbol)) {
            return reject(ReasonCodes.SYMBOL_NOT_ALLOWED, "rule orders.symbol-allowlist: " + symbol + " is not in "
                    + settings.symbolAllowlist());
        }
        BigDecimal quantity = order.getQuantity();
        if (quantity.compareTo(settings.maxQuantity()) > 0) {
            return reject(ReasonCodes.MAX_QUANTITY_EXCEEDED, "rule orders.max-quantity: " + quantity.stripTrailingZeros()
                    .toPlainString() + " > " + settings.maxQuantity().toPlainString());
        }
        Double price = order.getLimitPrice() != null ? order.getLimitPrice()
                : order.getStopPrice() != null ? order.getStopPrice() : referencePrice.orElse(null);
        if (price == null) {
            return reject(ReasonCodes.MAX_NOTIONAL_EXCEEDED, "rule orders.max-notional: no price to check the notional"
                    + " of this market order against (no quote for " + symbol + " yet); subscribe to its quotes first");
        }
        BigDecimal notional = quantity.multiply(BigDecimal.valueOf(price));
        if (notional.compareTo(settings.maxNotional()) > 0) {
            return reject(ReasonCodes.MAX_NOTIONAL_EXCEEDED, "rule orders.max-notional: " + notional.stripTrailingZeros()
                    .toPlainString() + " > " + settings.maxNotional().toPlainString());
        }
        return Optional.empty();
    }

    private static Optional<Rejection> reject(String code, String message) {
        return Optional.of(new Rejection(code, message));
    }
}
