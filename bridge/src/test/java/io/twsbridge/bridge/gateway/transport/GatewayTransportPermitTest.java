package io.twsbridge.bridge.gateway.transport;

import io.twsbridge.bridge.gateway.GatewayService;
import io.twsbridge.protocol.wire.FieldWriter;
import io.twsbridge.protocol.wire.Handshake;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * The Gateway link asks its permit before the hello and before every frame; a refusal means not one more byte:
 * the peer, a plain server socket, sees the connection end where the permit said no.
 */
class GatewayTransportPermitTest {

    private static final Handshake.ClientHello HELLO = TcpLinks.HELLO;
    private static final String DEPOSED = "not the active instance: the lease partition was handed to another instance";
    private static final int READ_TIMEOUT_MS = 5_000;

    private static final class RecordingListener implements GatewayLink.Listener {
        final List<String> closes = new CopyOnWriteArrayList<>();
        final List<Throwable> causes = new CopyOnWriteArrayList<>();

        @Override
        public void onFrame(byte[] payload) {
            // the peer sends nothing
        }

        @Override
        public void onClosed(String reason, Throwable cause) {
            closes.add(reason);
            if (cause != null) {
                causes.add(cause);
            }
        }
    }

    private final RecordingListener listener = new RecordingListener();

    private GatewayTransport connect(int port, LinkPermit permit) throws Exception {
        return TcpLinks.open(port, GatewayService.outboundRateLimiter(45), 48, permit, listener, "permit-test");
    }

    @Test
    void aPermitRefusingBeforeTheConnectMakesNoConnectionAtAll() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
            server.configureBlocking(false);
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            GatewayTransport.NotPermittedException e = catchThrowableOfType(GatewayTransport.NotPermittedException.class,
                    () -> connect(port, () -> DEPOSED));

            assertThat(e).hasMessage("not permitted to write to the Gateway: " + DEPOSED);
            // The connector answers only after a TCP connect has completed, so one made would be waiting here now.
            assertThat(server.accept()).as("a connection in the backlog").isNull();
            assertThat(listener.closes).isEmpty();
        }
    }

    @Test
    void aPermitThatLapsesDuringTheConnectWritesNotEvenTheHello() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        LinkPermit lapsesAfterTheFirstQuestion = () -> asked.incrementAndGet() == 1 ? null : DEPOSED;
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            GatewayTransport.NotPermittedException e = catchThrowableOfType(GatewayTransport.NotPermittedException.class,
                    () -> connect(server.getLocalPort(), lapsesAfterTheFirstQuestion));

            assertThat(e).hasMessageContaining(DEPOSED);
            assertThat(asked).hasValue(2);
            try (Socket peer = server.accept()) {
                peer.setSoTimeout(READ_TIMEOUT_MS);
                assertThat(peer.getInputStream().read()).as("the end, without a byte").isEqualTo(-1);
            }
        }
    }

    @Test
    void aRefusalAfterTheHelloClosesTheLinkWithTheQueuedFrameUnsent() throws Exception {
        AtomicReference<String> refusal = new AtomicReference<>();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            GatewayTransport transport = connect(server.getLocalPort(), refusal::get);
            try (Socket peer = server.accept()) {
                peer.setSoTimeout(READ_TIMEOUT_MS);
                InputStream in = peer.getInputStream();
                byte[] hello = Handshake.encodeClientHello(HELLO);
                assertThat(in.readNBytes(hello.length)).isEqualTo(hello);

                refusal.set(DEPOSED);
                transport.send(new FieldWriter(16).int32(71).int32(2).int32(17).string("").toFrame());

                await().atMost(Duration.ofSeconds(5)).until(transport::isClosed);
                assertThat(in.read()).as("after the hello: the end, no frame").isEqualTo(-1);
            }
            transport.awaitThreads(Duration.ofSeconds(5));

            assertThat(listener.closes).singleElement().asString().contains(DEPOSED)
                    .startsWith("nothing more sent: ");
            assertThat(listener.causes).as("a refusal is a clean end").isEmpty();
        }
    }

    @Test
    void thePermitIsAskedBeforeEveryFrameNotOnlyTheFirst() throws Exception {
        AtomicReference<String> refusal = new AtomicReference<>();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            GatewayTransport transport = connect(server.getLocalPort(), refusal::get);
            try (Socket peer = server.accept()) {
                peer.setSoTimeout(READ_TIMEOUT_MS);
                InputStream in = peer.getInputStream();
                byte[] hello = Handshake.encodeClientHello(HELLO);
                assertThat(in.readNBytes(hello.length)).isEqualTo(hello);

                byte[] startApi = new FieldWriter(16).int32(71).int32(2).int32(17).string("").toFrame();
                transport.sendHandshake(startApi);
                assertThat(in.readNBytes(startApi.length)).as("permitted: written").isEqualTo(startApi);

                refusal.set(DEPOSED);
                transport.sendHandshake(new FieldWriter(16).int32(61).int32(1).toFrame());
                transport.send(new FieldWriter(16).int32(62).int32(1).toFrame());

                assertThat(in.read()).as("after the permitted frame: the end").isEqualTo(-1);
            }
            transport.awaitThreads(Duration.ofSeconds(5));
            assertThat(transport.isClosed()).isTrue();
            assertThat(listener.closes).containsExactly("nothing more sent: " + DEPOSED);
        }
    }
}
