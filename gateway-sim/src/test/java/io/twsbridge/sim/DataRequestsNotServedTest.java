package io.twsbridge.sim;

import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.ServerMessage.ErrorMessage;
import io.twsbridge.sim.support.TwsTestClient;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests the codec reads and the simulator does not serve yet (historical data, real-time bars, head timestamps)
 * are answered with error 321 under their own id, so a client never waits for an answer that would
 * not come; the connection goes on serving the rest.
 */
class DataRequestsNotServedTest extends SimulatorTestBase {

    @Test
    void eachIsRefusedUnderItsIdAndTheConnectionServesTheNextRequest() throws Exception {
        start(config());
        TwsTestClient c = client(1);
        Contract aapl = stock("AAPL");

        c.send(new ClientMessage.ReqHistoricalData(32, aapl, false, "", "1 D", "1 hour", true, "TRADES", 1, false, ""));
        c.send(new ClientMessage.ReqRealTimeBars(33, aapl, 5, "TRADES", true, ""));

        for (int id = 32; id <= 33; id++) {
            int reqId = id;
            ErrorMessage refused = c.await(ErrorMessage.class, e -> e.id() == reqId, TIMEOUT);
            assertThat(refused.code()).isEqualTo(321);
            assertThat(refused.message()).startsWith("Error validating request: the simulator does not serve ");
        }
        c.send(marketData(34, "AAPL", false));
        c.await(io.twsbridge.protocol.message.ServerMessage.TickPrice.class, t -> t.reqId() == 34, TIMEOUT);
    }
}
