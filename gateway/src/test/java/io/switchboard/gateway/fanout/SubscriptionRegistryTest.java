package io.switchboard.gateway.fanout;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SubscriptionRegistryTest {
    @Test
    void addsRemovesAndDropsEmptyRooms() {
        SubscriptionRegistry r = new SubscriptionRegistry();
        Subscriber a = m -> { };
        Subscriber b = m -> { };
        assertThat(r.subscribe("x", a)).isTrue();
        assertThat(r.subscribe("x", a)).isFalse();
        assertThat(r.subscribe("x", b)).isTrue();
        assertThat(r.subscribers("x")).containsExactlyInAnyOrder(a, b);
        assertThat(r.unsubscribe("x", a)).isTrue();
        assertThat(r.unsubscribe("x", a)).isFalse();
        assertThat(r.roomCount()).isEqualTo(1);
        assertThat(r.unsubscribe("x", b)).isTrue();
        assertThat(r.roomCount()).isZero();
        assertThat(r.subscribers("x")).isEmpty();
        assertThat(r.unsubscribe("nope", a)).isFalse();
    }
}
