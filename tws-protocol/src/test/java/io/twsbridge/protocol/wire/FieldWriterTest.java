package io.twsbridge.protocol.wire;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThat;

class FieldWriterTest {

    @Test
    void emptyFieldsAtEveryBufferBoundaryAreWritten() throws Exception {
        // Each length puts an empty field at a different offset relative to the buffer's growth points.
        for (int prefix = 0; prefix < 80; prefix++) {
            FieldWriter w = new FieldWriter(16);
            w.string("x".repeat(prefix));
            for (int i = 0; i < 40; i++) {
                w.empty().string(null).string("");
            }
            byte[] payload = Frames.readFrame(new ByteArrayInputStream(w.toFrame()));
            FieldReader r = FieldReader.of(payload);
            assertThat(r.string()).hasSize(prefix);
            assertThat(r.remaining()).isEqualTo(120);
        }
    }

    @Test
    void unsetSpellingsReadBackAsUnset() {
        byte[] payload = new FieldWriter().doubleMax(null).intMax(null).doubleOrEmpty(null).intOrEmpty(null)
                .decimal(null).toPayload();
        FieldReader r = FieldReader.of(payload);
        assertThat(r.doubleOrNull()).isNull();
        assertThat(r.intOrNull()).isNull();
        assertThat(r.doubleOrNull()).isNull();
        assertThat(r.intOrNull()).isNull();
        assertThat(r.decimalOrNull()).isNull();
    }

    @Test
    void valuesReadBackExactly() {
        byte[] payload = new FieldWriter().int32(-7).int64(1L << 40).float64(189.25).decimal(new BigDecimal("0.00012345"))
                .bool(true).string("DU111111").toPayload();
        FieldReader r = FieldReader.of(payload);
        assertThat(r.int32()).isEqualTo(-7);
        assertThat(r.int64()).isEqualTo(1L << 40);
        assertThat(r.float64()).isEqualTo(189.25);
        assertThat(r.decimalOrNull()).isEqualTo(new BigDecimal("0.00012345"));
        assertThat(r.bool()).isTrue();
        assertThat(r.string()).isEqualTo("DU111111");
        assertThat(r.hasMore()).isFalse();
    }
}
