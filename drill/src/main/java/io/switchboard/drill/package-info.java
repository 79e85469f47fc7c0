/**
 * Fault drills: a steady load of SDK clients, the checks of the delivery promise (no acked message lost, no
 * duplicate to the application, per-room order), recovery times, and the report the chaos tests and the SRE
 * drill command print.
 */
package io.switchboard.drill;
