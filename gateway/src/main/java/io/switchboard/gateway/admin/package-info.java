/**
 * The gateway's token-guarded admin endpoint {@code /admin/*} on its HTTP port: the guard
 * ({@link io.switchboard.gateway.admin.AdminAuth}), fault-injection drills
 * ({@link io.switchboard.gateway.admin.DrillAdminService}) and frame-logging debug sessions
 * ({@link io.switchboard.gateway.admin.DebugAdminService}). Draining lives with the drain in
 * {@code io.switchboard.gateway.drain}.
 */
package io.switchboard.gateway.admin;
