package io.twsbridge.sim.broker;

import java.util.List;
import java.util.Set;

/**
 * One reqAccountUpdatesMulti subscription of a connection: the accounts it covers and which values it wants.
 *
 * @param ledgerAndNlv only the cash ledger and the net liquidation value, IB's "lightweight" request
 */
record AccountMultiSubscription(int reqId, List<String> accounts, String modelCode, boolean ledgerAndNlv) {

    /** What the simulator counts as the ledger and the NLV; the exact keys a real Gateway sends are unverified. */
    private static final Set<String> LEDGER_AND_NLV = Set.of("NetLiquidation", "TotalCashValue");

    AccountMultiSubscription {
        accounts = List.copyOf(accounts);
    }

    boolean covers(String account) {
        return accounts.contains(account);
    }

    boolean wants(String key) {
        return !ledgerAndNlv || LEDGER_AND_NLV.contains(key);
    }
}
