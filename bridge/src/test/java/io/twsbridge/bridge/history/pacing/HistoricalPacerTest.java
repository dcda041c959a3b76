package io.twsbridge.bridge.history.pacing;

import io.twsbridge.bridge.time.ManualEventLoop;
import io.twsbridge.bridge.time.ThreadEventLoop;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Each of IB's rules, the margin, the queue, expiry, fairness and the breaker, on a driven clock. */
class HistoricalPacerTest {

    private final ManualEventLoop loop = new ManualEventLoop();
    private final Instant t0 = loop.clock().instant();
    private HistoricalPacer pacer = new HistoricalPacer(PacingSettings.defaults(), loop);
    /** When true, every permit is answered the moment it is granted, so open slots never limit. */
    private boolean answerAtOnce;

    // ---- each rule alone

    @Test
    void atMostMaxOpenPermitsAreOutstandingWhateverTheBarSize() {
        List<CompletableFuture<Permit>> first = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            first.add(admit(large("big-" + i, "C" + i + "|SMART|TRADES", "p")));
        }
        CompletableFuture<Permit> fiftyFirst = admit(large("big-50", "C50|SMART|TRADES", "p"));
        CompletableFuture<Permit> fiftySecond = admit(small("small-51", "C51|SMART|TRADES", "p"));
        assertThat(first).allMatch(CompletableFuture::isDone);
        assertThat(fiftyFirst).isNotDone();
        assertThat(fiftySecond).isNotDone();
        assertThat(pacer.snapshot().openPermits()).isEqualTo(50);
        assertThat(pacer.snapshot().queueDepth()).isEqualTo(2);

        loop.advance(Duration.ofMinutes(5));
        assertThat(fiftyFirst).as("time alone frees no slot").isNotDone();

