/**
 * The randomized presence checker: Java-SDK clients join, leave, reload, switch gateways, change rooms and statuses
 * at random (from a seed) while gateways and the presence service restart; at quiet moments every client's member
 * list must equal the truth the checker knows from the clients it runs. The system tests run it on an in-process
 * cluster, the chaos tests on the multi-process one, each through its own {@link io.switchboard.drill.presence.PresenceChecker.Cluster}.
 */
package io.switchboard.drill.presence;
