/**
 * Fan-out from Kafka: the registry of local subscribers per room, and the single consumer thread that reads
 * every partition of the room log (its layout and record codec are the {@code room-log} module's) and hands
 * each record, built once, to the room's subscribers in partition order.
 */
package io.switchboard.gateway.fanout;
