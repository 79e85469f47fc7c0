package io.switchboard.drill;

import java.util.List;

/**
 * The outcome of one fault drill: what was checked and what recovery took. {@code passed} means zero acked
 * messages lost, zero duplicates delivered to the application and per-room order kept.
 *
 * @param scenario      short name, e.g. "kill-router"
 * @param fault         what was done, e.g. "SIGKILL router-1 (pid 1234)"
 * @param clients       clients in the load (publishers + subscribers)
 * @param acked         messages acknowledged to publishers
 * @param deliveries    deliveries to subscribers' applications
 * @param lost          acked messages some subscriber never got
 * @param duplicates    messages an application got twice
 * @param outOfOrder    deliveries out of room order
 * @param storedTwice   acked ids the log holds twice (a retry after a router died between write and ack);
 *                      the SDK delivers them once, so they are not a violation
 * @param recoveryP50Ms median time from the fault until a client was live again
 * @param recoveryP99Ms 99th percentile of the same
 * @param recoveryMaxMs the slowest client
 * @param notRecovered  clients that never recovered within the drill's deadline
 * @param violations    the first violations, described
 */
public record DrillResult(String scenario, String fault, int clients, long acked, long deliveries, long lost,
                          long duplicates, long outOfOrder, long storedTwice, long recoveryP50Ms, long recoveryP99Ms,
                          long recoveryMaxMs, int notRecovered, List<String> violations) {
    public DrillResult {
        violations = List.copyOf(violations);
    }

    /** Zero acked messages lost, no duplicate, order kept, every client live again. */
    public boolean passed() {
        return lost == 0 && duplicates == 0 && outOfOrder == 0 && notRecovered == 0;
    }
}
