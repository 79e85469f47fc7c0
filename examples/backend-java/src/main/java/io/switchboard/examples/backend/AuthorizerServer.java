package io.switchboard.examples.backend;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Serves {@link TeamAuthorizer} for gateways configured with {@code gateway.authz.backend.address}.
 *
 * <pre>
 * java -cp switchboard-example-backend.jar io.switchboard.examples.backend.AuthorizerServer --port 7300
 * </pre>
 */
public final class AuthorizerServer {
    private AuthorizerServer() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length != 2 || !args[0].equals("--port")) {
            System.err.println("usage: AuthorizerServer --port PORT");
            System.exit(2);
            return;
        }
        Server server = Grpc.newServerBuilderForPort(Integer.parseInt(args[1]), InsecureServerCredentials.create())
                .addService(new TeamAuthorizer()).build().start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown();
            try {
                server.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        System.out.println("Authorizer listening on :" + server.getPort());
        server.awaitTermination();
    }
}
