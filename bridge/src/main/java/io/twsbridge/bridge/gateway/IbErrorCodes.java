package io.twsbridge.bridge.gateway;

import java.util.Map;

/**
 * The one table of IB error and notice codes the bridge knows, each with its category and a short name. Every
 * decision about an IB message is made here, on its code.
 *
 * <p>Codes not listed: 2100..2199 are informational or warnings by IB's convention; anything else is treated as
 * a failed request, the safe default.
 */
public final class IbErrorCodes {

    /** A known code: its category and a name for logs and metrics. */
    public record Code(int code, IbErrorCategory category, String name) {
    }

    public static final int PACING = 100;
    public static final int DUPLICATE_ORDER_ID = 103;
    public static final int NO_SECURITY_DEFINITION = 200;
    /** The historical data service refused or ended a request; which refusal, only its text says. */
    public static final int HISTORICAL_DATA_SERVICE_ERROR = 162;
    public static final int HISTORICAL_EXPIRED_CONTRACT = 166;
    public static final int MARKET_DATA_NOT_SUBSCRIBED = 354;
    public static final int HISTORICAL_QUERY_NOT_FOUND = 366;
    public static final int ORDER_REJECTED = 201;
    public static final int ORDER_CANCELLED = 202;
    /** "Cancel attempted when order is not in a cancellable state." */
    public static final int ORDER_NOT_CANCELLABLE = 161;
    public static final int CANCEL_ORDER_NOT_FOUND = 10147;
    public static final int CANCEL_ORDER_NOT_POSSIBLE = 10148;
    public static final int CLIENT_ID_IN_USE = 326;
    public static final int NOT_CONNECTED = 504;
    public static final int CONNECTIVITY_LOST = 1100;
    public static final int CONNECTIVITY_RESTORED_DATA_LOST = 1101;
    public static final int CONNECTIVITY_RESTORED_DATA_MAINTAINED = 1102;
    public static final int SOCKET_PORT_RESET = 1300;
    public static final int MARKET_DATA_FARM_OK = 2104;
    public static final int HMDS_FARM_OK = 2106;
    public static final int SEC_DEF_FARM_OK = 2158;
    public static final int COMPETING_LIVE_SESSION = 10197;
    /** "Bust event occurred, current subscription is deactivated": a real-time bar subscription ended by IB. */
    public static final int REAL_TIME_BARS_BUST = 10225;

    private static final Map<Integer, Code> CODES = Map.ofEntries(
            entry(PACING, IbErrorCategory.PACING_VIOLATION, "max-message-rate-exceeded"),
            entry(DUPLICATE_ORDER_ID, IbErrorCategory.REQUEST_FAILED, "duplicate-order-id"),
            entry(110, IbErrorCategory.REQUEST_FAILED, "price-does-not-conform-to-tick"),
            entry(ORDER_NOT_CANCELLABLE, IbErrorCategory.REQUEST_FAILED, "order-not-cancellable"),
            entry(HISTORICAL_DATA_SERVICE_ERROR, IbErrorCategory.REQUEST_FAILED, "historical-data-service-error"),
            entry(HISTORICAL_EXPIRED_CONTRACT, IbErrorCategory.REQUEST_FAILED, "historical-expired-contract"),
            entry(165, IbErrorCategory.INFO, "historical-data-service-query"),
            entry(NO_SECURITY_DEFINITION, IbErrorCategory.REQUEST_FAILED, "no-security-definition"),
            entry(ORDER_REJECTED, IbErrorCategory.REQUEST_FAILED, "order-rejected"),
            entry(ORDER_CANCELLED, IbErrorCategory.INFO, "order-cancelled"),
            entry(321, IbErrorCategory.REQUEST_FAILED, "request-validation-failed"),
            entry(322, IbErrorCategory.REQUEST_FAILED, "request-processing-failed"),
            entry(CLIENT_ID_IN_USE, IbErrorCategory.CLIENT_ID_IN_USE, "client-id-in-use"),
            entry(MARKET_DATA_NOT_SUBSCRIBED, IbErrorCategory.REQUEST_FAILED, "market-data-not-subscribed"),
            entry(HISTORICAL_QUERY_NOT_FOUND, IbErrorCategory.INFO, "historical-query-not-found"),
            entry(386, IbErrorCategory.REQUEST_FAILED, "duplicate-historical-ticker-id"),
            entry(420, IbErrorCategory.REQUEST_FAILED, "invalid-real-time-query"),
            entry(399, IbErrorCategory.WARNING, "order-message-warning"),
            entry(434, IbErrorCategory.REQUEST_FAILED, "order-size-zero"),
            entry(NOT_CONNECTED, IbErrorCategory.FATAL, "not-connected"),
            entry(505, IbErrorCategory.FATAL, "fatal-decoding-error"),
            entry(506, IbErrorCategory.FATAL, "unsupported-version"),
            entry(CONNECTIVITY_LOST, IbErrorCategory.CONNECTIVITY_LOST, "connectivity-lost"),
            entry(CONNECTIVITY_RESTORED_DATA_LOST, IbErrorCategory.CONNECTIVITY_RESTORED_DATA_LOST,
                    "connectivity-restored-data-lost"),
            entry(CONNECTIVITY_RESTORED_DATA_MAINTAINED, IbErrorCategory.CONNECTIVITY_RESTORED,
                    "connectivity-restored-data-maintained"),
            entry(SOCKET_PORT_RESET, IbErrorCategory.FATAL, "socket-port-reset"),
            entry(2103, IbErrorCategory.WARNING, "market-data-farm-broken"),
            entry(MARKET_DATA_FARM_OK, IbErrorCategory.INFO, "market-data-farm-ok"),
            entry(2105, IbErrorCategory.WARNING, "hmds-farm-broken"),
            entry(HMDS_FARM_OK, IbErrorCategory.INFO, "hmds-farm-ok"),
            entry(2107, IbErrorCategory.INFO, "hmds-farm-inactive"),
            entry(2108, IbErrorCategory.INFO, "market-data-farm-inactive"),
            entry(2109, IbErrorCategory.WARNING, "outside-rth-ignored"),
            entry(2110, IbErrorCategory.WARNING, "tws-to-server-connectivity-broken"),
            entry(2119, IbErrorCategory.INFO, "market-data-farm-connecting"),
            entry(2157, IbErrorCategory.WARNING, "sec-def-farm-broken"),
            entry(SEC_DEF_FARM_OK, IbErrorCategory.INFO, "sec-def-farm-ok"),
            entry(CANCEL_ORDER_NOT_FOUND, IbErrorCategory.REQUEST_FAILED, "cancel-order-not-found"),
            entry(CANCEL_ORDER_NOT_POSSIBLE, IbErrorCategory.REQUEST_FAILED, "cancel-order-not-possible"),
            entry(10167, IbErrorCategory.WARNING, "delayed-market-data-displayed"),
            entry(REAL_TIME_BARS_BUST, IbErrorCategory.WARNING, "real-time-bars-bust"),
            entry(COMPETING_LIVE_SESSION, IbErrorCategory.WARNING, "no-market-data-competing-live-session"));

