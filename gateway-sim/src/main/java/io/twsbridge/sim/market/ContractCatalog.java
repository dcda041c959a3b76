package io.twsbridge.sim.market;

import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.ContractSpecification;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.protocol.message.TagValue;
import io.twsbridge.sim.net.ClientConnection;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The simulator's security definitions: what reqContractDetails finds. Every stock of the {@link Market} is listed
 * once (SMART-routed, priced in USD, on its instrument's primary exchange), and the optional <em>ambiguous
 * symbol</em> twice, on two primary exchanges in the same currency, so that a client can meet a description that
 * matches two contracts.
 *
 * <p>A request matches a listing the way a Gateway matches a description: every field the request sets must agree
 * with the listing, every field it leaves empty matches anything. Trading and liquid hours are written for the
 * seven days starting with the current day at the listing's exchange, taken from the simulator's clock, so a
 * client that checks whether the market is open sees hours around its own now (weekends closed; exchange holidays
 * are not modelled).
 *
 * <p>Immutable once built; safe for any thread.
 */
public final class ContractCatalog {

    /** Error 200 as a Gateway words it for a description nothing matches (no contractDetailsEnd follows). */
    public static final int NO_SECURITY_DEFINITION = 200;
    public static final String NO_SECURITY_DEFINITION_TEXT = "No security definition has been found for the request";

    /** Days of hours in tradingHours and liquidHours, today included. */
    static final int HOURS_DAYS = 7;
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd", Locale.ROOT);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HHmm", Locale.ROOT);

    /** US stocks: IB names the zone US/Eastern; pre-market 04:00 to after-hours 20:00, regular 09:30 to 16:00. */
    private static final Session US_STOCKS = new Session("US/Eastern", ZoneId.of("America/New_York"),
            LocalTime.of(4, 0), LocalTime.of(20, 0), LocalTime.of(9, 30), LocalTime.of(16, 0));
    /** Euronext Amsterdam, where IB lists some US companies in USD too; IB names the zone MET. */
    private static final Session AMSTERDAM = new Session("MET", ZoneId.of("Europe/Amsterdam"),
            LocalTime.of(9, 0), LocalTime.of(17, 30), LocalTime.of(9, 0), LocalTime.of(17, 30));
    /** The venues SMART routes a US stock to (the primary exchange is added when missing). */
    private static final List<String> US_VENUES = List.of("SMART", "AMEX", "NYSE", "CBOE", "PHLX", "ISE", "CHX",
            "ARCA", "NASDAQ", "DRCTEDGE", "BEX", "BATS", "EDGEA", "BYX", "IEX", "EDGX", "PEARL", "MEMX", "IBKRATS");
    /** IB's market rule for US stocks (0.01 from 1 USD, 0.0001 below), one entry per valid exchange. */
    private static final String US_STOCK_MARKET_RULE = "26";
    /** The order types the simulator's broker executes, and the time-in-force values it takes, as IB spells them. */
    private static final String ORDER_TYPES = "DAY,GTC,IOC,LMT,MKT,OPG,STP,STPLMT";

    /** What is known of real companies behind well-known symbols; others get a neutral description. */
    private static final Map<String, Company> COMPANIES = Map.of(
            "AAPL", new Company("APPLE INC", "Technology", "Computers", "Computers", "COMMON", "US0378331005"),
            "MSFT", new Company("MICROSOFT CORP", "Technology", "Software", "Software", "COMMON", "US5949181045"),
            "IBM", new Company("INTL BUSINESS MACHINES CORP", "Technology", "Computers", "Computer Services",
                    "COMMON", "US4592001014"),
            "SPY", new Company("SPDR S&P 500 ETF TRUST", "", "", "", "ETF", "US78462F1030"),
            "AMZN", new Company("AMAZON.COM INC", "Consumer, Cyclical", "Retail", "Internet", "COMMON",
                    "US0231351067"),
            "TSLA", new Company("TESLA INC", "Consumer, Cyclical", "Auto Manufacturers", "Auto-Cars/Light Trucks",
                    "COMMON", "US88160R1014"));

    private final List<Listing> listings;
    private final Clock clock;

    /**
     * @param instruments     the market's stocks, each listed once
     * @param ambiguousSymbol a symbol to list twice (NASDAQ and AEB, both in USD), or "" for none; must not be one
     *                        of the instruments' symbols
     * @param clock           the simulator's clock, for the hours
     */
    public ContractCatalog(Collection<Instrument> instruments, String ambiguousSymbol, Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        List<Listing> all = new ArrayList<>();
        Set<Integer> conIds = new HashSet<>();
        for (Instrument i : instruments) {
            Company company = COMPANIES.getOrDefault(i.symbol(), Company.simulated(i.symbol()));
            all.add(usListing(i.conId(), i.symbol(), i.primaryExchange(), company));
            conIds.add(i.conId());
        }
        String ambiguous = ambiguousSymbol == null ? "" : ambiguousSymbol.trim().toUpperCase(Locale.ROOT);
        if (!ambiguous.isEmpty()) {
            if (all.stream().anyMatch(l -> l.symbol().equals(ambiguous))) {
                throw new IllegalArgumentException("the ambiguous symbol " + ambiguous
                        + " is also one of the market's symbols");
            }
            Company company = Company.simulated(ambiguous);
            int first = freeConId(2_000_000 + Math.floorMod(ambiguous.hashCode(), 8_000_000), conIds);
            int second = freeConId(first + 1, conIds);
            all.add(usListing(first, ambiguous, "NASDAQ", company));
            // The simulator has one market rule: a cent, for both venues.
            all.add(new Listing(second, ambiguous, "AEB", "USD", ambiguous, ambiguous, company, AMSTERDAM,
                    List.of("SMART", "AEB"), List.of(US_STOCK_MARKET_RULE, US_STOCK_MARKET_RULE)));
        }
        this.listings = List.copyOf(all);
    }

    /** Every listing, in the order contractDetails reports matches. */
    public List<Listing> listings() {
        return listings;
    }

    /**
     * Answers a reqContractDetails: one contractDetails per matching listing, then contractDetailsEnd; error 200
     * under the request's id, and no end, when nothing matches.
     */
    public void answer(ClientConnection c, ClientMessage.ReqContractDetails request) {
        List<ServerMessage.ContractDetails> matches = details(request);
        if (matches.isEmpty()) {
            c.send(new ServerMessage.ErrorMessage(request.reqId(), NO_SECURITY_DEFINITION,
                    NO_SECURITY_DEFINITION_TEXT));
            return;
        }
        matches.forEach(c::send);
        c.send(new ServerMessage.ContractDetailsEnd(request.reqId()));
    }

    /** The contractDetails messages answering {@code request}, in listing order; empty when nothing matches. */
    public List<ServerMessage.ContractDetails> details(ClientMessage.ReqContractDetails request) {
        Contract wanted = request.contract();
        if (!identifiesSomething(request)) {
            return List.of(); // a Gateway does not list its whole universe for an empty description
        }
        List<ServerMessage.ContractDetails> out = new ArrayList<>();
        for (Listing l : listings) {
            String exchange = l.exchangeFor(wanted.exchange());
            if (exchange != null && l.matches(request)) {
                out.add(new ServerMessage.ContractDetails(request.reqId(), l.contract(exchange), specification(l)));
            }
        }
        return out;
    }

    private static boolean identifiesSomething(ClientMessage.ReqContractDetails r) {
        Contract c = r.contract();
        return c.conId() != 0 || !c.symbol().isEmpty() || !c.localSymbol().isEmpty() || !r.secId().isEmpty();
    }

    private ContractSpecification specification(Listing l) {
        LocalDate today = clock.instant().atZone(l.session().zone()).toLocalDate();
        Company co = l.company();
        return ContractSpecification.builder()
                .marketName(l.tradingClass())
                .minTick(0.01)
                .mdSizeMultiplier(1)                      // sizes are in shares, as the feed sends them
                .orderTypes(ORDER_TYPES)
                .validExchanges(String.join(",", l.validExchanges()))
                .priceMagnifier(1)
                .longName(co.longName())
                .industry(co.industry()).category(co.category()).subcategory(co.subcategory())
                .timeZoneId(l.session().ibZoneId())
                .tradingHours(hours(today, l.session().zone(), l.session().open(), l.session().close()))
                .liquidHours(hours(today, l.session().zone(), l.session().liquidOpen(), l.session().liquidClose()))
                .secIdList(co.isin().isEmpty() ? List.of() : List.of(new TagValue("ISIN", co.isin())))
                .aggGroup(1)
                .marketRuleIds(String.join(",", l.marketRuleIds()))
                .stockType(co.stockType())
                .sizeMinTick(BigDecimal.ONE)
                .minSize(BigDecimal.ONE)
                .sizeIncrement(BigDecimal.ONE)
                .suggestedSizeIncrement(BigDecimal.valueOf(100))
                .build();
    }

    /**
     * IB's form since TWS 970: {@code yyyyMMdd:HHmm-yyyyMMdd:HHmm} per trading day and {@code yyyyMMdd:CLOSED} per
     * closed day, joined by ';', for {@link #HOURS_DAYS} days from {@code today}.
     */
    static String hours(LocalDate today, ZoneId zone, LocalTime open, LocalTime close) {
        List<String> days = new ArrayList<>();
        for (int i = 0; i < HOURS_DAYS; i++) {
            LocalDate d = today.plusDays(i);
            String day = DAY.format(d);
            DayOfWeek dow = d.getDayOfWeek();
            if (dow == DayOfWeek.SATURDAY || dow == DayOfWeek.SUNDAY) {
                days.add(day + ":CLOSED");
            } else {
                days.add(day + ":" + TIME.format(open) + "-" + day + ":" + TIME.format(close));
            }
        }
        return String.join(";", days);
    }

    private static Listing usListing(int conId, String symbol, String primaryExchange, Company company) {
        List<String> venues = new ArrayList<>(US_VENUES);
        if (!venues.contains(primaryExchange)) {
            venues.add(primaryExchange);
        }
        return new Listing(conId, symbol, primaryExchange, "USD", "NMS", symbol, company, US_STOCKS,
                List.copyOf(venues), venues.stream().map(v -> US_STOCK_MARKET_RULE).toList());
    }

    private static int freeConId(int candidate, Set<Integer> taken) {
        int id = candidate;
        while (!taken.add(id)) {
            id++;
        }
        return id;
    }

    /** A contract the catalog lists. */
    public record Listing(int conId, String symbol, String primaryExchange, String currency, String tradingClass,
                          String localSymbol, Company company, Session session, List<String> validExchanges,
                          List<String> marketRuleIds) {

        public Listing {
            validExchanges = List.copyOf(validExchanges);
            marketRuleIds = List.copyOf(marketRuleIds);
        }

        /** The listing as contractDetails describes it, with the exchange it was asked for. */
        public Contract contract(String exchange) {
            return new Contract(conId, symbol, "STK", "", null, "", "", exchange, primaryExchange, currency,
                    localSymbol, tradingClass);
        }

        /** SMART for no exchange or SMART, the exchange itself when the listing trades there, else null. */
        String exchangeFor(String requested) {
            if (requested.isEmpty() || requested.equalsIgnoreCase("SMART")) {
                return "SMART";
            }
            return validExchanges.stream().filter(requested::equalsIgnoreCase).findFirst().orElse(null);
        }

        /** Every field the request sets agrees with this listing (the exchange is checked by exchangeFor). */
        boolean matches(ClientMessage.ReqContractDetails r) {
            Contract c = r.contract();
            boolean derivativeFields = !c.lastTradeDateOrContractMonth().isEmpty()
                    || (c.strike() != null && c.strike() != 0.0) || !c.right().isEmpty()
                    || !(c.multiplier().isEmpty() || c.multiplier().equals("1")) || !r.issuerId().isEmpty();
            return !derivativeFields
                    && (c.conId() == 0 || c.conId() == conId)
                    && any(c.symbol(), symbol)
                    && any(c.secType(), "STK")
                    && any(c.primaryExchange(), primaryExchange)
                    && any(c.currency(), currency)
                    && any(c.localSymbol(), localSymbol)
                    && any(c.tradingClass(), tradingClass)
                    && secIdMatches(r.secIdType(), r.secId());
        }

        private boolean secIdMatches(String type, String value) {
            if (value.isEmpty()) {
                return true;
            }
            return !company.isin().isEmpty() && any(type, "ISIN") && value.equalsIgnoreCase(company.isin());
        }

        private static boolean any(String requested, String actual) {
            return requested.isEmpty() || requested.equalsIgnoreCase(actual);
        }
    }

    /** The company behind a listing, as contractDetails names and classifies it. */
    public record Company(String longName, String industry, String category, String subcategory, String stockType,
                          String isin) {

        static Company simulated(String symbol) {
            return new Company(symbol + " SIMULATED CORP", "", "", "", "COMMON", "");
        }
    }

    /**
     * The hours of an exchange: the zone as IB names it in timeZoneId, the zone to compute days in, the whole
     * trading session and its regular (liquid) part.
     */
    public record Session(String ibZoneId, ZoneId zone, LocalTime open, LocalTime close, LocalTime liquidOpen,
                          LocalTime liquidClose) {
    }
}
