package io.twsbridge.protocol;

/**
 * Server versions of the TWS API that change the layout of a message, and the range this codec supports.
 *
 * <p>The Gateway picks one version inside the client's advertised range during the handshake; every message
 * after that is encoded for that one negotiated version. Each constant names the first version that has the
 * behaviour; the codec checks them beside the field they guard.
 */
public final class ServerVersion {

    /** Oldest server version the codec reads and writes (ib_async's floor; older layouts are not modelled). */
    public static final int MIN_SUPPORTED = 157;
    /** Newest server version the codec reads and writes. */
    public static final int MAX_SUPPORTED = 178;

    /** placeOrder and openOrder carry usePriceMgmtAlgo. */
    public static final int PRICE_MGMT_ALGO = 151;
    /**
     * error's text (and, from 166, its advancedOrderRejectJson) spells non-ASCII characters as backslash-u
     * escapes, and so does contractDetails' longName. Below {@link #MIN_SUPPORTED}, so always in force; named so
     * that the codec's gate says why.
     */
    public static final int ENCODE_MSG_ASCII7 = 153;
    /** placeOrder and openOrder carry duration. */
    public static final int DURATION = 158;
    /** placeOrder and openOrder carry postToAts. */
    public static final int POST_TO_ATS = 160;
    /** placeOrder and openOrder carry autoCancelParent. */
    public static final int AUTO_CANCEL_PARENT = 162;
    /** Sizes may be fractional; contractDetails carries sizeMinTick at its end, at this one version only. */
    public static final int FRACTIONAL_SIZE_SUPPORT = 163;
    /**
     * contractDetails loses its message version and mdSizeMultiplier (and 163's sizeMinTick) and carries minSize,
     * sizeIncrement and suggestedSizeIncrement at its end.
     */
    public static final int SIZE_RULES = 164;
    /** reqHistoricalData may ask for whatToShow SCHEDULE. */
    public static final int HISTORICAL_SCHEDULE = 165;
    /** error carries advancedOrderRejectJson; placeOrder carries advancedErrorOverride. */
    public static final int ADVANCED_ORDER_REJECT = 166;
    /** placeOrder carries manualOrderTime; cancelOrder carries manualOrderCancelTime. */
    public static final int MANUAL_ORDER_TIME = 169;
    /**
     * openOrder carries minTradeQty, minCompeteSize, competeAgainstBestOffset and the two mid offsets; placeOrder
     * carries minTradeQty for IBKRATS orders and the PEG BEST / PEG MID ones for those order types.
     */
    public static final int PEGBEST_PEGMID_OFFSETS = 170;
    /** reqContractDetails carries issuerId at its end. */
    public static final int BOND_ISSUERID = 176;
    /** faProfile is dropped from placeOrder and openOrder. */
    public static final int FA_PROFILE_DESUPPORT = 177;
    /** execDetails carries pendingPriceRevision. */
    public static final int PENDING_PRICE_REVISION = 178;

    private ServerVersion() {
    }

    /** True when {@code serverVersion} lies in the range the codec supports. */
    public static boolean isSupported(int serverVersion) {
        return serverVersion >= MIN_SUPPORTED && serverVersion <= MAX_SUPPORTED;
    }

    /**
     * Throws unless {@code serverVersion} is supported; codecs call this once per message so that a caller
     * never gets a silently mis-encoded message for a version nobody modelled.
     */
    public static int requireSupported(int serverVersion) {
        if (!isSupported(serverVersion)) {
            throw new ProtocolException.UnsupportedVersion(
                    "server version " + serverVersion + " is outside the supported range "
                            + MIN_SUPPORTED + ".." + MAX_SUPPORTED);
        }
        return serverVersion;
    }
}
