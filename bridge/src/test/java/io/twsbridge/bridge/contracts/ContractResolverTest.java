package io.twsbridge.bridge.contracts;

import io.twsbridge.bridge.time.ManualEventLoop;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.ContractSpecification;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.schema.ContractDetails;
import io.twsbridge.schema.Instrument;
import io.twsbridge.schema.catalogue.ReasonCodes;
import io.twsbridge.schema.catalogue.Topic;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ContractResolverTest {

    private final List<Contract> asked = new ArrayList<>();
    private final List<CompletableFuture<List<ServerMessage.ContractDetails>>> answers = new ArrayList<>();
    private final List<ContractDetails> published = new ArrayList<>();
    private final ManualEventLoop loop = new ManualEventLoop();
    private final Clock clock = loop.clock();
    private final ContractResolver resolver = new ContractResolver(description -> {
        asked.add(description);
        CompletableFuture<List<ServerMessage.ContractDetails>> f = new CompletableFuture<>();
        answers.add(f);
        return f;
    }, new ContractCache(100, clock), (topic, key, value) -> {
        assertThat(topic).isEqualTo(Topic.CONTRACTS);
        assertThat(key).isEqualTo(Long.toString(((ContractDetails) value).getConId()));
        published.add((ContractDetails) value);
        return CompletableFuture.completedFuture(null);
    }, clock);

    @Test
    void aConIdAloneIsQualifiedWithIbsFieldsAndRoutedAsAsked() {
        CompletableFuture<ContractResolver.Qualified> q = resolver.qualify(byConId(265598), "order-1");
        assertThat(asked).singleElement().satisfies(c -> assertThat(c.conId()).isEqualTo(265598));
        answers.get(0).complete(List.of(details(265598, "AAPL", "NASDAQ")));

        Instrument i = q.join().instrument();
        assertThat(i.getConId()).isEqualTo(265598L);
        assertThat(i.getSymbol()).isEqualTo("AAPL");
        assertThat(i.getPrimaryExchange()).isEqualTo("NASDAQ");
        assertThat(i.getExchange()).as("the command's SMART, whatever exchange IB reported").isEqualTo("SMART");
        assertThat(published).singleElement().satisfies(d -> assertThat(d.getCommandId()).isEqualTo("order-1"));
    }

    @Test
    void manyQualificationsOfOneNewDescriptionMakeOneRequestAndAreToldInTheOrderTheyCame() {
        List<String> order = new ArrayList<>();
        for (int n = 0; n < 20; n++) {
            String id = "bars-" + n;
            resolver.qualify(stock("MSFT"), id).thenAccept(q -> order.add(id));
        }
        assertThat(asked).hasSize(1);
        answers.get(0).complete(List.of(details(272093, "MSFT", "NASDAQ")));

        assertThat(order).containsExactlyElementsOf(java.util.stream.IntStream.range(0, 20).mapToObj(n -> "bars-" + n)
                .toList());
        // Later qualifications are answered from the cache: no request, nothing published again.
        assertThat(resolver.qualify(stock("MSFT"), "later").join().instrument().getConId()).isEqualTo(272093L);
        assertThat(resolver.qualify(byConId(272093), "by-id").join().instrument().getSymbol()).isEqualTo("MSFT");
        assertThat(asked).hasSize(1);
        assertThat(published).hasSize(1);
    }

    @Test
    void aQualificationThatComesWhileTheWaitingAreBeingToldIsToldAfterAllOfThem() {
        // What the first command does once told (a strategy's next historical request for the same instrument)
        // asks again while two earlier commands still wait to be told: it must not go before them.
        List<String> order = new ArrayList<>();
        resolver.qualify(stock("MSFT"), "first").thenAccept(q -> {
            order.add("first");
            resolver.qualify(stock("MSFT"), "came-while-telling").thenAccept(x -> order.add("came-while-telling"));
        });
        resolver.qualify(stock("MSFT"), "second").thenAccept(q -> order.add("second"));
        resolver.qualify(stock("MSFT"), "third").thenAccept(q -> order.add("third"));
        answers.get(0).complete(List.of(details(272093, "MSFT", "NASDAQ")));

        assertThat(order).containsExactly("first", "second", "third", "came-while-telling");
        assertThat(asked).as("the late one was answered with the same resolution, not asked again").hasSize(1);
        // Once all are told the list is closed: the next one comes straight from the cache.
        assertThat(resolver.qualify(stock("MSFT"), "after").isDone()).isTrue();
    }

    @Test
    void aDayLaterTheDescriptionIsAskedAgain() {
        resolver.qualify(stock("MSFT"), "a");
        answers.get(0).complete(List.of(details(272093, "MSFT", "NASDAQ")));
        loop.advance(ContractCache.TIME_TO_LIVE);
        resolver.qualify(stock("MSFT"), "b");
        assertThat(asked).hasSize(2);
    }

    @Test
    void noMatchAndSeveralMatchesAreRefusalsThatNameWhatIbSaid() {
        CompletableFuture<ContractResolver.Qualified> none = resolver.qualify(stock("NOSUCH"), "x");
        answers.get(0).complete(List.of());
        assertThatThrownBy(none::join).cause().isInstanceOfSatisfying(ContractResolver.NotQualified.class, n -> {
            assertThat(n.rejection().reasonCode()).isEqualTo(ReasonCodes.CONTRACT_NOT_FOUND);
            assertThat(n.rejection().message()).contains("symbol=NOSUCH");
        });

        CompletableFuture<ContractResolver.Qualified> two = resolver.qualify(stock("TWIN"), "y");
        answers.get(1).complete(List.of(details(11, "TWIN", "NASDAQ"), details(12, "TWIN", "AEB")));
        assertThatThrownBy(two::join).cause().isInstanceOfSatisfying(ContractResolver.NotQualified.class, n -> {
            assertThat(n.rejection().reasonCode()).isEqualTo(ReasonCodes.CONTRACT_AMBIGUOUS);
            assertThat(n.rejection().message()).contains("conId 11 TWIN STK SMART/NASDAQ USD")
                    .contains("conId 12 TWIN STK SMART/AEB USD");
            assertThat(n.resolution().conIds()).containsExactly(11L, 12L);
        });
        // No match is not cached (the contract may be listed tomorrow): asked again.
        resolver.qualify(stock("NOSUCH"), "z");
        assertThat(asked).hasSize(3);
    }

    private static Instrument stock(String symbol) {
        return Instrument.newBuilder().setSymbol(symbol).setSecType("STK").setCurrency("USD").build();
    }

    private static Instrument byConId(long conId) {
        return Instrument.newBuilder().setConId(conId).build();
    }

    private static ServerMessage.ContractDetails details(int conId, String symbol, String primary) {
        return new ServerMessage.ContractDetails(1, new Contract(conId, symbol, "STK", "", null, "", "", "SMART",
                primary, "USD", symbol, "NMS"), ContractSpecification.builder().longName(symbol + " INC")
                .timeZoneId("US/Eastern").build());
    }
}
