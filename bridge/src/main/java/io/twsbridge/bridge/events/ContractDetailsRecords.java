package io.twsbridge.bridge.events;

import io.twsbridge.protocol.message.ContractSpecification;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.protocol.message.TagValue;
import io.twsbridge.schema.ContractDetails;

import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A contractDetails message as the {@code ContractDetails} record of the contracts topic. The lists IB sends as
 * one comma-separated text (valid exchanges, order types, market rule ids) become arrays; IB's "unset" numbers
 * become null.
 */
public final class ContractDetailsRecords {

    private ContractDetailsRecords() {
    }

    /**
     * @param commandId  the ResolveContract that asked, or null when the bridge resolved an instrument for itself
     * @param resolvedAt when the answer arrived
     */
    public static ContractDetails of(ServerMessage.ContractDetails m, String commandId, Instant resolvedAt) {
        ContractSpecification s = m.specification();
        return ContractDetails.newBuilder()
                .setConId(m.contract().conId())
                .setInstrument(Values.instrument(m.contract()))
                .setLongName(Values.textOrNull(s.longName()))
                .setMarketName(Values.textOrNull(s.marketName()))
                .setMinTick(Values.priceOrNull(s.minTick()))
                .setTimeZoneId(Values.textOrNull(s.timeZoneId()))
                .setTradingHours(Values.textOrNull(s.tradingHours()))
                .setLiquidHours(Values.textOrNull(s.liquidHours()))
                .setValidExchanges(list(s.validExchanges()))
                .setOrderTypes(list(s.orderTypes()))
                .setMarketRuleIds(marketRuleIds(s.marketRuleIds()))
                .setIndustry(Values.textOrNull(s.industry()))
                .setCategory(Values.textOrNull(s.category()))
                .setSubcategory(Values.textOrNull(s.subcategory()))
                .setStockType(Values.textOrNull(s.stockType()))
                .setContractMonth(Values.textOrNull(s.contractMonth()))
                .setUnderConId(s.underConId() == 0 ? null : (long) s.underConId())
                .setUnderSymbol(Values.textOrNull(s.underSymbol()))
                .setUnderSecType(Values.textOrNull(s.underSecType()))
                .setMinSize(Values.quantityOrNull(s.minSize()))
                .setSizeIncrement(Values.quantityOrNull(s.sizeIncrement()))
                .setSuggestedSizeIncrement(Values.quantityOrNull(s.suggestedSizeIncrement()))
                .setSecIds(secIds(s.secIdList()))
                .setCommandId(commandId)
                .setResolvedAt(resolvedAt)
                .build();
    }

    private static List<String> list(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
    }

    /** One rule id per valid exchange, in the same order; a malformed id is left out rather than losing the record. */
    private static List<Integer> marketRuleIds(String commaSeparated) {
        return list(commaSeparated).stream().filter(x -> x.chars().allMatch(Character::isDigit) && x.length() < 10)
                .map(Integer::valueOf).toList();
    }

    private static Map<String, String> secIds(List<TagValue> tags) {
        Map<String, String> ids = new LinkedHashMap<>();
        for (TagValue t : tags) {
            ids.put(t.tag(), t.value());
        }
        return ids;
    }
}
