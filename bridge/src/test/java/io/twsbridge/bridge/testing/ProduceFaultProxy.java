package io.twsbridge.bridge.testing;

import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP proxy in front of a Kafka broker that speaks enough of Kafka's protocol to provoke the idempotent
 * producer's sequence race on demand: armed for a client id, it answers that client's next produce request with
 * NOT_LEADER_OR_FOLLOWER instead of forwarding it, and holds that answer until the client's following produce
 * request has reached the broker. The broker thus appends the later batch first, as the first it ever saw from
 * that producer on the partition, and every retry of the refused batch is out of sequence from then on
 * (KAFKA-15591): exactly what a just-created partition or a moved leader does by chance.
 *
 * <p>Responses on one connection go back in request order, as Kafka's clients require: the held refusal goes out
 * before the broker's answer to the request that followed it. The broker must advertise this proxy's port
 * ({@code advertised.listeners}) so that clients reconnect through it after their first metadata.
 *
 * <p>Test code; every connection ends with {@link #close()}.
 */
public final class ProduceFaultProxy implements AutoCloseable {

    private final ServerSocket server;
    private final InetSocketAddress broker;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicReference<String> armedFor = new AtomicReference<>();
    private final AtomicInteger armedCount = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger produceRequests = new AtomicInteger();
    private final AtomicInteger racesStruck = new AtomicInteger();
    /** Races still wanted by {@link #refuseUntilRaced}; 0 when refusals are armed by count alone. */
    private final AtomicInteger racesWanted = new AtomicInteger();
    private volatile boolean closed;

    private ProduceFaultProxy(ServerSocket server, InetSocketAddress broker) {
        this.server = server;
        this.broker = broker;
        Thread acceptor = new Thread(this::acceptLoop, "kafka-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy on {@code port} (0: a free one) of 127.0.0.1, forwarding to the broker at {@code brokerPort}. */
    public static ProduceFaultProxy start(int port, int brokerPort) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return new ProduceFaultProxy(s, new InetSocketAddress(InetAddress.getLoopbackAddress(), brokerPort));
    }

    /** A free port on 127.0.0.1 for the broker's own listener or this proxy. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** The next produce request of the client with this client id is refused (once). */
    public void refuseNextProduce(String clientId) {
        refuseProduce(clientId, 1);
    }

    /**
     * The next {@code count} produce requests of the client with this client id are refused, each answer held until
     * a later request of the client reaches the broker: the more refused in a row, the more partitions that a
     * forwarded request writes first.
     */
    public synchronized void refuseProduce(String clientId, int count) {
        racesWanted.set(0);
        armedCount.set(count);
        armedFor.set(clientId);
    }

    /**
     * Refuses the produce requests of the client with this client id, one at a time (the request after each refusal
     * goes on and releases it), until {@code races} refusals were raced by that following request
     * ({@link #racesStruck()}) or {@code maxRefusals} were made. Whether a following request writes a refused
     * partition again is the client's batching, so one refusal alone may or may not start the race; this keeps
     * trying, a few requests apart, each refusal a plain retry for the client when it does not.
     */
    public synchronized void refuseUntilRaced(String clientId, int races, int maxRefusals) {
        racesWanted.set(races);
        armedCount.set(maxRefusals);
        armedFor.set(clientId);
    }

    /** Whether the refusals armed last are all used. */
    public boolean disarmed() {
        return armedFor.get() == null;
    }

    /** Produce requests refused so far. */
    public int refused() {
        return refused.get();
    }

    /**
     * Refusals released by a following produce request that writes one of the refused request's partitions: the
     * only ones whose retries the broker can find out of sequence. A following request to other partitions
     * releases the refusal too, and its retry then simply succeeds.
     */
    public int racesStruck() {
        return racesStruck.get();
    }

    /** Produce requests seen so far, of every client. */
    public int produceRequests() {
        return produceRequests.get();
    }

    /** A refusal was raced: with {@link #refuseUntilRaced}, one race fewer to wait for. */
    private synchronized void raced() {
        if (racesWanted.get() > 0 && racesWanted.decrementAndGet() == 0) {
            armedFor.set(null);
        }
    }

    private synchronized boolean takeRefusal(String clientId) {
        String armed = armedFor.get();
        if (armed == null || !armed.equals(clientId)) {
            return false;
        }
        if (armedCount.decrementAndGet() <= 0) {
            armedFor.set(null);
        }
        return true;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket();
                upstream.connect(broker, 5_000);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(upstream);
                new Connection(client, upstream).start();
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("kafka proxy: accept failed: " + e);
                }
            }
        }
    }

    /** One client connection and its own connection to the broker. */
    private final class Connection {
        private final Socket client;
        private final Socket upstream;
        /** Answers owed to the client, in request order: the broker's (no bytes) or ours. */
        private final ArrayDeque<Owed> owed = new ArrayDeque<>();
        private OutputStream toClient;

        private Connection(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void start() throws IOException {
            toClient = client.getOutputStream();
            Thread up = new Thread(this::requests, "kafka-proxy-requests");
            Thread down = new Thread(this::responses, "kafka-proxy-responses");
            up.setDaemon(true);
            down.setDaemon(true);
            up.start();
            down.start();
        }

        private void requests() {
            try (DataInputStream in = new DataInputStream(client.getInputStream())) {
                OutputStream toBroker = upstream.getOutputStream();
                while (true) {
                    byte[] frame = readFrame(in);
                    ByteBuffer buf = ByteBuffer.wrap(frame);
                    RequestHeader header = RequestHeader.parse(buf);
                    Set<String> partitions = Set.of();
                    if (header.apiKey() == ApiKeys.PRODUCE) {
                        produceRequests.incrementAndGet();
                        partitions = partitionsOf(header, buf.duplicate());
                        boolean holding;
                        synchronized (this) {
                            holding = owed.stream().anyMatch(o -> o.answer != null && !o.releasable);
                        }
                        // Racing: one refusal at a time, so that the following request can race it.
                        if (!(racesWanted.get() > 0 && holding) && takeRefusal(header.clientId())) {
                            refuse(header, buf, partitions);
                            continue;
                        }
                    }
                    boolean produce = header.apiKey() == ApiKeys.PRODUCE;
                    synchronized (this) {
                        owed.addLast(new Owed(null, Set.of()));
                        // Only now the broker has the request that follows a refused one: the refusal may go.
                        toBroker.write(frameOf(frame));
                        toBroker.flush();
                        if (produce) {
                            for (Owed o : owed) {
                                if (o.answer != null && !o.releasable
                                        && !Collections.disjoint(o.refusedPartitions, partitions)) {
                                    racesStruck.incrementAndGet();
                                    raced();
                                }
                                o.releasable = true;
                            }
                        }
                        flushOurs();
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (!closed && !(e instanceof java.io.EOFException)) {
                    System.err.println("kafka proxy: requests of a connection ended: " + e);
                }
                end();
            }
        }

        private void refuse(RequestHeader header, ByteBuffer body, Set<String> partitions) throws IOException {
            AbstractRequest request = AbstractRequest.parseRequest(header.apiKey(), header.apiVersion(),
                    new ByteBufferAccessor(body)).request;
            AbstractResponse refusal = request.getErrorResponse(0, Errors.NOT_LEADER_OR_FOLLOWER.exception());
            ResponseHeader responseHeader = header.toResponseHeader();
            ByteBuffer h = MessageUtil.toByteBufferAccessor(responseHeader.data(), responseHeader.headerVersion()).buffer();
            ByteBuffer b = MessageUtil.toByteBufferAccessor(refusal.data(), header.apiVersion()).buffer();
            byte[] answer = new byte[h.remaining() + b.remaining()];
            h.get(answer, 0, h.remaining());
            b.get(answer, answer.length - b.remaining(), b.remaining());
            refused.incrementAndGet();
            synchronized (this) {
                owed.addLast(new Owed(answer, partitions));
            }
        }

        private void responses() {
            try (DataInputStream in = new DataInputStream(upstream.getInputStream())) {
                while (true) {
                    byte[] frame = readFrame(in);
                    synchronized (this) {
                        // The broker answered a later request: ours, owed before it, go first, held or not.
                        while (!owed.isEmpty() && owed.peekFirst().answer != null) {
                            toClient.write(frameOf(owed.pollFirst().answer));
                        }
                        Owed head = owed.pollFirst();
                        if (head == null || head.answer != null) {
                            throw new IllegalStateException("kafka proxy: the broker answered a request it was not sent");
                        }
                        toClient.write(frameOf(frame));
                        flushOurs();
                        toClient.flush();
                    }
                }
            } catch (IOException | RuntimeException e) {
                end();
            }
        }

        /** Writes our own answers at the head of the line, once each may go. Holding this connection's lock. */
        private void flushOurs() throws IOException {
            while (!owed.isEmpty() && owed.peekFirst().answer != null && owed.peekFirst().releasable) {
                toClient.write(frameOf(owed.pollFirst().answer));
            }
            toClient.flush();
        }

        private void end() {
            close(client);
            close(upstream);
        }
    }

    /** An answer owed to the client: the broker's (null) or ours, released once the next produce request went on. */
    private static final class Owed {
        private final byte[] answer;
        private final Set<String> refusedPartitions;
        private boolean releasable;

        Owed(byte[] answer, Set<String> refusedPartitions) {
            this.answer = answer;
            this.refusedPartitions = refusedPartitions;
        }
    }

    /** The partitions a produce request writes, as "topic-or-id/partition". */
    private static Set<String> partitionsOf(RequestHeader header, ByteBuffer body) {
        ProduceRequest request = (ProduceRequest) AbstractRequest.parseRequest(header.apiKey(), header.apiVersion(),
                new ByteBufferAccessor(body)).request;
        Set<String> partitions = new HashSet<>();
        for (ProduceRequestData.TopicProduceData topic : request.data().topicData()) {
            String name = topic.name() == null || topic.name().isEmpty() ? topic.topicId().toString() : topic.name();
            for (ProduceRequestData.PartitionProduceData partition : topic.partitionData()) {
                partitions.add(name + "/" + partition.index());
            }
        }
        return partitions;
    }

    private static byte[] readFrame(DataInputStream in) throws IOException {
        int size = in.readInt();
        if (size < 0 || size > 64 * 1024 * 1024) {
            throw new IOException("kafka proxy: frame of " + size + " bytes");
        }
        byte[] frame = new byte[size];
        in.readFully(frame);
        return frame;
    }

    private static byte[] frameOf(byte[] body) {
        return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        sockets.forEach(ProduceFaultProxy::close);
    }

}
