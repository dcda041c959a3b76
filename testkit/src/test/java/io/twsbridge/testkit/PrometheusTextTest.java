package io.twsbridge.testkit;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PrometheusTextTest {

    private static final String SCRAPE = """
            # HELP jvm_memory_used_bytes The amount of used memory
            # TYPE jvm_memory_used_bytes gauge
            jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 1000.0
            jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 24.0
            jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 5.0
            # HELP jvm_memory_used_bytes_extra A longer name with the other as prefix
            # TYPE jvm_memory_used_bytes_extra gauge
            jvm_memory_used_bytes_extra{area="heap"} 7.0
            # HELP jvm_gc_pause_seconds_max Time spent in GC pause
            # TYPE jvm_gc_pause_seconds_max gauge
            jvm_gc_pause_seconds_max{action="end of minor GC",cause="G1 Evacuation Pause"} 0.25
            jvm_gc_pause_seconds_max{action="end of major GC",cause="Diagnostic Command"} 1.5 1700000000000
            """;

    @Test
    void theCheckerRejectsWhatIsNotPrometheusText() {
        assertThatThrownBy(() -> PrometheusText.parse("tws_bridge_ready 1\n")).hasMessageContaining("TYPE");
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE a gauge\na{x=1} 1\n")).hasMessageContaining("line 2");
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE a gauge\na one\n")).hasMessageContaining("value");
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE a-b gauge\n")).hasMessageContaining("metric name");
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE a gauge\n# TYPE a gauge\n")).hasMessageContaining("second");
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE a gauges\n")).hasMessageContaining("TYPE must be");
        PrometheusText ok = PrometheusText.parse("# HELP a x \\\\ y\n# TYPE a summary\na_count{q=\"\\\"\"} 2\na_sum 1.5e-3\n");
        assertThat(ok.value("a_count", Map.of("q", "\""))).isEqualTo(2);
    }

    @Test
    void histogramAndSummarySamplesBelongToTheirFamily() {
        PrometheusText text = PrometheusText.parse("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 3\nh_sum 1\nh_count 3\n");
        assertThat(text.samples()).hasSize(3);
        assertThat(text.value("h_bucket", Map.of("le", "+Inf"))).isEqualTo(3);
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE s summary\ns_bucket 1\n")).hasMessageContaining("TYPE");
    }

    @Test
    void samplesAreSelectedByNameAndSomeOfTheirLabels() {
        PrometheusText text = PrometheusText.parse(SCRAPE);

        assertThat(text.sumWith("jvm_memory_used_bytes", Map.of("area", "heap"))).isEqualTo(1024.0);
        assertThat(text.sumWith("jvm_memory_used_bytes", Map.of())).isEqualTo(1029.0);
        assertThat(text.sumWith("jvm_memory_used_bytes", Map.of("area", "direct"))).isZero();
        assertThat(text.samplesWith("jvm_memory_used_bytes", Map.of("area", "direct"))).isEmpty();
        assertThat(text.samplesWith("jvm_gc_pause_seconds_max", Map.of("cause", "Diagnostic Command")))
                .singleElement().satisfies(s -> assertThat(s.value()).isEqualTo(1.5));
        assertThat(text.valueWith("jvm_memory_used_bytes", Map.of("id", "Metaspace"))).isEqualTo(5.0);
        assertThatThrownBy(() -> text.valueWith("jvm_memory_used_bytes", Map.of("area", "heap")))
                .hasMessageContaining("2 samples");
    }

    @Test
    void readingTheSamplesAloneNeedsNoTypeLineButStillAWellFormedSample() {
        PrometheusText text = PrometheusText.parseSamples("# a comment\nup 1\n# TYPE odd notatype\nq{x=\"y\"} 2.5");

        assertThat(text.families()).isEmpty();
        assertThat(text.sumWith("up", Map.of())).isEqualTo(1.0);
        assertThat(text.sumWith("q", Map.of("x", "y"))).isEqualTo(2.5);
        assertThat(PrometheusText.parseSamples(SCRAPE).samples()).isEqualTo(PrometheusText.parse(SCRAPE).samples());
        assertThatThrownBy(() -> PrometheusText.parseSamples("up{x=1} 1\n")).hasMessageContaining("line 1");
    }
}
