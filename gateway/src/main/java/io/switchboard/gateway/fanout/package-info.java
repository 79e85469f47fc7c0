/**
 * Fan-out from Kafka: the rooms topic's layout (room to partition to epoch, as Kafka's default partitioner
 * places keys), the registry of local subscribers per room, and the single consumer thread that reads every
 * partition and hands each record, built once, to the room's subscribers in partition order.
 */
package io.switchboard.gateway.fanout;
