package io.switchboard.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import io.switchboard.testkit.RequiredTool;
import org.junit.jupiter.api.Test;

/**
 * The deployment material validated by the tools this machine has: {@code deploy/validate.sh} runs
 * {@code haproxy -c} and {@code nginx -t} on the load-balancer configs, parses every Kubernetes manifest, the
 * compose file and the tier configs as YAML, checks the scripts' syntax and has the java launcher read the servers'
 * G1 flag file. Skipped when HAProxy, nginx or python3-yaml is not installed; in CI (which installs them, see
 * .ci/run) that fails instead.
 */
class DeployConfigsTest {
    private static final Path DEPLOY = Path.of("..", "deploy").toAbsolutePath().normalize();

    @Test
    void everyDeployConfigPassesItsValidator() throws Exception {
        RequiredTool.executable(Path.of("/usr/sbin/haproxy"), "apt-get install haproxy; .ci/run installs it");
        RequiredTool.executable(Path.of("/usr/sbin/nginx"), "apt-get install nginx; .ci/run installs it");
        RequiredTool.executable(Path.of("/usr/bin/openssl"), "apt-get install openssl; .ci/run installs it");
        RequiredTool.command(List.of("python3", "-c", "import yaml"), "apt-get install python3-yaml; .ci/run installs it");
        Path log = Files.createDirectories(Path.of("target")).resolve("deploy-validate.log");
        Process validate = new ProcessBuilder("bash", DEPLOY.resolve("validate.sh").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean ended = validate.waitFor(2, TimeUnit.MINUTES);
        if (!ended) {
            validate.destroyForcibly();
        }
        String output = Files.readString(log);
        assertThat(ended && validate.exitValue() == 0).as("deploy/validate.sh:%n%s", output).isTrue();
        assertThat(output).contains("Configuration file is valid", "nginx: configuration OK", "kubernetes/",
                "haproxy (TLS termination): configuration OK",
                "haproxy (TLS termination, re-encrypted to the gateways): configuration OK",
                "nginx (TLS termination): configuration OK",
                "nginx (TLS termination, re-encrypted to the gateways): configuration OK",
                "java @jvm/server-g1.jvm-options: OK");
    }
}
