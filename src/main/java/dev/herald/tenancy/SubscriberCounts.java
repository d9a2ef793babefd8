package dev.herald.tenancy;

import java.util.Collection;
import java.util.Map;

/**
 * The port through which the operator's organization list learns how many subscribers each
 * organization has. Audiences keeps subscribers and implements it; audiences sits to the right of
 * tenancy, so tenancy owns this interface and never reads audiences' tables itself.
 */
public interface SubscriberCounts {

  /**
   * The number of subscribers of each of these organizations, answered in one query whatever their
   * number (a page of the list asks once, never once per row). An organization without subscribers may
   * be absent from the map.
   */
  Map<Long, Long> byOrganization(Collection<Long> organizationIds);
}
