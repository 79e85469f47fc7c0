package io.switchboard.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which WebSocket upgrades the gateway's admission lets in, before ready, while warming up, ready and draining. */
class AdmissionTest {

    @Test
    void beforeReadyOnlyTheWarmUpsPassIsAdmittedAndOnlyWhileItIsOpen() {
        Admission admission = new Admission();
        assertThat(admission.admitsUpgrade(null)).isFalse();

        String pass = admission.openForWarmUp();
        assertThat(pass).hasSize(32);
        assertThat(admission.admitsUpgrade(pass)).isTrue();
        assertThat(admission.admitsUpgrade(null)).isFalse();
        assertThat(admission.admitsUpgrade("0".repeat(32))).isFalse();
        assertThat(admission.admitsUpgrade(pass.substring(1))).isFalse();
        assertThat(admission.isOpen()).isFalse();

        admission.closeWarmUp();
        assertThat(admission.admitsUpgrade(pass)).isFalse();
        assertThat(admission.openForWarmUp()).as("a new pass each time").isNotEqualTo(pass);
    }

    @Test
    void readyAdmitsEveryUpgradeAndDrainingNone() {
        Admission admission = new Admission();
        String pass = admission.openForWarmUp();
        admission.ready();
        assertThat(admission.admitsUpgrade(null)).isTrue();

        admission.startDraining();
        assertThat(admission.admitsUpgrade(null)).isFalse();
        assertThat(admission.admitsUpgrade(pass)).as("the pass does not outlive readiness").isFalse();
    }
}
