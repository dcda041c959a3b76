package io.twsbridge.sim;

import io.twsbridge.protocol.message.ClientMessage.ReqContractDetails;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.ContractSpecification;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.protocol.message.ServerMessage.ContractDetails;
import io.twsbridge.protocol.message.ServerMessage.ContractDetailsEnd;
import io.twsbridge.protocol.message.ServerMessage.ErrorMessage;
import io.twsbridge.protocol.message.TagValue;
import io.twsbridge.sim.support.TwsTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * reqContractDetails over a real socket: a description matches the simulator's listings as it would match IB's
 * (any subset of fields, empty ones matching anything), each match comes as its own contractDetails and one
 * contractDetailsEnd follows; nothing found is error 200 under the request's id, with no end; the ambiguous
 * symbol comes back twice.
 */
class ContractDetailsTest extends SimulatorTestBase {

    /** Friday 7 March 2025, 10:00 in New York: the hours run over a weekend. */
    private static final Clock FRIDAY = Clock.fixed(Instant.parse("2025-03-07T15:00:00Z"), ZoneOffset.UTC);
    private static final String US_TRADING_HOURS = "20250307:0400-20250307:2000;20250308:CLOSED;20250309:CLOSED;"
            + "20250310:0400-20250310:2000;20250311:0400-20250311:2000;20250312:0400-20250312:2000;"
            + "20250313:0400-20250313:2000";
    private static final String US_LIQUID_HOURS = "20250307:0930-20250307:1600;20250308:CLOSED;20250309:CLOSED;"
            + "20250310:0930-20250310:1600;20250311:0930-20250311:1600;20250312:0930-20250312:1600;"
            + "20250313:0930-20250313:1600";

    private TwsTestClient startAt(SimulatorConfig.Builder config, Clock clock) throws Exception {
        sim = GatewaySimulator.start(config.build(), clock);
        TwsTestClient c = client(1);
        c.awaitError(2158, TIMEOUT); // the last of the notices after startApi: replies below hold only answers
        return c;
    }

    @Test
    void aFullStockDescriptionFindsOneContractWithEverythingIbSays() throws Exception {
        TwsTestClient c = startAt(config(), FRIDAY);

        List<ServerMessage> answer = reply(c, new ReqContractDetails(10, stock("AAPL")), ContractDetailsEnd.class);

        assertThat(answer).hasSize(2);
        ContractDetails d = (ContractDetails) answer.get(0);
        assertThat(d.reqId()).isEqualTo(10);
        assertThat(d.contract()).isEqualTo(new Contract(265598, "AAPL", "STK", "", null, "", "", "SMART", "NASDAQ",
                "USD", "AAPL", "NMS"));
        ContractSpecification s = d.specification();
        assertThat(s.longName()).isEqualTo("APPLE INC");
        assertThat(s.marketName()).isEqualTo("NMS");
        assertThat(s.minTick()).isEqualTo(0.01);
        assertThat(s.timeZoneId()).isEqualTo("US/Eastern");
        assertThat(s.tradingHours()).isEqualTo(US_TRADING_HOURS);
        assertThat(s.liquidHours()).isEqualTo(US_LIQUID_HOURS);
        assertThat(s.validExchanges().split(",")).startsWith("SMART").contains("NASDAQ", "NYSE", "ARCA", "IBKRATS");
        assertThat(s.marketRuleIds().split(",")).hasSameSizeAs(s.validExchanges().split(",")).containsOnly("26");
        assertThat(s.orderTypes().split(",")).contains("LMT", "MKT", "STP", "STPLMT", "DAY", "GTC");
        assertThat(List.of(s.industry(), s.category(), s.subcategory())).containsExactly("Technology", "Computers",
                "Computers");
        assertThat(s.stockType()).isEqualTo("COMMON");
        assertThat(s.secIdList()).containsExactly(new TagValue("ISIN", "US0378331005"));
        assertThat(s.minSize()).isEqualByComparingTo(BigDecimal.ONE);
        assertThat(s.sizeIncrement()).isEqualByComparingTo(BigDecimal.ONE);
        assertThat(s.suggestedSizeIncrement()).isEqualByComparingTo("100");
        assertThat(answer.get(1)).isEqualTo(new ContractDetailsEnd(10));
    }

    @Test
    void hoursFollowTheSimulatorsClockAndTheExchangesZone() throws Exception {
        // 02:00 UTC on Monday 10 March is still Sunday evening in New York, and already Monday in Amsterdam.
        TwsTestClient c = startAt(config(), Clock.fixed(Instant.parse("2025-03-10T02:00:00Z"), ZoneOffset.UTC));

        ContractSpecification us = only(reply(c, new ReqContractDetails(11, stock("MSFT")), ContractDetailsEnd.class),
                ContractDetails.class).get(0).specification();
        ContractSpecification amsterdam = only(reply(c, new ReqContractDetails(12,
                        new Contract(0, "TWIN", "STK", "", null, "", "", "SMART", "AEB", "USD", "", "")),
                ContractDetailsEnd.class), ContractDetails.class).get(0).specification();

        assertThat(us.tradingHours()).startsWith("20250309:CLOSED;20250310:0400-20250310:2000;")
                .endsWith(";20250315:CLOSED");
        assertThat(us.tradingHours().split(";")).hasSize(7);
        assertThat(amsterdam.timeZoneId()).isEqualTo("MET");
        assertThat(amsterdam.tradingHours()).startsWith("20250310:0900-20250310:1730;")
                .endsWith(";20250315:CLOSED;20250316:CLOSED");
        assertThat(amsterdam.liquidHours()).isEqualTo(amsterdam.tradingHours());
    }

