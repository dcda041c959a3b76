package io.twsbridge.bench;

import io.twsbridge.bench.support.BenchMode;
import io.twsbridge.bench.support.Report;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CI's benchmark check: every benchmark of the suite runs in smoke mode (short, real parts: broker, registry,
 * simulator, bridge) and writes its results. It proves the benchmarks work; it judges none of their numbers, which
 * mean nothing on a loaded CI machine.
 */
class BenchSuiteSmokeIT {

    @Test
    void everyBenchmarkRunsAndWritesItsResultsAndTheSummary() throws Exception {
        Path results = Path.of("target", "smoke-results");

        BenchSuite.Outcome outcome = BenchSuite.run(List.of(), new BenchMode(true, results));

        assertThat(outcome.failures()).isEmpty();
        assertThat(outcome.reports()).extracting(Report::name)
                .containsExactlyElementsOf(BenchSuite.BENCHMARKS.keySet());
        for (Report report : outcome.reports()) {
            assertThat(report.rows()).as("rows of %s", report.name()).isNotEmpty();
            assertThat(report.verdicts()).as("targets of %s", report.name()).isNotEmpty();
            assertThat(results.resolve(report.name() + ".md")).content().contains("Smoke mode");
            assertThat(results.resolve(report.name() + ".json")).content().startsWith("{\"name\":\"" + report.name() + "\"");
        }
        String summary = Files.readString(results.resolve("summary.md"));
        for (Report report : outcome.reports()) {
            for (Report.Verdict v : report.verdicts()) {
                assertThat(summary).contains("| " + report.name() + " | " + v.target() + " | " + v.measured() + " |");
            }
        }
    }
}
