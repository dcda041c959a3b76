package io.twsbridge.sim;

import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.protocol.message.ServerMessage.AccountUpdateMulti;
import io.twsbridge.protocol.message.ServerMessage.AccountUpdateMultiEnd;
import io.twsbridge.protocol.message.ServerMessage.ErrorMessage;
import io.twsbridge.sim.support.TwsTestClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * reqAccountUpdatesMulti as IB's clients use it: ib_async sends one per account at every connect and waits for
 * each accountUpdateMultiEnd, so a request that never ends costs every such client its timeout.
 */
class AccountUpdatesMultiTest extends SimulatorTestBase {

    private TwsTestClient c;

    @BeforeEach
    void connect() throws Exception {
        start(config().accounts(List.of("DU111111", "DU222222")).symbols(List.of("AAPL", "MSFT")));
        c = client(1);
    }

    @Test
    void everyValueOfTheAccountArrivesUnderTheRequestIdThenTheEnd() throws Exception {
        List<ServerMessage> reply = reply(c, new ClientMessage.ReqAccountUpdatesMulti(7, "DU222222", "", false),
                AccountUpdateMultiEnd.class);

        List<AccountUpdateMulti> values = only(reply, AccountUpdateMulti.class);
        assertThat(values).allSatisfy(v -> {
            assertThat(v.reqId()).isEqualTo(7);
            assertThat(v.account()).isEqualTo("DU222222");
            assertThat(v.modelCode()).isEmpty();
        });
        assertThat(values).extracting(AccountUpdateMulti::key)
                .contains("AccountCode", "NetLiquidation", "TotalCashValue", "BuyingPower").doesNotHaveDuplicates();
        assertThat(values).filteredOn(v -> v.key().equals("NetLiquidation")).singleElement()
                .satisfies(v -> assertThat(new BigDecimal(v.value())).isPositive())
                .satisfies(v -> assertThat(v.currency()).isEqualTo("USD"));
        // The farm notices after connect may interleave; nothing else does.
        assertThat(reply).filteredOn(m -> !(m instanceof ErrorMessage)).hasSize(values.size() + 1);
        assertThat(reply.get(reply.size() - 1)).isEqualTo(new AccountUpdateMultiEnd(7));
        assertThat(c.received(ErrorMessage.class)).noneMatch(e -> e.code() == 321);
    }

    @Test
    void ledgerAndNlvAsksForTheLightweightSet() throws Exception {
        List<ServerMessage> reply = reply(c, new ClientMessage.ReqAccountUpdatesMulti(8, "DU111111", "", true),
                AccountUpdateMultiEnd.class);

        assertThat(only(reply, AccountUpdateMulti.class)).extracting(AccountUpdateMulti::key)
                .containsExactlyInAnyOrder("NetLiquidation", "TotalCashValue");
    }

    @Test
    void allCoversEveryManagedAccount() throws Exception {
        List<ServerMessage> reply = reply(c, new ClientMessage.ReqAccountUpdatesMulti(9, "All", "", false),
                AccountUpdateMultiEnd.class);

        assertThat(only(reply, AccountUpdateMulti.class).stream().map(AccountUpdateMulti::account).distinct())
                .containsExactly("DU111111", "DU222222");
    }

    @Test
    void fillsAreStreamedUntilTheCancel() throws Exception {
        reply(c, new ClientMessage.ReqAccountUpdatesMulti(10, "DU111111", "", false), AccountUpdateMultiEnd.class);
        int afterEnd = c.received().size();

        c.send(place(1, "AAPL", market("BUY", 10, "multi-1")));
        eventually().until(() -> since(afterEnd).stream().anyMatch(m -> m instanceof AccountUpdateMulti v
                && v.reqId() == 10 && v.key().equals("GrossPositionValue")));

        c.send(new ClientMessage.CancelAccountUpdatesMulti(10));
        int afterCancel = c.received().size();
        c.send(place(2, "AAPL", market("BUY", 10, "multi-2")));
        // A marketable order fills while placeOrder is handled, so once the next request's answer is here every
        // update that fill caused is here too.
        c.send(new ClientMessage.ReqCurrentTime());
        c.await(ServerMessage.CurrentTime.class, TIMEOUT);
        assertThat(c.await(ServerMessage.ExecDetails.class, e -> e.execution().orderRef().equals("multi-2"), TIMEOUT))
                .isNotNull();
        assertThat(since(afterCancel)).noneMatch(AccountUpdateMulti.class::isInstance);
    }

    private List<ServerMessage> since(int index) {
        List<ServerMessage> all = c.received();
        return all.subList(index, all.size());
    }

    @Test
    void anUnknownAccountOrAModelCodeIsRefusedUnderTheRequestId() throws Exception {
        c.send(new ClientMessage.ReqAccountUpdatesMulti(11, "DU999999", "", false));
        c.send(new ClientMessage.ReqAccountUpdatesMulti(12, "DU111111", "MODEL1", false));

        assertThat(c.await(ErrorMessage.class, e -> e.id() == 11, TIMEOUT))
                .satisfies(e -> assertThat(e.code()).isEqualTo(321))
                .satisfies(e -> assertThat(e.message()).contains("DU999999"));
        assertThat(c.await(ErrorMessage.class, e -> e.id() == 12, TIMEOUT).code()).isEqualTo(321);
        assertThat(c.received(AccountUpdateMultiEnd.class)).isEmpty();
        assertThat(c.received(AccountUpdateMulti.class)).isEmpty();
    }
}
