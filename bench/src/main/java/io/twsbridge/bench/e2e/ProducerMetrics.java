package io.twsbridge.bench.e2e;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;

/**
 * A few of a Kafka producer's own metrics, read through JMX while it is open, to show whether two producers did
 * comparable work per record: how well their batches compressed and how many records a produce request carried.
 * Kafka averages them over its metric samples (30 s each), so they describe roughly the last phase.
 *
 * @param compressionRate   compressed size / uncompressed size of the batches (lower compresses better)
 * @param recordsPerRequest records per produce request (all partitions of one broker go in one request)
 */
record ProducerMetrics(double compressionRate, double recordsPerRequest) {

    private static final String PRODUCER_METRICS = "kafka.producer:type=producer-metrics,client-id=";

    /** NaN for what cannot be read (no such producer, or no metric yet). */
    static ProducerMetrics of(String clientId) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            ObjectName name = name(server, clientId);
            return new ProducerMetrics(read(server, name, "compression-rate-avg"),
                    read(server, name, "records-per-request-avg"));
        } catch (JMException e) {
            return new ProducerMetrics(Double.NaN, Double.NaN);
        }
    }

    /**
     * Every byte the producer has written to its sockets so far (produce requests with their headers, and the
     * little metadata it asks for): the bytes on the wire. NaN when it cannot be read.
     */
    static double outgoingBytes(String clientId) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            return read(server, name(server, clientId), "outgoing-byte-total");
        } catch (JMException e) {
            return Double.NaN;
        }
    }

    private static ObjectName name(MBeanServer server, String clientId) throws JMException {
        // Kafka quotes the client id in the name only when it has to.
        ObjectName name = new ObjectName(PRODUCER_METRICS + clientId);
        return server.isRegistered(name) ? name : new ObjectName(PRODUCER_METRICS + ObjectName.quote(clientId));
    }

    private static double read(MBeanServer server, ObjectName name, String attribute) {
        try {
            return server.getAttribute(name, attribute) instanceof Number n ? n.doubleValue() : Double.NaN;
        } catch (JMException e) {
            return Double.NaN; // not registered or not measured yet: shown as "-"
        }
    }
}
