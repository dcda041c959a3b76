package io.twsbridge.protocol.codec;

import io.twsbridge.protocol.ServerVersion;
import io.twsbridge.protocol.codec.OrderFields.In;
import io.twsbridge.protocol.wire.FieldReader;
import io.twsbridge.protocol.wire.FieldWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The order's field groups, shared by placeOrder, openOrder and completedOrder: what each message carries, and a
 * reader that takes exactly what the writer wrote, so that no codec can read a group one field short or long.
 */
class OrderFieldsTest {

    @ParameterizedTest
    @EnumSource(In.class)
    void theDeltaNeutralGroupIsTwoFieldsWhereNoTypeIsSentAndTwoPlusTheMessagesExtrasWhereTheGatewaySaysNone(In in) {
        int written = written(w -> OrderFields.writeDeltaNeutral(w, in));
        assertThat(written).isEqualTo(switch (in) {
            case PLACE_ORDER -> 2;                  // an empty type: IB's client sends no extras
            case OPEN_ORDER -> 2 + 8;               // "None" and all eight extras
            case COMPLETED_ORDER -> 2 + 4;          // "None" and completedOrder's four
        });
        assertReadTakesExactly(w -> OrderFields.writeDeltaNeutral(w, in), r -> OrderFields.readDeltaNeutral(r, in));
    }

    @ParameterizedTest
    @EnumSource(In.class)
    void thePegOffsetsAreAllFiveInAGatewaysReportAndOnlyThoseThatApplyInPlaceOrder(In in) {
        int sv = ServerVersion.PEGBEST_PEGMID_OFFSETS;
        assertThat(written(w -> OrderFields.writePegOffsets(w, in, sv - 1, "IBKRATS", "PEG MID"))).isZero();
        int smartLimit = written(w -> OrderFields.writePegOffsets(w, in, sv, "SMART", "LMT"));
        int atsPegMid = written(w -> OrderFields.writePegOffsets(w, in, sv, "IBKRATS", "PEG MID"));
        int pegBest = written(w -> OrderFields.writePegOffsets(w, in, sv, "SMART", "PEGBEST"));
        if (in == In.PLACE_ORDER) {
            assertThat(smartLimit).isZero();
            assertThat(atsPegMid).as("minTradeQty and the two mid offsets").isEqualTo(3);
            assertThat(pegBest).as("minCompeteSize and competeAgainstBestOffset").isEqualTo(2);
            assertThat(atsPegMid).isEqualTo(OrderFields.pegOffsetFields(sv, "IBKRATS", "PEG MID"));
        } else {
            assertThat(smartLimit).isEqualTo(5);
            assertThat(atsPegMid).isEqualTo(5);
            assertThat(pegBest).isEqualTo(5);
        }
    }

    @ParameterizedTest
    @EnumSource(In.class)
    void scaleHedgeAndTheDeltaNeutralContractAreReadAsWritten(In in) {
        assertReadTakesExactly(OrderFields::writeScale, OrderFields::readScale);
        assertReadTakesExactly(OrderFields::writeHedge, OrderFields::readHedge);
        assertReadTakesExactly(OrderFields::writeDeltaNeutralContract, OrderFields::readDeltaNeutralContract);
        assertThat(written(OrderFields::writeScale)).as("no extras after an unset increment").isEqualTo(3);
    }

    private static int written(Consumer<FieldWriter> group) {
        FieldWriter w = new FieldWriter();
        group.accept(w);
        w.string("sentinel");                       // a message is never empty; a group may be
        return FieldReader.of(w.toPayload()).remaining() - 1;
    }

    /** The group, then a sentinel field: the reader must stop exactly at the sentinel. */
    private static void assertReadTakesExactly(Consumer<FieldWriter> write, Consumer<FieldReader> read) {
        FieldWriter w = new FieldWriter();
        write.accept(w);
        w.string("sentinel");
        FieldReader r = FieldReader.of(w.toPayload());
        read.accept(r);
        assertThat(r.string()).isEqualTo("sentinel");
        assertThat(r.hasMore()).isFalse();
    }
}