    @Test
    void anySubsetOfFieldsMatchesAndEveryEmptyFieldMatchesAnything() throws Exception {
        TwsTestClient c = startAt(config().symbols(List.of("AAPL", "MSFT", "IBM")), FRIDAY);

        assertThat(conIds(c, 20, new Contract(272093, "", "", "", null, "", "", "", "", "", "", "")))
                .containsExactly(272093);
        assertThat(conIds(c, 21, new Contract(0, "ibm", "", "", null, "", "", "", "", "", "", "")))
                .as("symbol alone, in any case").containsExactly(8314);
        assertThat(conIds(c, 22, new Contract(0, "AAPL", "STK", "", null, "", "", "", "", "", "", "")))
                .containsExactly(265598);
        assertThat(conIds(c, 23, new Contract(0, "AAPL", "STK", "", null, "", "", "SMART", "NASDAQ", "USD", "", "")))
                .containsExactly(265598);
        assertThat(conIds(c, 24, new Contract(0, "", "STK", "", null, "", "", "", "", "", "MSFT", "NMS")))
                .as("localSymbol and tradingClass").containsExactly(272093);
        assertThat(conIds(c, 25, new Contract(265598, "AAPL", "STK", "", 0.0, "", "", "SMART", "", "USD", "", "")))
                .as("conId with agreeing fields, strike 0 as IB's client sends it unset").containsExactly(265598);

        List<ContractDetails> isin = only(reply(c, new ReqContractDetails(26,
                new Contract(0, "", "", "", null, "", "", "", "", "", "", ""), false, "ISIN", "US5949181045", ""),
                ContractDetailsEnd.class), ContractDetails.class);
        assertThat(isin).extracting(d -> d.contract().conId()).containsExactly(272093);

        ContractDetails directed = only(reply(c, new ReqContractDetails(27,
                new Contract(0, "AAPL", "STK", "", null, "", "", "NASDAQ", "", "USD", "", "")),
                ContractDetailsEnd.class), ContractDetails.class).get(0);
        assertThat(directed.contract().exchange()).as("a directed exchange is answered as asked").isEqualTo("NASDAQ");
        assertThat(directed.contract().primaryExchange()).isEqualTo("NASDAQ");
    }

    @Test
    void aDescriptionNothingMatchesIsError200UnderItsIdWithoutAnEnd() throws Exception {
        TwsTestClient c = startAt(config(), FRIDAY);
        List<Contract> unknown = List.of(
                stock("NOSUCH"),
                Contract.stock("AAPL", "SMART", "EUR"),
                new Contract(0, "AAPL", "STK", "", null, "", "", "SMART", "NYSE", "USD", "", ""),
                new Contract(0, "AAPL", "OPT", "20250321", 200.0, "C", "100", "SMART", "", "USD", "", ""),
                new Contract(0, "AAPL", "STK", "", null, "", "", "LSE", "", "USD", "", ""),
                new Contract(272093, "AAPL", "STK", "", null, "", "", "SMART", "", "USD", "", ""),
                new Contract(999, "", "", "", null, "", "", "", "", "", "", ""),
                new Contract(0, "", "STK", "", null, "", "", "SMART", "", "USD", "", ""));

        for (int i = 0; i < unknown.size(); i++) {
            c.send(new ReqContractDetails(30 + i, unknown.get(i)));
        }
        for (int i = 0; i < unknown.size(); i++) {
            int reqId = 30 + i;
            ErrorMessage e = c.await(ErrorMessage.class, m -> m.id() == reqId, TIMEOUT);
            assertThat(e.code()).as("%s", unknown.get(i)).isEqualTo(200);
            assertThat(e.message()).isEqualTo("No security definition has been found for the request");
        }
        // A later request's End proves the earlier answers are complete: nothing else came for them.
        reply(c, new ReqContractDetails(50, stock("AAPL")), ContractDetailsEnd.class);
        assertThat(c.received(ContractDetailsEnd.class)).extracting(ContractDetailsEnd::reqId).containsExactly(50);
        assertThat(c.received(ContractDetails.class)).extracting(ContractDetails::reqId).containsExactly(50);
        assertThat(sim.state().received("ReqContractDetails")).isEqualTo(unknown.size() + 1);
    }

