package io.switchboard.chaos;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The drills every process-level chaos suite runs first, in this order, whatever Kafka it runs on: SIGKILL a router,
 * SIGKILL a gateway, drain a gateway. A suite starts its cluster and {@link ChaosDrills} in {@code @BeforeAll},
 * hands them over in {@link #drills()} and adds its own drills from {@code @Order(4)}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class CoreDrills {
    /** The suite's drills on its started cluster. */
    abstract ChaosDrills drills();

    @Test
    @Order(1)
    void sigkillARouter() {
        drills().killRouter();
    }

    @Test
    @Order(2)
    void sigkillAGateway() {
        drills().killGateway();
    }

    @Test
    @Order(3)
    void drainAGateway() {
        drills().drainGateway();
    }
}
