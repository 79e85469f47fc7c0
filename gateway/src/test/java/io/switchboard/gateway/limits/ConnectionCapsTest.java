package io.switchboard.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class ConnectionCapsTest {
    private static final InetAddress A = ClientIpResolverTest.ip("192.0.2.1");
    private static final InetAddress B = ClientIpResolverTest.ip("192.0.2.2");

    @Test
    void theGatewayCapAndTheAddressCapRefuseWithTheirReason() {
        ConnectionCaps caps = new ConnectionCaps(3, 2);
        ConnectionCaps.Lease a1 = (ConnectionCaps.Lease) caps.tryAdmit(A);
        assertThat(caps.tryAdmit(A)).isInstanceOf(ConnectionCaps.Lease.class);
        assertThat(caps.tryAdmit(A)).isEqualTo(ConnectionCaps.Refused.ADDRESS_FULL);
        assertThat(caps.tryAdmit(B)).isInstanceOf(ConnectionCaps.Lease.class);
        assertThat(caps.tryAdmit(B)).isEqualTo(ConnectionCaps.Refused.GATEWAY_FULL);
        assertThat(caps.connections()).isEqualTo(3);

        a1.release();
        a1.release(); // idempotent
        assertThat(caps.connections()).isEqualTo(2);
        assertThat(caps.connections(A)).isEqualTo(1);
        assertThat(caps.tryAdmit(A)).isInstanceOf(ConnectionCaps.Lease.class);
    }

    @Test
    void concurrentAdmissionsNeverOvershootTheCaps() throws Exception {
        ConnectionCaps caps = new ConnectionCaps(50, 30);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<ConnectionCaps.Outcome>> results = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                InetAddress client = i % 2 == 0 ? A : B;
                results.add(pool.submit(() -> {
                    start.await();
                    return caps.tryAdmit(client);
                }));
            }
            start.countDown();
            int admitted = 0;
            for (Future<ConnectionCaps.Outcome> f : results) {
                if (f.get(10, TimeUnit.SECONDS) instanceof ConnectionCaps.Lease) {
                    admitted++;
                }
            }
            assertThat(admitted).isEqualTo(50);
            assertThat(caps.connections(A)).isLessThanOrEqualTo(30);
            assertThat(caps.connections(B)).isLessThanOrEqualTo(30);
            assertThat(caps.connections(A) + caps.connections(B)).isEqualTo(50);
        } finally {
            pool.shutdownNow();
        }
    }
}
