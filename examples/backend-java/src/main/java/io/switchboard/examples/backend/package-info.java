/**
 * An example backend for the public SwitchboardApi: publishes reliably over PublishStream (resending what was
 * not acknowledged after a reconnect, with the same ids), sends a direct message, reads presence and history.
 */
package io.switchboard.examples.backend;
