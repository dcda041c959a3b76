package io.twsbridge.protocol.message;

import java.math.BigDecimal;
import java.util.List;

/**
 * What contractDetails says about a contract beyond the {@link Contract} itself: how it trades (tick, sizes,
 * hours, exchanges), what it is (names, industry) and what it derives from. Unset text is "".
 *
 * @param minTick                the smallest price increment
 * @param mdSizeMultiplier       carried below server version 164 (SIZE_RULES); 0 from 164
 * @param orderTypes             comma list of the order types the contract accepts
 * @param validExchanges         comma list of the exchanges it may be routed to
 * @param longName               the company or instrument name, as IB means it (the codec un-escapes IB's 7-bit
 *                               spelling of non-ASCII characters)
 * @param timeZoneId             the zone of the hours below, e.g. "US/Eastern"
 * @param tradingHours           e.g. "20250101:0400-20250101:2000;20250102:CLOSED"
 * @param liquidHours            the regular session, in the same form
 * @param evMultiplier           null when unset
 * @param secIdList              other identifiers (ISIN, CUSIP …) as tag/value pairs
 * @param marketRuleIds          comma list, one per valid exchange
 * @param sizeMinTick            carried at server version 163 (FRACTIONAL_SIZE_SUPPORT) only; null elsewhere
 * @param minSize                carried from server version 164 (SIZE_RULES); null below it or when unset
 * @param sizeIncrement          as minSize
 * @param suggestedSizeIncrement as minSize
 */
public record ContractSpecification(
        String marketName,
        double minTick,
        int mdSizeMultiplier,
        String orderTypes,
        String validExchanges,
        int priceMagnifier,
        int underConId,
        String longName,
        String contractMonth,
        String industry,
        String category,
        String subcategory,
        String timeZoneId,
        String tradingHours,
        String liquidHours,
        String evRule,
        Double evMultiplier,
        List<TagValue> secIdList,
        int aggGroup,
        String underSymbol,
        String underSecType,
        String marketRuleIds,
        String realExpirationDate,
        String stockType,
        BigDecimal sizeMinTick,
        BigDecimal minSize,
        BigDecimal sizeIncrement,
        BigDecimal suggestedSizeIncrement) {

    public ContractSpecification {
        marketName = Strings.orEmpty(marketName);
        orderTypes = Strings.orEmpty(orderTypes);
        validExchanges = Strings.orEmpty(validExchanges);
        longName = Strings.orEmpty(longName);
        contractMonth = Strings.orEmpty(contractMonth);
        industry = Strings.orEmpty(industry);
        category = Strings.orEmpty(category);
        subcategory = Strings.orEmpty(subcategory);
        timeZoneId = Strings.orEmpty(timeZoneId);
        tradingHours = Strings.orEmpty(tradingHours);
        liquidHours = Strings.orEmpty(liquidHours);
        evRule = Strings.orEmpty(evRule);
        secIdList = secIdList == null ? List.of() : List.copyOf(secIdList);
        underSymbol = Strings.orEmpty(underSymbol);
        underSecType = Strings.orEmpty(underSecType);
        marketRuleIds = Strings.orEmpty(marketRuleIds);
        realExpirationDate = Strings.orEmpty(realExpirationDate);
        stockType = Strings.orEmpty(stockType);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().marketName(marketName).minTick(minTick).mdSizeMultiplier(mdSizeMultiplier)
                .orderTypes(orderTypes).validExchanges(validExchanges).priceMagnifier(priceMagnifier)
                .underConId(underConId).longName(longName).contractMonth(contractMonth).industry(industry)
                .category(category).subcategory(subcategory).timeZoneId(timeZoneId).tradingHours(tradingHours)
                .liquidHours(liquidHours).evRule(evRule).evMultiplier(evMultiplier).secIdList(secIdList)
                .aggGroup(aggGroup).underSymbol(underSymbol).underSecType(underSecType).marketRuleIds(marketRuleIds)
                .realExpirationDate(realExpirationDate).stockType(stockType).sizeMinTick(sizeMinTick)
                .minSize(minSize).sizeIncrement(sizeIncrement).suggestedSizeIncrement(suggestedSizeIncrement);
    }

    /** Everything unset ("" text, 0 numbers, null decimals) until given. */
    public static final class Builder {
        private String marketName = "";
        private double minTick;
        private int mdSizeMultiplier;
        private String orderTypes = "";
        private String validExchanges = "";
        private int priceMagnifier;
        private int underConId;
        private String longName = "";
        private String contractMonth = "";
        private String industry = "";
        private String category = "";
        private String subcategory = "";
        private String timeZoneId = "";
        private String tradingHours = "";
        private String liquidHours = "";
        private String evRule = "";
        private Double evMultiplier;
        private List<TagValue> secIdList = List.of();
        private int aggGroup;
        private String underSymbol = "";
        private String underSecType = "";
        private String marketRuleIds = "";
        private String realExpirationDate = "";
        private String stockType = "";
        private BigDecimal sizeMinTick;
        private BigDecimal minSize;
        private BigDecimal sizeIncrement;
        private BigDecimal suggestedSizeIncrement;

        private Builder() {
        }

        public Builder marketName(String v) { marketName = v; return this; }
        public Builder minTick(double v) { minTick = v; return this; }
        public Builder mdSizeMultiplier(int v) { mdSizeMultiplier = v; return this; }
        public Builder orderTypes(String v) { orderTypes = v; return this; }
        public Builder validExchanges(String v) { validExchanges = v; return this; }
        public Builder priceMagnifier(int v) { priceMagnifier = v; return this; }
        public Builder underConId(int v) { underConId = v; return this; }
        public Builder longName(String v) { longName = v; return this; }
        public Builder contractMonth(String v) { contractMonth = v; return this; }
        public Builder industry(String v) { industry = v; return this; }
        public Builder category(String v) { category = v; return this; }
        public Builder subcategory(String v) { subcategory = v; return this; }
        public Builder timeZoneId(String v) { timeZoneId = v; return this; }
        public Builder tradingHours(String v) { tradingHours = v; return this; }
        public Builder liquidHours(String v) { liquidHours = v; return this; }
        public Builder evRule(String v) { evRule = v; return this; }
        public Builder evMultiplier(Double v) { evMultiplier = v; return this; }
        public Builder secIdList(List<TagValue> v) { secIdList = v; return this; }
        public Builder aggGroup(int v) { aggGroup = v; return this; }
        public Builder underSymbol(String v) { underSymbol = v; return this; }
        public Builder underSecType(String v) { underSecType = v; return this; }
        public Builder marketRuleIds(String v) { marketRuleIds = v; return this; }
        public Builder realExpirationDate(String v) { realExpirationDate = v; return this; }
        public Builder stockType(String v) { stockType = v; return this; }
        public Builder sizeMinTick(BigDecimal v) { sizeMinTick = v; return this; }
        public Builder minSize(BigDecimal v) { minSize = v; return this; }
        public Builder sizeIncrement(BigDecimal v) { sizeIncrement = v; return this; }
        public Builder suggestedSizeIncrement(BigDecimal v) { suggestedSizeIncrement = v; return this; }

        public ContractSpecification build() {
            return new ContractSpecification(marketName, minTick, mdSizeMultiplier, orderTypes, validExchanges,
                    priceMagnifier, underConId, longName, contractMonth, industry, category, subcategory, timeZoneId,
                    tradingHours, liquidHours, evRule, evMultiplier, secIdList, aggGroup, underSymbol, underSecType,
                    marketRuleIds, realExpirationDate, stockType, sizeMinTick, minSize, sizeIncrement,
                    suggestedSizeIncrement);
        }
    }
}
