package io.switchboard.bench.authz;

/** How the rooms of one variant are granted; each variant has its own namespace. */
enum AuthzVariant {
    /** A namespace policy opens the rooms to everyone; tokens carry no claims. The baseline. */
    POLICY("policy", "open"),
    /** The token's rooms claim grants them (among other patterns); no policy, no backend. */
    TOKEN("token", "tok"),
    /** The backend Authorizer decides; every measured ask is answered from the gateway's cache. */
    BACKEND_CACHED("backend, cached", "team"),
    /** The backend Authorizer decides; every ask is a first one (new users), so each is a gRPC call. */
    BACKEND_FIRST_ASK("backend, first ask", "crew");

    final String label;
    final String namespace;

    AuthzVariant(String label, String namespace) {
        this.label = label;
        this.namespace = namespace;
    }
}
