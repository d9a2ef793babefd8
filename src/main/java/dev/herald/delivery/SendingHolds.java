package dev.herald.delivery;

import java.util.Collection;

/**
 * A port for capabilities that hold an organization's sending besides the operator's suspension (feedback's sender
 * protection pauses an organization whose complaint or bounce rate passed a threshold): the worker leaves the queued
 * mail of these organizations where it is, as it does a suspended one's, until they are no longer held.
 */
public interface SendingHolds {
  /** The organizations whose sending is held now. Asked on every poll of the worker: keep it one small query. */
  Collection<Long> heldOrganizations();
}