        Permit one = first.get(0).join();
        one.answered();
        one.answered();
        one.release();
        assertThat(fiftyFirst).isDone();
        assertThat(fiftySecond).as("ending one permit three times frees one slot").isNotDone();
        first.get(1).join().release();
        assertThat(fiftySecond).isDone();
        assertThat(pacer.snapshot().openPermits()).isEqualTo(50);
    }

    @Test
    void anIdenticalSmallBarsRequestWaitsFifteenSecondsPlusTheMargin() {
        CompletableFuture<Permit> first = admit(small("AAPL-5s-1D", "AAPL|SMART|TRADES", "p"));
        first.join().answered();
        CompletableFuture<Permit> again = admit(small("AAPL-5s-1D", "AAPL|SMART|TRADES", "p"));
        CompletableFuture<Permit> otherIdentity = admit(small("AAPL-5s-2D", "AAPL|SMART|TRADES", "p"));

        assertThat(otherIdentity).as("same contract, different request: not held").isDone();
        loop.advance(Duration.ofMillis(15_999));
        assertThat(again).isNotDone();
        loop.advance(Duration.ofMillis(1));
        assertThat(again).isDone();
        assertThat(again.join().waited()).isEqualTo(Duration.ofSeconds(16));
        assertThat(again.join().admittedAt()).isEqualTo(t0.plusSeconds(16));
    }

    @Test
    void fewerThanSixWeightedPerContractKeyWithinTwoSecondsPlusTheMargin() {
        answerAtOnce = true;
        List<CompletableFuture<Permit>> sameContract = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            sameContract.add(admit(small("MSFT-" + i, "MSFT|SMART|TRADES", "p")));
        }
        CompletableFuture<Permit> otherTickType = admit(small("MSFT-mid", "MSFT|SMART|MIDPOINT", "p"));
        assertThat(sameContract.subList(0, 5)).allMatch(CompletableFuture::isDone);
        assertThat(sameContract.get(5)).isNotDone();
        assertThat(otherTickType).as("a waiting request of one contract key holds up no other").isDone();

        loop.advance(Duration.ofMillis(2_999));
        assertThat(sameContract.get(5)).isNotDone();
        loop.advance(Duration.ofMillis(1));
        assertThat(sameContract.get(5)).isDone();
    }

    @Test
    void atMostSixtyWeightedSmallBarsAdmissionsInTenMinutesPlusTheMargin() {
        answerAtOnce = true;
        List<CompletableFuture<Permit>> all = new ArrayList<>();
        for (int i = 0; i < 61; i++) {
            all.add(admit(small("R" + i, "C" + i + "|SMART|TRADES", "p")));
        }
        assertThat(all.subList(0, 60)).allMatch(CompletableFuture::isDone);
        assertThat(all.get(60)).isNotDone();
        loop.advance(Duration.ofMinutes(10).plusMillis(999));
        assertThat(all.get(60)).isNotDone();
        loop.advance(Duration.ofMillis(1));
        assertThat(all.get(60)).isDone();
        assertThat(pacer.snapshot().longestWait()).isEqualTo(Duration.ofSeconds(601));
    }

    @Test
    void bidAskCountsTwiceInTheTwoSecondWindow() {
        answerAtOnce = true;
        List<CompletableFuture<Permit>> bidAsk = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            bidAsk.add(admit(bidAsk("IBM-" + i, "IBM|SMART|BID_ASK", "p")));
        }
        assertThat(bidAsk.subList(0, 2)).allMatch(CompletableFuture::isDone);
        assertThat(bidAsk.get(2)).as("2 + 2 + 2 = 6 within 2 s would break the rule").isNotDone();
        loop.advance(Duration.ofSeconds(3));
        assertThat(bidAsk.get(2)).isDone();
    }

    @Test
    void bidAskCountsTwiceInTheTenMinuteWindow() {
        answerAtOnce = true;
        for (int i = 0; i < 30; i++) {
            assertThat(admit(bidAsk("BA" + i, "C" + i + "|SMART|BID_ASK", "p"))).isDone();
        }
        CompletableFuture<Permit> single = admit(small("T", "T|SMART|TRADES", "p"));
        assertThat(single).as("30 BID_ASK weigh 60").isNotDone();
        loop.advance(Duration.ofSeconds(601));
        assertThat(single).isDone();
    }

    @Test
    void largeBarsAreExemptFromTheSmallBarsRulesButCountInTheOpenSlots() {
        answerAtOnce = true;
        for (int i = 0; i < 10; i++) {
            assertThat(admit(large("SPY-1h-1W", "SPY|SMART|TRADES", "p")))
                    .as("identical large-bar requests, one contract, all at once").isDone();
        }
        for (int i = 0; i < 70; i++) {
            assertThat(admit(large("L" + i, "L" + i + "|SMART|TRADES", "p"))).isDone();
        }
        for (int i = 0; i < 60; i++) {
            assertThat(admit(small("S" + i, "S" + i + "|SMART|TRADES", "p")))
                    .as("large bars did not count in the 10-minute window").isDone();
        }
        answerAtOnce = false;
        for (int i = 0; i < 50; i++) {
            admit(large("open" + i, "O" + i + "|SMART|TRADES", "p"));
        }
        assertThat(admit(large("one-more", "X|SMART|TRADES", "p"))).isNotDone();
    }

    @Test
    void theMarginWidensEveryWindowByItsLength() {
        pacer = new HistoricalPacer(PacingSettings.builder().safetyMargin(Duration.ofMillis(250)).build(), loop);
        answerAtOnce = true;
        admit(small("ID", "K|SMART|TRADES", "p"));
        CompletableFuture<Permit> identical = admit(small("ID", "K|SMART|TRADES", "q"));
        for (int i = 0; i < 4; i++) {
            admit(small("K" + i, "K|SMART|TRADES", "p"));
        }
        CompletableFuture<Permit> sixthOfContract = admit(small("K-last", "K|SMART|TRADES", "r"));
        // 5 admitted, 2 waiting: 53 more make 60 in the 10-minute window once those two have gone.
        for (int i = 0; i < 53; i++) {
            admit(small("M" + i, "M" + i + "|SMART|TRADES", "p"));
        }
        CompletableFuture<Permit> sixtyFirst = admit(small("last", "Z|SMART|TRADES", "p"));

        loop.advance(Duration.ofMillis(2_249));
        assertThat(sixthOfContract).isNotDone();
        loop.advance(Duration.ofMillis(1));
        assertThat(sixthOfContract).isDone();
        loop.advance(Duration.ofMillis(15_250 - 2_250 - 1));
        assertThat(identical).isNotDone();
        loop.advance(Duration.ofMillis(1));
        assertThat(identical).isDone();
        assertThat(sixtyFirst).isNotDone();
        loop.advance(Duration.between(loop.clock().instant(), t0.plus(Duration.ofMillis(600_249))));
        assertThat(sixtyFirst).isNotDone();
        loop.advance(Duration.ofMillis(1));
        assertThat(sixtyFirst).isDone();
    }

    @Test
    void aZeroMarginKeepsIbsWindowsExactly() {
        pacer = new HistoricalPacer(PacingSettings.builder().safetyMargin(Duration.ZERO).build(), loop);
        admit(small("ID", "K|SMART|TRADES", "p")).join().answered();
        CompletableFuture<Permit> identical = admit(small("ID", "K|SMART|TRADES", "p"));
        loop.advance(Duration.ofMillis(14_999));
        assertThat(identical).isNotDone();
        loop.advance(Duration.ofMillis(1));
        assertThat(identical).isDone();
    }

    // ---- the queue

    @Test
    void aFullQueueRefusesAtOnceUnlessTheNewcomerDisplacesAFlood() {
        pacer = new HistoricalPacer(PacingSettings.builder().queueCapacity(3).build(), loop);
        admit(small("ID", "K|SMART|TRADES", "A")).join();
        List<CompletableFuture<Permit>> waiting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiting.add(admit(small("ID", "K|SMART|TRADES", "A")));
        }
        assertThat(waiting).noneMatch(CompletableFuture::isDone);

        CompletableFuture<Permit> fourth = admit(small("ID", "K|SMART|TRADES", "A"));
        assertThat(fourth).isCompletedExceptionally();
        assertThat(refusal(fourth).reason()).isEqualTo(PacingRefusal.Reason.QUEUE_FULL);
        assertThat(refusal(fourth).waited()).isZero();

        CompletableFuture<Permit> otherProducer = admit(small("B-ID", "K|SMART|TRADES", "B"));
        assertThat(otherProducer).as("B's first request: admissible, admitted").isDone();
        assertThat(otherProducer).isNotCompletedExceptionally();
        assertThat(waiting.get(2)).as("A's newest made room").isCompletedExceptionally();
        assertThat(refusal(waiting.get(2)).reason()).isEqualTo(PacingRefusal.Reason.QUEUE_FULL);
        assertThat(waiting.subList(0, 2)).noneMatch(CompletableFuture::isDone);

        PacingSnapshot s = pacer.snapshot();
        assertThat(s.refusedQueueFull()).isEqualTo(2);
        assertThat(s.queueDepth()).isEqualTo(2);
        assertThat(s.waitingByProducer()).containsExactly(Map.entry("A", 2));
    }

    @Test
    void aFullQueueSharedEvenlyRefusesTheNewcomer() {
        pacer = new HistoricalPacer(PacingSettings.builder().queueCapacity(2).build(), loop);
        admit(small("ID", "K|SMART|TRADES", "A")).join();
        CompletableFuture<Permit> a = admit(small("ID", "K|SMART|TRADES", "A"));
        CompletableFuture<Permit> b = admit(small("ID", "K|SMART|TRADES", "B"));
        CompletableFuture<Permit> c = admit(small("ID", "K|SMART|TRADES", "C"));
        assertThat(a).isNotDone();
        assertThat(b).isNotDone();
        assertThat(refusal(c).reason()).isEqualTo(PacingRefusal.Reason.QUEUE_FULL);
    }

    @Test
    void aRequestStillWaitingAtItsExpiryIsRefusedExactlyThen() {
        admit(small("ID", "K|SMART|TRADES", "p")).join();
        CompletableFuture<Permit> expiring = admit(small("ID", "K|SMART|TRADES", "p", t0.plusSeconds(10)));
        CompletableFuture<Permit> expiringAtItsTurn = admit(small("ID", "K|SMART|TRADES", "q", t0.plusSeconds(16)));
        CompletableFuture<Permit> lasting = admit(small("ID", "K|SMART|TRADES", "r", t0.plusSeconds(17)));
        loop.advance(Duration.ofMillis(9_999));
        assertThat(expiring).isNotDone();
        loop.advance(Duration.ofMillis(1));
        assertThat(expiring).isCompletedExceptionally();
        assertThat(refusal(expiring).reason()).isEqualTo(PacingRefusal.Reason.WAIT_EXPIRED);
        assertThat(refusal(expiring).waited()).isEqualTo(Duration.ofSeconds(10));
        assertThat(refusal(expiring).request().producer()).isEqualTo("p");

        loop.advance(Duration.ofSeconds(6));
        assertThat(expiringAtItsTurn).as("expired at the instant it would have gone: refused")
                .isCompletedExceptionally();
        assertThat(lasting).isDone().isNotCompletedExceptionally();
        assertThat(pacer.snapshot().refusedExpired()).isEqualTo(2);
        assertThat(pacer.snapshot().queueDepth()).isZero();
    }

    @Test
    void anAlreadyExpiredRequestIsRefusedOnArrival() {
        CompletableFuture<Permit> late = admit(small("ID", "K|SMART|TRADES", "p", t0));
        assertThat(refusal(late).reason()).isEqualTo(PacingRefusal.Reason.WAIT_EXPIRED);
    }

    @Test
    void aCancelledWaitLeavesTheQueue() {
        admit(small("ID", "K|SMART|TRADES", "p")).join();
        CompletableFuture<Permit> waiting = admit(small("ID", "K|SMART|TRADES", "p"));
        assertThat(pacer.snapshot().queueDepth()).isEqualTo(1);
        waiting.cancel(false);
        assertThat(pacer.snapshot().queueDepth()).isZero();
        loop.advance(Duration.ofSeconds(20));
        assertThat(pacer.snapshot().admittedTotal()).isEqualTo(1);
    }

    // ---- fairness

    /** Admissions in order: producer and instant. */
    private record Admission(String producer, Instant at) {
    }

    @Test
    void aFloodDoesNotDelayAnotherProducersFirstRequestBeyondTheRules() {
        answerAtOnce = true;
        List<Admission> order = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            admitRecorded(small("F" + i, "F" + (i % 25) + "|SMART|" + (i < 50 ? "TRADES" : "MIDPOINT"), "flood"),
                    order);
        }
        assertThat(order).as("the flood spent the 10-minute budget").hasSize(60);
        loop.advance(Duration.ofSeconds(1));
        Instant arrival = loop.clock().instant();
        for (String p : List.of("A", "B", "C", "D")) {
            admitRecorded(small(p + "-first", p + "|SMART|TRADES", p), order);
        }
        // Their first admissible moment: the budget spent at t0 frees at t0 + 10 min + margin.
        Instant firstAdmissible = t0.plus(Duration.ofMinutes(10)).plusSeconds(1);
        loop.advance(Duration.between(arrival, firstAdmissible).minusMillis(1));
        assertThat(order).as("nothing is admissible before").hasSize(60);
        loop.advance(Duration.ofMillis(1));

        List<Admission> after = order.subList(60, order.size());
        assertThat(after).hasSizeGreaterThanOrEqualTo(5);
        for (String p : List.of("A", "B", "C", "D")) {
            int index = indexOf(after, p);
            assertThat(index).as("%s among the first 5 admissions after %s", p, firstAdmissible).isBetween(0, 4);
            assertThat(after.get(index).at()).isEqualTo(firstAdmissible);
        }
    }

    @Test
    void onOneContractKeyFirstRequestsGoInTurnWithAFlood() {
        answerAtOnce = true;
        List<Admission> order = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            admitRecorded(bidAsk("F" + i, "X|SMART|BID_ASK", "flood"), order);
        }
        int floodBefore = order.size();
        for (String p : List.of("A", "B", "C", "D")) {
            admitRecorded(bidAsk(p + "-first", "X|SMART|BID_ASK", p), order);
        }
        loop.advance(Duration.ofSeconds(30));
        List<Admission> after = order.subList(floodBefore, order.size());
        for (String p : List.of("A", "B", "C", "D")) {
            assertThat(indexOf(after, p)).as("%s among the first 5 admissions after its arrival", p)
                    .isBetween(0, 4);
        }
        // Two BID_ASK per 3-s window, and the flood has its turn in each round: D goes in the third window.
        assertThat(after.get(indexOf(after, "D")).at()).isBeforeOrEqualTo(t0.plusSeconds(9));
    }

    @Test
    void producersAskingAtOnceWithoutHistoryAreAllAdmittedAtOnceOnDistinctContracts() {
        for (int p = 0; p < 5; p++) {
            assertThat(admit(bidAsk("P" + p, "C" + p + "|SMART|BID_ASK", "p" + p))).isDone();
        }
    }

    @Test
    void aWaitingBidAskIsNotStarvedBySingleWeightRequestsOfTheSameContract() {
        answerAtOnce = true;
        for (int i = 0; i < 4; i++) {
            admit(small("S" + i, "X|SMART|TRADES", "A"));
        }
        CompletableFuture<Permit> heavy = admit(bidAsk("heavy", "X|SMART|TRADES", "B"));
        CompletableFuture<Permit> light = admit(small("light", "X|SMART|TRADES", "C"));
        assertThat(heavy).as("4 + 2 > 5").isNotDone();
        assertThat(light).as("the one free unit is held for the BID_ASK ahead of it").isNotDone();
        loop.advance(Duration.ofSeconds(3));
        assertThat(heavy).isDone();
        assertThat(light).isDone();
    }

    // ---- the breaker

    @Test
    void aViolationHoldsEverythingForTheWaitThenOneTrialWhoseAnswerCloses() {
        Permit sent = admit(small("R0", "C0|SMART|TRADES", "p")).join();
        sent.pacingViolation();
        PacingSnapshot open = pacer.snapshot();
        assertThat(open.breaker()).isEqualTo(PacingSnapshot.BreakerState.OPEN);
        assertThat(open.breakerOpenUntil()).isEqualTo(t0.plusSeconds(30));
        assertThat(open.pacingViolations()).isEqualTo(1);
        assertThat(open.openPermits()).isZero();

        List<CompletableFuture<Permit>> waiting = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            waiting.add(admit(small("R" + i, "C" + i + "|SMART|TRADES", "p" + i)));
        }
        waiting.add(admit(large("L", "L|SMART|TRADES", "p4")));
        loop.advance(Duration.ofMillis(29_999));
        assertThat(waiting).noneMatch(CompletableFuture::isDone);
        loop.advance(Duration.ofMillis(1));
        assertThat(waiting.stream().filter(CompletableFuture::isDone)).hasSize(1);
        assertThat(pacer.snapshot().breaker()).isEqualTo(PacingSnapshot.BreakerState.HALF_OPEN);
        loop.advance(Duration.ofMinutes(1));
        assertThat(waiting.stream().filter(CompletableFuture::isDone)).as("only the trial while it runs").hasSize(1);

        waiting.get(0).join().answered();
        assertThat(pacer.snapshot().breaker()).isEqualTo(PacingSnapshot.BreakerState.CLOSED);
        assertThat(waiting).allMatch(CompletableFuture::isDone);
    }

    @Test
    void whileTheBreakerIsOpenRequestsWaitAndExpireAsAnyOther() {
        pacer.onPacingViolation();
        CompletableFuture<Permit> waiting = admit(small("A", "A|SMART|TRADES", "p", t0.plusSeconds(10)));
        assertThat(waiting).as("an open breaker is no refusal").isNotDone();
        loop.advance(Duration.ofMillis(9_999));
        assertThat(waiting).isNotDone();
        loop.advance(Duration.ofMillis(1));
        assertThat(refusal(waiting).reason()).isEqualTo(PacingRefusal.Reason.WAIT_EXPIRED);
    }

    @Test
    void aSecondViolationSoonAfterClosingDoublesTheWait() {
        admit(small("R0", "C0|SMART|TRADES", "p")).join().pacingViolation();
        loop.advance(Duration.ofSeconds(30));
        admit(small("R1", "C1|SMART|TRADES", "p")).join().answered();
        assertThat(pacer.snapshot().breaker()).isEqualTo(PacingSnapshot.BreakerState.CLOSED);

        loop.advance(Duration.ofSeconds(5));
        admit(small("R2", "C2|SMART|TRADES", "p")).join().pacingViolation();
        assertThat(pacer.snapshot().breakerOpenUntil()).isEqualTo(loop.clock().instant().plusSeconds(60));
        CompletableFuture<Permit> next = admit(small("R3", "C3|SMART|TRADES", "p"));
        loop.advance(Duration.ofMillis(59_999));
        assertThat(next).isNotDone();
        loop.advance(Duration.ofMillis(1));
        assertThat(next).isDone();
    }

    @Test
    void aTrialThatViolatesAgainReopensForTheNextWaitUpToTheMaximum() {
        admit(small("R", "C|SMART|TRADES", "p")).join().pacingViolation();
        List<Duration> waits = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Instant openedAt = loop.clock().instant();
            waits.add(Duration.between(openedAt, pacer.snapshot().breakerOpenUntil()));
            CompletableFuture<Permit> trial = admit(small("T" + i, "T" + i + "|SMART|TRADES", "p"));
            loop.advance(waits.get(i));
            trial.join().pacingViolation();
        }
        assertThat(waits).containsExactly(Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(120),
                Duration.ofSeconds(240), Duration.ofSeconds(480), Duration.ofSeconds(600));
        assertThat(pacer.snapshot().pacingViolations()).isEqualTo(7);
    }

    @Test
    void violationsOfRequestsSentBeforeTheBreakerOpenedDoNotExtendIt() {
        Permit a = admit(small("A", "A|SMART|TRADES", "p")).join();
        Permit b = admit(small("B", "B|SMART|TRADES", "p")).join();
        a.pacingViolation();
        loop.advance(Duration.ofSeconds(5));
        b.pacingViolation();
        assertThat(pacer.snapshot().breakerOpenUntil()).isEqualTo(t0.plusSeconds(30));
        assertThat(pacer.snapshot().pacingViolations()).isEqualTo(2);

        CompletableFuture<Permit> trial = admit(small("C", "C|SMART|TRADES", "p"));
        loop.advance(Duration.ofSeconds(25));
        Permit c = trial.join();
        assertThat(c.admittedAt()).isEqualTo(t0.plusSeconds(30));
        c.answered();
        assertThat(pacer.snapshot().breaker()).isEqualTo(PacingSnapshot.BreakerState.CLOSED);
    }

    @Test
    void aLateViolationOfARequestSentBeforeTheLastOpeningLeavesAClosedBreakerClosed() {
        Permit a = admit(small("A", "A|SMART|TRADES", "p")).join();
        Permit slow = admit(small("S", "S|SMART|TRADES", "p")).join();
        a.pacingViolation();
        loop.advance(Duration.ofSeconds(30));
        admit(small("T", "T|SMART|TRADES", "p")).join().answered();
        slow.pacingViolation();
        assertThat(pacer.snapshot().breaker()).isEqualTo(PacingSnapshot.BreakerState.CLOSED);
        assertThat(pacer.snapshot().pacingViolations()).isEqualTo(2);
    }

    @Test
    void aTrialEndedWithoutAnAnswerLetsAnotherGo() {
        admit(small("A", "A|SMART|TRADES", "p")).join().pacingViolation();
        CompletableFuture<Permit> first = admit(small("B", "B|SMART|TRADES", "p"));
        CompletableFuture<Permit> second = admit(small("C", "C|SMART|TRADES", "q"));
        loop.advance(Duration.ofSeconds(30));
        assertThat(first).isDone();
        assertThat(second).isNotDone();
        first.join().release();
        assertThat(second).isDone();
        assertThat(pacer.snapshot().breaker()).isEqualTo(PacingSnapshot.BreakerState.HALF_OPEN);
        second.join().answered();
        assertThat(pacer.snapshot().breaker()).isEqualTo(PacingSnapshot.BreakerState.CLOSED);
    }

    @Test
    void afterTenQuietMinutesTheBackoffStartsAgain() {
        admit(small("A", "A|SMART|TRADES", "p")).join().pacingViolation();
        loop.advance(Duration.ofSeconds(30));
        admit(small("B", "B|SMART|TRADES", "p")).join().answered();
        loop.advance(Duration.ofMinutes(10));
        pacer.onPacingViolation();
        assertThat(pacer.snapshot().breakerOpenUntil()).isEqualTo(loop.clock().instant().plusSeconds(30));
    }

    @Test
    void anUnattributedViolationOpensAClosedBreakerAndAnOpenBreakerOnlyCountsIt() {
        pacer.onPacingViolation();
        assertThat(pacer.snapshot().breaker()).isEqualTo(PacingSnapshot.BreakerState.OPEN);
        loop.advance(Duration.ofSeconds(10));
        pacer.onPacingViolation();
        assertThat(pacer.snapshot().breakerOpenUntil()).isEqualTo(t0.plusSeconds(30));
        loop.advance(Duration.ofSeconds(20));
        assertThat(pacer.snapshot().breaker()).as("moved on by the pacer's timer, nothing waiting")
                .isEqualTo(PacingSnapshot.BreakerState.HALF_OPEN);
        assertThat(pacer.snapshot().pacingViolations()).isEqualTo(2);
    }

    // ---- snapshot and threads

    @Test
    void theSnapshotCountsWhatHappened() {
        answerAtOnce = true;
        admit(small("X", "K|SMART|TRADES", "a"));
        admit(small("X", "K|SMART|TRADES", "a"));
        admit(small("X", "K|SMART|TRADES", "b"));
        admit(small("X", "K|SMART|TRADES", "b", t0.plusSeconds(1)));
        PacingSnapshot s = pacer.snapshot();
        assertThat(s.queueDepth()).isEqualTo(3);
        assertThat(s.waitingByProducer()).containsExactly(Map.entry("a", 1), Map.entry("b", 2));
        assertThat(s.admittedTotal()).isEqualTo(1);
        loop.advance(Duration.ofSeconds(20));
        s = pacer.snapshot();
        assertThat(s.refusedExpired()).isEqualTo(1);
        assertThat(s.admittedTotal()).isEqualTo(2);
        assertThat(s.longestWait()).isEqualTo(Duration.ofSeconds(16));
        assertThat(s.openPermits()).isZero();
        assertThat(s.breaker()).isEqualTo(PacingSnapshot.BreakerState.CLOSED);
        assertThat(s.breakerOpenUntil()).isNull();
        loop.advance(Duration.ofSeconds(20));
        assertThat(pacer.snapshot().admittedTotal()).isEqualTo(3);
        assertThat(loop.pendingTimers()).as("nothing waits, no timer").isZero();
    }

    @Test
    void callsFromManyThreadsHopOntoTheLoop() throws Exception {
        ThreadEventLoop threadLoop = new ThreadEventLoop("pacer-test", Clock.systemUTC());
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            HistoricalPacer shared = new HistoricalPacer(PacingSettings.defaults(), threadLoop);
            Instant expiry = Instant.now().plus(Duration.ofHours(1));
            ConcurrentLinkedQueue<Permit> held = new ConcurrentLinkedQueue<>();
            for (int i = 0; i < 200; i++) {
                int n = i;
                callers.execute(() -> shared.admit(new PacedRequest("L" + n, "L" + (n % 7) + "|SMART|TRADES", false,
                        1, "p" + (n % 4), expiry)).thenAccept(held::add));
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> held.size() == 50 && shared.snapshot().queueDepth() == 150);
            assertThat(shared.snapshot().openPermits()).isEqualTo(50);

            AtomicInteger answered = new AtomicInteger();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                Permit p;
                while ((p = held.poll()) != null) {
                    p.answered();
                    answered.incrementAndGet();
                }
                return answered.get() == 200;
            });
            await().atMost(Duration.ofSeconds(5)).until(() -> shared.snapshot().openPermits() == 0);
            assertThat(shared.snapshot().admittedTotal()).isEqualTo(200);
            assertThat(shared.snapshot().queueDepth()).isZero();
        } finally {
            callers.shutdownNow();
            callers.awaitTermination(5, TimeUnit.SECONDS);
            threadLoop.close();
        }
    }

    // ---- settings and requests

    @Nested
    class Values {
        @Test
        void defaults() {
            PacingSettings d = PacingSettings.defaults();
            assertThat(d.maxOpen()).isEqualTo(50);
            assertThat(d.queueCapacity()).isEqualTo(500);
            assertThat(d.safetyMargin()).isEqualTo(Duration.ofSeconds(1));
            assertThat(d.breakerFirstWait()).isEqualTo(Duration.ofSeconds(30));
            assertThat(d.breakerMultiplier()).isEqualTo(2.0);
            assertThat(d.breakerMaxWait()).isEqualTo(Duration.ofMinutes(10));
            assertThat(d.toBuilder().build()).isEqualTo(d);
        }

        @Test
        void everyBadSettingIsReportedAtOnce() {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> PacingSettings.builder().maxOpen(51)
                            .queueCapacity(0).safetyMargin(Duration.ofSeconds(-1)).breakerFirstWait(Duration.ZERO)
                            .breakerMultiplier(0.5).breakerMaxWait(null).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("history.pacing.max-open must be 1..50 but was 51")
                    .hasMessageContaining("history.pacing.queue-capacity")
                    .hasMessageContaining("history.pacing.safety-margin")
                    .hasMessageContaining("history.pacing.breaker-first-wait")
                    .hasMessageContaining("history.pacing.breaker-multiplier")
                    .hasMessageContaining("history.pacing.breaker-max-wait");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> PacingSettings.builder()
                            .breakerFirstWait(Duration.ofMinutes(5)).breakerMaxWait(Duration.ofMinutes(1)).build())
                    .hasMessageContaining("must be >= history.pacing.breaker-first-wait");
        }

        @Test
        void requests() {
            assertThat(PacedRequest.weightFor("BID_ASK")).isEqualTo(2);
            assertThat(PacedRequest.weightFor("TRADES")).isEqualTo(1);
            assertThat(PacedRequest.isSmallBarSize(Duration.ofSeconds(30))).isTrue();
            assertThat(PacedRequest.isSmallBarSize(Duration.ofMinutes(1))).isFalse();
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> new PacedRequest("i", "k", true, 3, "p", Instant.EPOCH))
                    .hasMessage("weight must be 1 or 2 (BID_ASK) but was 3");
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> new PacedRequest("i", " ", true, 1, "p", Instant.EPOCH))
                    .hasMessageContaining("contractKey must not be empty");
        }
    }

    // ---- helpers

    private CompletableFuture<Permit> admit(PacedRequest r) {
        CompletableFuture<Permit> f = pacer.admit(r);
        f.thenAccept(permit -> {
            if (answerAtOnce) {
                permit.answered();
            }
        });
        return f;
    }

    private void admitRecorded(PacedRequest r, List<Admission> order) {
        admit(r).thenAccept(p -> order.add(new Admission(p.request().producer(), loop.clock().instant())));
    }

    private static int indexOf(List<Admission> order, String producer) {
        for (int i = 0; i < order.size(); i++) {
            if (order.get(i).producer().equals(producer)) {
                return i;
            }
        }
        return -1;
    }

    private static PacingRefusal refusal(CompletableFuture<Permit> f) {
        assertThat(f).isCompletedExceptionally();
        Throwable cause = f.handle((p, e) -> e).join();
        assertThat(cause).isInstanceOf(PacingRefusal.class);
        return (PacingRefusal) cause;
    }

    private PacedRequest small(String identity, String contractKey, String producer) {
        return small(identity, contractKey, producer, t0.plus(Duration.ofHours(1)));
    }

    private PacedRequest small(String identity, String contractKey, String producer, Instant expiry) {
        return new PacedRequest(identity, contractKey, true, 1, producer, expiry);
    }

    private PacedRequest bidAsk(String identity, String contractKey, String producer) {
        return new PacedRequest(identity, contractKey, true, PacedRequest.weightFor("BID_ASK"), producer,
                t0.plus(Duration.ofHours(1)));
    }

    private PacedRequest large(String identity, String contractKey, String producer) {
        return new PacedRequest(identity, contractKey, false, 1, producer, t0.plus(Duration.ofHours(1)));
    }
}
