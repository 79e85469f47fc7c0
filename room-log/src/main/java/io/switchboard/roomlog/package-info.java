/**
 * The room log on Kafka, as the router (which appends to it), the gateway (which fans it out) and the history
 * service (which stores it) must all see it alike: the topic's layout and epochs ({@link
 * io.switchboard.roomlog.RoomLogTopic}), learning it at start-up ({@link io.switchboard.roomlog.RoomLogTopicLoader})
 * and the record codec ({@link io.switchboard.roomlog.RoomRecords}). A library with no tier code and no
 * configuration of its own: callers hand it plain values and Kafka client properties.
 */
package io.switchboard.roomlog;
