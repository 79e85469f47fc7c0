/**
 * The presence-join benchmark: many clients, run in child JVMs so both ends of every connection fit the open-file
 * limit, subscribe to one room with presence at once; it measures how long until every client sees the full
 * member count and how many presence frames and bytes each client received, at two room sizes in one run,
 * beside the quadratic figure of a naive one-event-per-join design.
 */
package io.switchboard.bench.presence;
