package io.twsbridge.sim.market;

import java.math.BigDecimal;

/** One instrument's top of book after an update of the random walk. Immutable snapshot. */
public record QuoteState(Instrument instrument, double bid, BigDecimal bidSize, double ask, BigDecimal askSize,
                         double last, BigDecimal lastSize, BigDecimal volume, double close, long sequence) {
}
