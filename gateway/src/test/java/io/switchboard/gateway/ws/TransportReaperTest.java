package io.switchboard.gateway.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TransportReaperTest {
    @Test
    void cleansUpOnceAfterTheConnectionThreadEndedAndNotBefore() throws Exception {
        TransportReaper reaper = new TransportReaper();
        CountDownLatch end = new CountDownLatch(1);
        Thread connection = Thread.ofVirtual().start(() -> {
            try {
                end.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        AtomicInteger cleanups = new AtomicInteger();
        reaper.watch(connection, cleanups::incrementAndGet);

        reaper.sweep();
        assertThat(cleanups).hasValue(0);
        assertThat(reaper.size()).isEqualTo(1);

        end.countDown();
        connection.join();
        reaper.sweep();
        reaper.sweep();
        assertThat(cleanups).hasValue(1);
        assertThat(reaper.size()).isZero();
    }
}
