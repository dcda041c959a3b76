package io.twsbridge.bridge.events;

import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.schema.AccountValue;
import io.twsbridge.schema.Position;
import io.twsbridge.schema.catalogue.RecordKeys;
import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.schema.support.Decimals;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Account values (accountSummary, updateAccountValue) to {@link AccountValue} records, and holdings (position,
 * updatePortfolio) to {@link Position} records. Event loop only.
 *
 * <p>Both topics are compacted tables, so each record must be the complete state of its key. A position arrives
 * two ways: reqPositions' position (quantity and average cost only) and reqAccountUpdates' updatePortfolio (also
 * market price, value and P&amp;L). A position message therefore keeps the market fields of the last record of
 * its key when the quantity is unchanged, instead of blanking them; when the quantity changed they would be
 * wrong, so they become null until the next updatePortfolio.
 */
final class AccountEvents {

    private final EventSink sink;
    private final Map<String, Position> lastPositionByKey = new HashMap<>();

    AccountEvents(EventSink sink) {
        this.sink = sink;
    }

    void onAccountSummary(ServerMessage.AccountSummary m, Instant receivedAt) {
        publishValue(m.account(), m.tag(), m.value(), m.currency(), receivedAt);
    }

    void onAccountValue(ServerMessage.AccountValue m, Instant receivedAt) {
        publishValue(m.account(), m.key(), m.value(), m.currency(), receivedAt);
    }

    private void publishValue(String account, String key, String value, String currency, Instant receivedAt) {
        AccountValue record = AccountValue.newBuilder()
                .setAccount(account)
                .setKey(key)
                .setValue(value)
                .setCurrency(Values.textOrNull(currency))
                .setNumericValue(Values.numberOrNull(value))
                .setUpdatedAt(receivedAt)
                .build();
        sink.publish(Topic.ACCOUNTS, RecordKeys.accountValue(record), record);
    }

    void onPosition(ServerMessage.Position m, Instant receivedAt) {
        BigDecimal quantity = requireQuantity(m.position(), "position");
        Position.Builder builder = Position.newBuilder()
                .setAccount(m.account())
                .setInstrument(Values.instrument(m.contract()))
                .setQuantity(quantity)
                .setAverageCost(averageCost(m.averageCost()))
                .setUpdatedAt(receivedAt);
        Position last = lastPositionByKey.get(RecordKeys.position(builder.build()));
        if (last != null && last.getQuantity().compareTo(quantity) == 0) {
            builder.setMarketPrice(last.getMarketPrice())
                    .setMarketValue(last.getMarketValue())
                    .setUnrealizedPnl(last.getUnrealizedPnl())
                    .setRealizedPnl(last.getRealizedPnl());
        }
        publishPosition(builder.build());
    }

    void onPortfolioValue(ServerMessage.PortfolioValue m, Instant receivedAt) {
        publishPosition(Position.newBuilder()
                .setAccount(m.account())
                .setInstrument(Values.instrument(m.contract()))
                .setQuantity(requireQuantity(m.position(), "updatePortfolio"))
                .setAverageCost(averageCost(m.averageCost()))
                .setMarketPrice(Values.priceOrNull(m.marketPrice()))
                .setMarketValue(Values.moneyOrNull(m.marketValue()))
                .setUnrealizedPnl(Values.moneyOrNull(m.unrealizedPnl()))
                .setRealizedPnl(Values.moneyOrNull(m.realizedPnl()))
                .setUpdatedAt(receivedAt)
                .build());
    }

    private void publishPosition(Position record) {
        String key = RecordKeys.position(record);
        sink.publish(Topic.POSITIONS, key, record);
        lastPositionByKey.put(key, record);
    }

    /** A position without a quantity says nothing; publishing it as 0 would claim the position is flat. */
    private static BigDecimal requireQuantity(BigDecimal quantity, String message) {
        if (quantity == null) {
            throw new IllegalArgumentException(message + " without a quantity");
        }
        return Values.quantity(quantity);
    }

    /** The schema requires an average cost; IB sends 0 for flat positions, and its unset marker becomes 0 too. */
    private static BigDecimal averageCost(double averageCost) {
        BigDecimal cost = Values.moneyOrNull(averageCost);
        return cost == null ? BigDecimal.ZERO.setScale(Decimals.SCALE) : cost;
    }
}
