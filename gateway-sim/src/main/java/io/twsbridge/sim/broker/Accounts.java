package io.twsbridge.sim.broker;

import io.twsbridge.sim.market.Instrument;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Cash and holdings of the simulated accounts. Not thread-safe: the {@link Broker} guards it.
 */
final class Accounts {

    /** One holding; quantities are exact, money in doubles as IB reports it. */
    static final class Holding {
        final String account;
        final Instrument instrument;
        BigDecimal quantity;
        double averageCost;
        double realizedPnl;

        Holding(String account, Instrument instrument, BigDecimal quantity, double averageCost) {
            this.account = account;
            this.instrument = instrument;
            this.quantity = quantity;
            this.averageCost = averageCost;
        }
    }

    /** The account-summary tags the simulator knows, in the order it reports them. */
    static final List<String> SUMMARY_TAGS = List.of("AccountType", "NetLiquidation", "TotalCashValue",
            "SettledCash", "AccruedCash", "BuyingPower", "EquityWithLoanValue", "GrossPositionValue",
            "AvailableFunds", "ExcessLiquidity", "Cushion", "Leverage");

    private final Map<String, Double> cash = new LinkedHashMap<>();
    private final Map<String, Holding> holdings = new LinkedHashMap<>();

    Accounts(List<String> accounts, List<Instrument> instruments, ToDoubleFunction<Instrument> price) {
        for (int i = 0; i < accounts.size(); i++) {
            String account = accounts.get(i);
            cash.put(account, 1_000_000.0);
            // Every account starts with one holding, so positions and portfolio answers are never empty.
            Instrument instrument = instruments.get(i % instruments.size());
            double cost = Math.round((price.applyAsDouble(instrument) - 5.0) * 100) / 100.0;
            holdings.put(key(account, instrument), new Holding(account, instrument,
                    BigDecimal.valueOf(100L * (i + 1)), cost));
        }
    }

    List<String> accountNames() {
        return List.copyOf(cash.keySet());
    }

    boolean exists(String account) {
        return cash.containsKey(account);
    }

    List<Holding> holdings() {
        return new ArrayList<>(holdings.values());
    }

    List<Holding> holdings(String account) {
        return holdings.values().stream().filter(h -> h.account.equals(account)).toList();
    }

    /** Books a fill: moves cash and the holding; returns the holding after the fill. */
    Holding book(String account, Instrument instrument, boolean buy, BigDecimal quantity, double price,
                 double commission) {
        Holding h = holdings.computeIfAbsent(key(account, instrument),
                k -> new Holding(account, instrument, BigDecimal.ZERO, 0.0));
        BigDecimal signed = buy ? quantity : quantity.negate();
        BigDecimal before = h.quantity;
        BigDecimal after = before.add(signed);
        boolean increases = before.signum() == 0 || before.signum() == signed.signum();
        if (increases) {
            BigDecimal cost = before.abs().multiply(BigDecimal.valueOf(h.averageCost))
                    .add(quantity.multiply(BigDecimal.valueOf(price)));
            h.averageCost = after.signum() == 0 ? 0.0
                    : cost.divide(after.abs(), 8, RoundingMode.HALF_EVEN).doubleValue();
        } else {
            BigDecimal closed = quantity.min(before.abs());
            double perShare = before.signum() > 0 ? price - h.averageCost : h.averageCost - price;
            h.realizedPnl += closed.doubleValue() * perShare;
            if (after.signum() != 0 && after.signum() != before.signum()) {
                h.averageCost = price; // flipped through zero: the remainder opened at this price
            }
        }
        h.quantity = after;
        double notional = quantity.doubleValue() * price;
        cash.merge(account, (buy ? -notional : notional) - commission, Double::sum);
        return h;
    }

    /** Tag → value (and currency, "" for text tags) for one account at current prices. */
    Map<String, String[]> summary(String account, ToDoubleFunction<Instrument> price) {
        double cashValue = cash.getOrDefault(account, 0.0);
        double gross = 0;
        double net = cashValue;
        for (Holding h : holdings(account)) {
            double value = h.quantity.doubleValue() * price.applyAsDouble(h.instrument);
            gross += Math.abs(value);
            net += value;
        }
        Map<String, String[]> values = new LinkedHashMap<>();
        values.put("AccountType", new String[] {"INDIVIDUAL", ""});
        values.put("NetLiquidation", money(net));
        values.put("TotalCashValue", money(cashValue));
        values.put("SettledCash", money(cashValue));
        values.put("AccruedCash", money(0));
        values.put("BuyingPower", money(Math.max(0, net * 4 - gross)));
        values.put("EquityWithLoanValue", money(net));
        values.put("GrossPositionValue", money(gross));
        values.put("AvailableFunds", money(net - gross * 0.25));
        values.put("ExcessLiquidity", money(net - gross * 0.25));
        values.put("Cushion", new String[] {String.format(java.util.Locale.ROOT, "%.4f",
                net == 0 ? 0 : (net - gross * 0.25) / net), ""});
        values.put("Leverage", new String[] {String.format(java.util.Locale.ROOT, "%.2f",
                net == 0 ? 0 : gross / net), ""});
        return values;
    }

    /** The currency of every simulated holding and of the cash: the only one the simulator has. */
    static final String CURRENCY = "USD";

    /**
     * The ledger rows IB gives per currency for the account-summary entries {@code $LEDGER}, {@code $LEDGER:ALL}
     * and {@code $LEDGER:<currency>}: tag → value, all in {@link #CURRENCY}. Realized P&amp;L is what the closing
     * fills made against the holding's average cost; unrealized is (last price − average cost) × quantity of
     * what is held. The simulator has one currency, so every form answers the same rows (IB's BASE row of
     * {@code $LEDGER:ALL} is not modelled).
     */
    Map<String, String> ledger(String account, ToDoubleFunction<Instrument> price) {
        double cashValue = cash.getOrDefault(account, 0.0);
        double net = cashValue;
        double realized = 0;
        double unrealized = 0;
        for (Holding h : holdings(account)) {
            double last = price.applyAsDouble(h.instrument);
            net += h.quantity.doubleValue() * last;
            realized += h.realizedPnl;
            unrealized += h.quantity.doubleValue() * (last - h.averageCost);
        }
        Map<String, String> rows = new LinkedHashMap<>();
        rows.put("CashBalance", money(cashValue)[0]);
        rows.put("TotalCashBalance", money(cashValue)[0]);
        rows.put("RealizedPnL", money(realized)[0]);
        rows.put("UnrealizedPnL", money(unrealized)[0]);
        rows.put("NetLiquidationByCurrency", money(net)[0]);
        rows.put("ExchangeRate", "1.00");
        return rows;
    }

    private static String[] money(double value) {
        return new String[] {String.format(java.util.Locale.ROOT, "%.2f", value), "USD"};
    }

    private static String key(String account, Instrument instrument) {
        return account + "|" + instrument.conId();
    }
}
