package io.switchboard.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import io.switchboard.testkit.RequiredTool;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployment material validated by the tools this machine has: {@code deploy/validate.sh} runs
 * {@code haproxy -c} and {@code nginx -t} on the load-balancer configs, parses every Kubernetes manifest, the
 * compose file and the tier configs as YAML, checks the scripts' syntax and has the java launcher read the servers'
 * G1 flag file. Skipped when HAProxy, nginx or python3-yaml is not installed; in CI (which installs them, see
 * .ci/run) that fails instead.
 */
class DeployConfigsTest {
    private static final Path DEPLOY = Path.of("..", "deploy").toAbsolutePath().normalize();

    private record Validation(boolean ended, int exitCode, String output) {
    }

    @BeforeEach
    void requireTheValidatorsTools() {
        RequiredTool.executable(Path.of("/usr/sbin/haproxy"), "apt-get install haproxy; .ci/run installs it");
        RequiredTool.executable(Path.of("/usr/sbin/nginx"), "apt-get install nginx; .ci/run installs it");
        RequiredTool.executable(Path.of("/usr/bin/openssl"), "apt-get install openssl; .ci/run installs it");
        RequiredTool.command(List.of("python3", "-c", "import yaml"), "apt-get install python3-yaml; .ci/run installs it");
    }

    @Test
    void everyDeployConfigPassesItsValidator() throws Exception {
        Validation v = validate(DEPLOY, Path.of("target", "deploy-validate.log"));

        assertThat(v.ended() && v.exitCode() == 0).as("deploy/validate.sh:%n%s", v.output()).isTrue();
        assertThat(v.output()).contains("Configuration file is valid", "nginx: configuration OK", "kubernetes/",
                "haproxy (TLS termination): configuration OK",
                "haproxy (TLS termination, re-encrypted to the gateways): configuration OK",
                "nginx (TLS termination): configuration OK",
                "nginx (TLS termination, re-encrypted to the gateways): configuration OK",
                "java @jvm/server-g1.jvm-options: OK");
    }

    @Test
    void aConfigItsToolRefusesFailsTheValidator(@TempDir Path root) throws Exception {
        // A copy of deploy/ (and bin/, which validate.sh uses to find a JDK) with one directive nginx does not know.
        copyTree(DEPLOY, root.resolve("deploy"));
        copyTree(DEPLOY.resolveSibling("bin"), root.resolve("bin"));
        Files.writeString(root.resolve("deploy/nginx/nginx.conf"), "\nnot_a_directive on;\n", StandardOpenOption.APPEND);

        Validation v = validate(root.resolve("deploy"), root.resolve("validate.log"));

        assertThat(v.ended()).as("deploy/validate.sh ended:%n%s", v.output()).isTrue();
        assertThat(v.exitCode()).as("exit code; output:%n%s", v.output()).isNotZero();
        assertThat(v.output()).contains("unknown directive \"not_a_directive\"")
                .doesNotContain("nginx: configuration OK", "java @jvm/server-g1.jvm-options: OK");
    }

    private static Validation validate(Path deploy, Path log) throws IOException, InterruptedException {
        Files.createDirectories(log.toAbsolutePath().getParent());
        Process validate = new ProcessBuilder("bash", deploy.resolve("validate.sh").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean ended = validate.waitFor(2, TimeUnit.MINUTES);
        if (!ended) {
            validate.destroyForcibly();
        }
        return new Validation(ended, ended ? validate.exitValue() : -1, Files.readString(log));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
