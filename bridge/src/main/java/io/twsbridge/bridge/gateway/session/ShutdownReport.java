package io.twsbridge.bridge.gateway.session;

import java.time.Duration;

/**
 * What a clean {@link GatewaySession#shutdown} said to the Gateway before it closed the link.
 *
 * @param marketDataCancels     cancelMktData and cancelRealTimeBars requests queued, one per active subscription
 * @param positionsCancels      cancelPositions requests queued (0 or 1)
 * @param accountSummaryCancels cancelAccountSummary requests queued (0 or 1)
 * @param framesLeftUnsent      frames still unwritten when the link closed: 0 unless the drain bound was hit or
 *                              the link ended first (a lost lease, the Gateway closing)
 * @param drainBound            how long the close was allowed to wait for the writer
 * @param drainTime             how long it waited
 */
public record ShutdownReport(int marketDataCancels, int positionsCancels, int accountSummaryCancels,
                             int framesLeftUnsent, Duration drainBound, Duration drainTime) {

    /** A shutdown without a link: nothing to cancel, nothing to send. */
    public static final ShutdownReport NO_LINK = new ShutdownReport(0, 0, 0, 0, Duration.ZERO, Duration.ZERO);

    /** Every cancel request queued at shutdown. */
    public int cancels() {
        return marketDataCancels + positionsCancels + accountSummaryCancels;
    }
}