    /** What a historical data service error (162) is about; IB tells them apart by text only. */
    public enum HistoricalRefusal {
        /** One of IB's historical pacing rules was broken. */
        PACING_VIOLATION,
        /** Nothing in the period, nothing of that kind for the contract, or an expired contract. */
        NO_DATA,
        /** The account has no market-data subscription for the contract. */
        NO_PERMISSION,
        /** The request was cancelled (by this client's cancelHistoricalData). */
        CANCELLED,
        /** Any other refusal: the request's parameters, as IB's text says. */
        OTHER
    }

    private IbErrorCodes() {
    }

    /**
     * What a refusal of a historical request means, from its code and, for 162, its text (texts seen from IB's
     * historical data service: "...pacing violation", "HMDS query returned no data: ...", "No historical market
     * data for ...", "No market data permissions for ...", "API historical data query cancelled: ...").
     */
    public static HistoricalRefusal historicalRefusal(int code, String text) {
        if (code == HISTORICAL_EXPIRED_CONTRACT) {
            return HistoricalRefusal.NO_DATA;
        }
        if (code == MARKET_DATA_NOT_SUBSCRIBED) {
            return HistoricalRefusal.NO_PERMISSION;
        }
        if (code != HISTORICAL_DATA_SERVICE_ERROR) {
            return HistoricalRefusal.OTHER;
        }
        String t = text == null ? "" : text.toLowerCase(java.util.Locale.ROOT);
        if (t.contains("pacing violation")) {
            return HistoricalRefusal.PACING_VIOLATION;
        }
        if (t.contains("no market data permission")) {
            return HistoricalRefusal.NO_PERMISSION;
        }
        if (t.contains("returned no data") || t.contains("no historical market data") || t.contains("no data")) {
            return HistoricalRefusal.NO_DATA;
        }
        if (t.contains("query cancelled")) {
            return HistoricalRefusal.CANCELLED;
        }
        return HistoricalRefusal.OTHER;
    }

    /** The category and name of {@code code}; unknown codes get a category by IB's numbering convention. */
    public static Code lookup(int code) {
        Code known = CODES.get(code);
        if (known != null) {
            return known;
        }
        if (code >= 2100 && code <= 2199) {
            return new Code(code, IbErrorCategory.WARNING, "notice-" + code);
        }
        return new Code(code, IbErrorCategory.REQUEST_FAILED, "error-" + code);
    }

    private static Map.Entry<Integer, Code> entry(int code, IbErrorCategory category, String name) {
        return Map.entry(code, new Code(code, category, name));
    }
}
