package io.twsbridge.bridge;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package dependencies that must point one way (drawn in bridge/README.md). Production classes only: tests
 * may reach across, to wire real parts together.
 */
class ArchitectureTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.twsbridge.bridge", "io.twsbridge.protocol");

    @Test
    void theBridgesTopLevelPackagesFormNoCycle() {
        slices().matching("io.twsbridge.bridge.(*)..").should().beFreeOfCycles()
                .because("a package that reaches back into one that uses it can no longer be understood, tested or "
                        + "changed on its own; each dependency points from wiring (app, cli) towards the Gateway")
                .check(CLASSES);
    }

    @Test
    void theGatewaySideKnowsNoKafka() {
        noClasses().that().resideInAPackage("io.twsbridge.bridge.gateway..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "io.twsbridge.bridge.kafka..",
                        "org.apache.avro..", "io.twsbridge.schema..")
                .because("the session, its transport and its supervisor must run, and be tested, with no broker and "
                        + "no schema in sight; Kafka is what the rest of the bridge does with what they hear")
                .check(CLASSES);
    }

    @Test
    void theProtocolKnowsNoIoBeyondStreams() {
        noClasses().that().resideInAPackage("io.twsbridge.protocol..")
                .should().dependOnClassesThat().resideInAnyPackage("java.net..", "java.nio.channels..",
                        "java.nio.file..", "java.util.concurrent..", "io.twsbridge.bridge..")
                .orShould().dependOnClassesThat().areAssignableTo(Thread.class)
                .because("the codec turns bytes into messages and back: sockets, files and threads belong to the "
                        + "transport, so that the codec is tested on byte arrays alone and shared by the simulator")
                .check(CLASSES);
    }

    @Test
    void commandHandlingAndOrdersKnowNoKafkaClient() {
        noClasses().that().resideInAnyPackage("io.twsbridge.bridge.commands..", "io.twsbridge.bridge.orders..",
                        "io.twsbridge.bridge.results..", "io.twsbridge.bridge.contracts..",
                        "io.twsbridge.bridge.history..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "io.twsbridge.bridge.kafka..")
                .because("what a command means and what an order may do are decided without a broker; the poll "
                        + "loop and the publisher hand commands in and results out")
                .check(CLASSES);
    }

    @Test
    void onlyTheCommandLineAndTheWiringUseTheApplication() {
        noClasses().that().resideOutsideOfPackages("io.twsbridge.bridge.app..", "io.twsbridge.bridge.cli..")
                .should().dependOnClassesThat().resideInAPackage("io.twsbridge.bridge.app..")
                .because("app wires every part together; a part that reached into it would depend on all the others")
                .check(CLASSES);
    }
}
