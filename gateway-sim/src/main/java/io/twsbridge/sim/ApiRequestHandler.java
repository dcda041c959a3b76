package io.twsbridge.sim;

import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.sim.broker.Broker;
import io.twsbridge.sim.market.ContractCatalog;
import io.twsbridge.sim.market.Instrument;
import io.twsbridge.sim.market.Market;
import io.twsbridge.sim.market.MarketDataFeed;
import io.twsbridge.sim.market.RealTimeBars;
import io.twsbridge.sim.net.ClientConnection;

import java.time.Clock;
import java.util.Optional;

/** Routes each decoded request of an API client to the part of the simulator that answers it. */
final class ApiRequestHandler {

    private final Market market;
    private final MarketDataFeed feed;
    private final Broker broker;
    private final Clock clock;
    private final Faults faults;
    private final ContractCatalog contracts;
    private final HistoricalRequests historical;
    private final RealTimeBars realTimeBars;

    ApiRequestHandler(Market market, MarketDataFeed feed, Broker broker, Clock clock, Faults faults,
                      ContractCatalog contracts, HistoricalRequests historical, RealTimeBars realTimeBars) {
        this.contracts = contracts;
        this.faults = faults;
        this.historical = historical;
        this.realTimeBars = realTimeBars;
        this.market = market;
        this.feed = feed;
        this.broker = broker;
        this.clock = clock;
    }

    void handle(ClientConnection c, ClientMessage message) {
        if (message instanceof ClientMessage.ReqMktData m) {
            Optional<Instrument> instrument = market.resolve(m.contract());
            if (instrument.isEmpty()) {
                c.send(new ServerMessage.ErrorMessage(m.reqId(), 200,
                        "No security definition has been found for the request"));
            } else {
                feed.subscribe(c, m.reqId(), instrument.get(), m.snapshot());
            }
        } else if (message instanceof ClientMessage.CancelMktData m) {
            feed.cancel(c, m.reqId());
        } else if (message instanceof ClientMessage.PlaceOrder m) {
            if (faults.takeRefuseAsDuplicate()) {
                broker.refuseAsDuplicateId(c, m);
                return;
            }
            String rejection = faults.takeRejection();
            if (rejection != null) {
                broker.reject(c, m, rejection);
                return;
            }
            if (faults.takeDropAfterPlaceOrder()) {
                c.mute(); // the order is taken, but no answer will reach the client
                broker.placeOrder(c, m);
                c.close("fault: link dropped after placeOrder, before any acknowledgement");
                return;
            }
            broker.placeOrder(c, m);
        } else if (message instanceof ClientMessage.CancelOrder m) {
            broker.cancelOrder(c, m.orderId());
        } else if (message instanceof ClientMessage.ReqOpenOrders) {
            broker.sendOpenOrders(c, false);
        } else if (message instanceof ClientMessage.ReqAllOpenOrders) {
            broker.sendOpenOrders(c, true);
        } else if (message instanceof ClientMessage.ReqAccountUpdates m) {
            broker.accountUpdates(c, m.subscribe(), m.account());
        } else if (message instanceof ClientMessage.ReqAccountUpdatesMulti m) {
            broker.accountUpdatesMulti(c, m);
        } else if (message instanceof ClientMessage.CancelAccountUpdatesMulti m) {
            broker.cancelAccountUpdatesMulti(c, m.reqId());
        } else if (message instanceof ClientMessage.ReqExecutions m) {
            broker.sendExecutions(c, m.reqId(), m.filter());
        } else if (message instanceof ClientMessage.ReqIds) {
            c.send(new ServerMessage.NextValidId(broker.nextValidId(c.clientId())));
        } else if (message instanceof ClientMessage.ReqCurrentTime) {
            c.send(new ServerMessage.CurrentTime(clock.instant().getEpochSecond()));
        } else if (message instanceof ClientMessage.ReqMarketDataType m) {
            feed.setMarketDataType(c, m.marketDataType());
        } else if (message instanceof ClientMessage.ReqPositions) {
            broker.positions(c);
        } else if (message instanceof ClientMessage.CancelPositions) {
            broker.cancelPositions(c);
        } else if (message instanceof ClientMessage.ReqAccountSummary m) {
            broker.sendAccountSummary(c, m.reqId(), m.tags());
        } else if (message instanceof ClientMessage.ReqCompletedOrders) {
            broker.sendCompletedOrders(c);
        } else if (message instanceof ClientMessage.ReqContractDetails m) {
            contracts.answer(c, m);
        } else if (message instanceof ClientMessage.ReqHistoricalData m) {
            historical.request(c, m);
        } else if (message instanceof ClientMessage.CancelHistoricalData m) {
            historical.cancel(c, m.reqId());
        } else if (message instanceof ClientMessage.ReqRealTimeBars m) {
            Optional<Instrument> instrument = market.resolve(m.contract());
            if (instrument.isEmpty()) {
                c.send(new ServerMessage.ErrorMessage(m.reqId(), 200,
                        "No security definition has been found for the request"));
            } else {
                realTimeBars.subscribe(c, m, instrument.get());
            }
        } else if (message instanceof ClientMessage.CancelRealTimeBars m) {
            realTimeBars.cancel(c, m.reqId());
        } else if (message instanceof ClientMessage.ReqHeadTimestamp m) {
            historical.headTimestamp(c, m);
        }
        // startApi again, reqAutoOpenOrders, cancelAccountSummary and cancelHeadTimestamp (a head timestamp is
        // answered at once) need no answer: summaries are not streamed, and nothing was started.
    }
}
