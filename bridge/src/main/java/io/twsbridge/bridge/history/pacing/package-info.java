/**
 * IB's historical-data pacing, kept by the bridge for every strategy at once.
 *
 * <p>{@link io.twsbridge.bridge.history.pacing.HistoricalPacer} decides when a historical-data request may be
 * sent to the Gateway: at most 50 open at a time, and for bars of 30 s or less no identical request within 15 s,
 * fewer than 6 for one contract, exchange and tick type within 2 s and at most 60 in any 10 minutes (BID_ASK
 * counting twice), each window widened by a safety margin. Requests beyond the limits wait in a bounded queue
 * served round-robin across producers, until their command's expiry; a pacing violation the Gateway reports anyway
 * opens a breaker with exponential backoff. Pure logic: no I/O, no threads of its own, everything on the injected
 * {@link io.twsbridge.bridge.time.EventLoop}, timers and clock included, so tests drive hours of waiting without
 * sleeping.
 *
 * <p>{@link io.twsbridge.bridge.history.pacing.PacedRequest} is what a caller asks to send,
 * {@link io.twsbridge.bridge.history.pacing.Permit} what it gets (and ends once the Gateway has finished with the
 * request), {@link io.twsbridge.bridge.history.pacing.PacingRefusal} why it got none,
 * {@link io.twsbridge.bridge.history.pacing.PacingSnapshot} what status and metrics read, and
 * {@link io.twsbridge.bridge.history.pacing.PacingSettings} what an operator may tune.
 */
package io.twsbridge.bridge.history.pacing;
