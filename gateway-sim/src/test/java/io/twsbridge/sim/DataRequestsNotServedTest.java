package io.twsbridge.sim;

import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.ServerMessage.ErrorMessage;
import io.twsbridge.sim.support.TwsTestClient;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A request the codec reads and the simulator does not serve yet (contract details) is answered with error 321
 * under its own id, so a client never waits for an answer that would not come; the connection goes on serving the
 * rest. Historical data, real-time bars and head timestamps are served: see HistoricalDataTest and RealTimeBarsTest.
 */
class DataRequestsNotServedTest extends SimulatorTestBase {

    @Test
    void eachIsRefusedUnderItsIdAndTheConnectionServesTheNextRequest() throws Exception {
        start(config());
        TwsTestClient c = client(1);
        Contract aapl = stock("AAPL");

        c.send(new ClientMessage.ReqContractDetails(31, aapl, false, "", "", ""));

        ErrorMessage refused = c.await(ErrorMessage.class, e -> e.id() == 31, TIMEOUT);
        assertThat(refused.code()).isEqualTo(321);
        assertThat(refused.message()).startsWith("Error validating request: the simulator does not serve ");
        c.send(marketData(34, "AAPL", false));
        c.await(io.twsbridge.protocol.message.ServerMessage.TickPrice.class, t -> t.reqId() == 34, TIMEOUT);
    }
}