    @Test
    void theAmbiguousSymbolFindsTwoContractsThenOneEnd() throws Exception {
        TwsTestClient c = startAt(config(), FRIDAY);

        List<ServerMessage> answer = reply(c, new ReqContractDetails(60, stock("TWIN")), ContractDetailsEnd.class);

        List<ContractDetails> matches = only(answer, ContractDetails.class);
        assertThat(answer).hasSize(3).last().isEqualTo(new ContractDetailsEnd(60));
        assertThat(matches).extracting(d -> d.contract().primaryExchange()).containsExactly("NASDAQ", "AEB");
        assertThat(matches).extracting(d -> d.contract().currency()).containsOnly("USD");
        assertThat(matches).extracting(d -> d.contract().exchange()).containsOnly("SMART");
        int nasdaq = matches.get(0).contract().conId();
        int aeb = matches.get(1).contract().conId();
        assertThat(nasdaq).isNotEqualTo(aeb).isNotIn(265598, 272093);

        assertThat(conIds(c, 61, new Contract(0, "TWIN", "STK", "", null, "", "", "SMART", "AEB", "USD", "", "")))
                .as("the primary exchange tells them apart").containsExactly(aeb);
        assertThat(conIds(c, 62, new Contract(nasdaq, "", "", "", null, "", "", "", "", "", "", "")))
                .as("so does the conId").containsExactly(nasdaq);
        assertThat(conIds(c, 63, new Contract(0, "TWIN", "STK", "", null, "", "", "AEB", "", "", "", "")))
                .as("and a directed exchange only one of them trades on").containsExactly(aeb);
    }

    @Test
    void theAmbiguousSymbolIsConfigurableAndCanBeSwitchedOff() throws Exception {
        TwsTestClient c = startAt(config().ambiguousSymbol("duo"), FRIDAY);
        assertThat(conIds(c, 70, stock("DUO"))).hasSize(2);
        c.send(new ReqContractDetails(71, stock("TWIN")));
        assertThat(c.await(ErrorMessage.class, e -> e.id() == 71, TIMEOUT).code()).isEqualTo(200);
        sim.close();
        sim = null;

        TwsTestClient none = startAt(config().ambiguousSymbol(""), FRIDAY);
        none.send(new ReqContractDetails(72, stock("TWIN")));
        assertThat(none.await(ErrorMessage.class, e -> e.id() == 72, TIMEOUT).code()).isEqualTo(200);
    }

    @Test
    void anAmbiguousSymbolThatIsAlsoAMarketSymbolOrNoTickerIsRefusedAtStart() {
        assertThatThrownBy(() -> config().symbols(List.of("AAPL", "TWIN")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ambiguous symbol must not be one of the symbols [AAPL, TWIN] but was 'TWIN'");
        assertThatThrownBy(() -> config().ambiguousSymbol("TW IN").build())
                .hasMessageContaining("ambiguous symbol must be a plain ticker");
        assertThat(config().ambiguousSymbol(" twin ").build().ambiguousSymbol()).isEqualTo("TWIN");
    }

    @ParameterizedTest(name = "server version {0}")
    @ValueSource(ints = {157, 163, 165, 176, 178})
    void theRepliesDecodeAtEveryServerVersionWithTheFieldsThatVersionCarries(int serverVersion) throws Exception {
        TwsTestClient c = startAt(config().serverVersion(serverVersion), FRIDAY);
        assertThat(c.serverHello().serverVersion()).isEqualTo(serverVersion);

        List<ServerMessage> answer = reply(c, new ReqContractDetails(80, stock("TWIN")), ContractDetailsEnd.class);
        c.send(new ReqContractDetails(81, stock("NOSUCH")));
        ErrorMessage unknown = c.await(ErrorMessage.class, e -> e.id() == 81, TIMEOUT);

        assertThat(c.failure()).as("decoding failure").isNull();
        assertThat(only(answer, ContractDetails.class)).hasSize(2).allSatisfy(d -> {
            ContractSpecification s = d.specification();
            assertThat(s.longName()).isEqualTo("TWIN SIMULATED CORP");
            assertThat(s.stockType()).isEqualTo("COMMON");
            if (serverVersion < 164) {
                assertThat(s.mdSizeMultiplier()).isEqualTo(1);
                assertThat(s.minSize()).isNull();
            } else {
                assertThat(s.mdSizeMultiplier()).isZero();
                assertThat(s.minSize()).isEqualByComparingTo("1");
                assertThat(s.suggestedSizeIncrement()).isEqualByComparingTo("100");
            }
            if (serverVersion == 163) {
                assertThat(s.sizeMinTick()).isEqualByComparingTo("1");
            } else {
                assertThat(s.sizeMinTick()).isNull();
            }
        });
        assertThat(unknown.code()).isEqualTo(200);
    }

    private static List<Integer> conIds(TwsTestClient c, int reqId, Contract contract) throws IOException {
        return only(reply(c, new ReqContractDetails(reqId, contract), ContractDetailsEnd.class), ContractDetails.class)
                .stream().map(d -> d.contract().conId()).toList();
    }
}
