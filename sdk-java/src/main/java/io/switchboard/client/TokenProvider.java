package io.switchboard.client;

import java.util.concurrent.CompletionStage;

/**
 * Supplies the JWT the client authenticates with, typically by asking the application's auth server. Called
 * on first connect, before the cached token reaches 80% of its lifetime, and after a close with 3501
 * TOKEN_EXPIRED. Must not block: return a stage that completes later instead.
 */
@FunctionalInterface
public interface TokenProvider {
    /** A fresh signed token ("sub" is the user, "exp" is required). */
    CompletionStage<String> token();
}
