package dev.herald.platform;

/**
 * What a node does. One node has all roles by default; a larger installation splits them
 * ({@code HERALD_ROLES=web} on panel nodes, {@code delivery,worker} on sending nodes) over one PostgreSQL.
 */
public enum NodeRole {
  /** control panel, REST API and public pages */
  web,
  /** SMTP submission server */
  smtp,
  /** outbound MTA: claims queued messages and delivers them */
  delivery,
  /** background jobs: imports, retention, clean-ups */
  worker
}
